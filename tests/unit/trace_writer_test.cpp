// The SQLite writer and schema: a new profile gets the schema and version,
// every insert the writer knows matches the schema, sources are ingested
// once, and files that are not lurk profiles (or are newer) are refused.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "capture_builder.h"
#include "profile_fixture.h"
#include "storage/schema.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

class TraceWriterTest : public ProfileTest {};

TEST_F(TraceWriterTest, NewProfileGetsSchemaAndVersion) {
  TraceWriter writer(db());
  EXPECT_EQ(count("PRAGMA user_version"), kSchemaVersion);
  for (const char* table : {"strings", "sources", "ingest_errors", "connections", "packets",
                            "threads", "spans", "instants", "flows", "counters", "periods",
                            "findings"})
    EXPECT_EQ(count(std::string("SELECT count(*) FROM sqlite_master WHERE name = '") + table +
                    "'"),
              1)
        << table;
  EXPECT_EQ(schema_problem(db()), "");
}

// Every insert statement is prepared against the real schema, so a column the
// code names but the schema lacks fails here rather than at a user's ingest.
TEST_F(TraceWriterTest, EveryInsertMatchesTheSchema) {
  TraceWriter writer(db());
  SourceRow source{0, "x", "test", "hash", 1};
  writer.begin_source(source);
  int64_t name = writer.intern("reader");
  ConnectionRow connection;
  connection.addr_a = "10.0.0.1";
  connection.addr_b = "10.0.0.2";
  writer.insert_connection(connection);
  connection.state = "closed";
  writer.update_connection(connection);
  PacketRow packet;
  packet.source_id = source.id;
  packet.connection_id = connection.id;
  packet.dup_ack_num = 2;
  writer.insert_packet(packet);
  ThreadRow thread;
  thread.source_id = source.id;
  thread.ext_id = "7";
  thread.name = name;
  writer.insert_thread(thread);
  thread.failed = true;
  writer.update_thread(thread);
  writer.insert_span({thread.id, 1, 2, 0, "span", name, "{\"a\":1}"});
  writer.insert_instant({thread.id, 3, "exception", name, std::nullopt});
  writer.insert_flow({"read", thread.id, 1, thread.id, 2});
  writer.insert_counter({thread.id, name, 5, 1.5});
  writer.insert_period({source.id, "gc", 1, 2});
  writer.insert_finding({"exception", 3, "t", std::nullopt, connection.id, thread.id, 3, 0});
  writer.insert_ingest_error({source.id, 10, std::nullopt, "k", "m"});
  source.records = 1;
  writer.commit_source(source);
  EXPECT_EQ(count("SELECT failed FROM threads"), 1);
  EXPECT_EQ(text("SELECT state FROM connections"), "closed");
  EXPECT_EQ(count("SELECT dup_ack_num FROM packets"), 2);
  EXPECT_EQ(text("SELECT status FROM sources"), "complete");
}

TEST_F(TraceWriterTest, InterningGivesOneIdPerText) {
  TraceWriter writer(db());
  SourceRow source{0, "x", "test", "hash", 1};
  writer.begin_source(source);
  int64_t a = writer.intern("alpha");
  EXPECT_EQ(writer.intern("alpha"), a);
  EXPECT_NE(writer.intern("beta"), a);
  writer.commit_source(source);
  EXPECT_EQ(count("SELECT count(*) FROM strings"), 2);
}

TEST_F(TraceWriterTest, RollbackLeavesNothingBehind) {
  TraceWriter writer(db());
  SourceRow source{0, "x", "test", "hash", 1};
  writer.begin_source(source);
  writer.intern("gone");
  writer.rollback_source();
  EXPECT_EQ(count("SELECT count(*) FROM sources"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM strings"), 0);
  // Interned ids from the rolled-back transaction are not reused as if they existed.
  SourceRow again{0, "y", "test", "hash2", 1};
  writer.begin_source(again);
  int64_t id = writer.intern("gone");
  writer.commit_source(again);
  EXPECT_EQ(count("SELECT id FROM strings WHERE text = 'gone'"), id);
}

TEST_F(TraceWriterTest, SameInputTwiceIsIngestedOnce) {
  FrameSpec spec;
  spec.flags = 0x02;
  auto bytes = build_pcap({{1'000, build_tcp_frame(spec)}}, {});
  EXPECT_EQ(ingest("a.pcap", bytes).status, SourceOutcome::Status::Complete);
  EXPECT_EQ(ingest("copy-of-a.pcap", bytes).status, SourceOutcome::Status::AlreadyPresent);
  EXPECT_EQ(count("SELECT count(*) FROM sources"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM packets"), 1);
}

TEST_F(TraceWriterTest, RefusesANewerSchemaVersion) {
  { TraceWriter writer(db()); }
  db().exec("PRAGMA user_version = 99");
  EXPECT_NE(schema_problem(db()).find("newer"), std::string::npos);
  EXPECT_THROW(TraceWriter writer(db()), StorageError);
}

TEST_F(TraceWriterTest, RefusesASqliteFileThatIsNoProfile) {
  db().exec("CREATE TABLE notes(text TEXT)");
  EXPECT_NE(schema_problem(db()).find("not a lurk profile"), std::string::npos);
  EXPECT_THROW(TraceWriter writer(db()), StorageError);
  EXPECT_EQ(count("SELECT count(*) FROM sqlite_master"), 1);  // left alone
}

// The schema is audited once per connection, and again whenever anything
// changed it since: here another connection adds a trigger (which would run
// inside lurk's own inserts) after this one was checked.
TEST_F(TraceWriterTest, SchemaChangedByAnotherConnectionIsAuditedAgain) {
  { TraceWriter writer(db()); }
  { TraceWriter again(db()); }  // checked already, nothing changed: accepted
  {
    Database other(profile_path_, Database::Mode::ReadWriteCreate);
    other.exec("CREATE TRIGGER t AFTER INSERT ON packets BEGIN DELETE FROM packets; END");
  }
  EXPECT_THROW(TraceWriter writer(db()), StorageError);
}

// Packet rows go in through lurk_packet_batch, read column by column from
// the queued rows: every column with a value and without one (a NULL after
// a value in the same column, and the other way), runs with and without the
// duplicate-ACK pair and the threads, read back as written, in order.
TEST_F(TraceWriterTest, PacketRowsOfEveryShapeReadBackAsWritten) {
  TraceWriter writer(db());
  SourceRow source{0, "x", "test", "hash", 1};
  writer.begin_source(source);
  ConnectionRow connection;
  connection.addr_a = "10.0.0.1";
  connection.addr_b = "10.0.0.2";
  writer.insert_connection(connection);
  std::vector<PacketRow> written;
  for (int i = 0; i < 150; ++i) {
    PacketRow p;
    p.source_id = source.id;
    p.frame = i + 1;
    p.connection_id = connection.id;
    p.ts_ns = 1'000'000 + i * 7;
    p.dir = i % 2;
    p.seq = 1000u + 3u * i;
    p.ack = 5000u + i;
    p.payload_len = i % 5 == 0 ? 0u : 100u;
    p.tcp_flags = 0x10;
    p.window = 65535 - i;
    p.wire_len = 154;
    p.analysis = i % 9 == 0 ? 4u : 0u;
    if (i % 3 == 0) p.rtt_ns = 10'000 + i;
    if (i % 4 == 1) p.ts_rtt_ns = 20'000 + i;
    if (i >= 20 && i < 40 && i % 5 == 0) {  // runs 2 and 3: the duplicate-ACK pair
      p.dup_ack_num = i / 5;
      p.dup_ack_frame = i - 1;
    }
    if (i >= 50 && i < 70 && i % 7 == 0) p.sender_thread = 100 + i;  // runs 4-5: threads
    if (i == 60) p.receiver_thread = 7, p.dup_ack_num = 1, p.dup_ack_frame = 59;  // both
    writer.insert_packet(p);
    written.push_back(p);
  }
  writer.commit_source(source);
  Statement read = db().prepare(
      "SELECT source_id, frame, connection_id, ts_ns, dir, seq, ack, payload_len, tcp_flags, "
      "window, wire_len, analysis, dup_ack_num, dup_ack_frame, rtt_ns, ts_rtt_ns, sender_thread, "
      "receiver_thread FROM packets ORDER BY id");
  size_t n = 0;
  for (; read.step(); ++n) {
    ASSERT_LT(n, written.size());
    const PacketRow& p = written[n];
    SCOPED_TRACE("row " + std::to_string(n));
    EXPECT_EQ(read.column_int(0), p.source_id);
    EXPECT_EQ(read.column_int(1), p.frame);
    EXPECT_EQ(read.column_int(2), p.connection_id);
    EXPECT_EQ(read.column_int(3), p.ts_ns);
    EXPECT_EQ(read.column_int(4), p.dir);
    EXPECT_EQ(read.column_int(5), p.seq);
    EXPECT_EQ(read.column_int(6), p.ack);
    EXPECT_EQ(read.column_int(7), p.payload_len);
    EXPECT_EQ(read.column_int(8), p.tcp_flags);
    EXPECT_EQ(read.column_int(9), p.window);
    EXPECT_EQ(read.column_int(10), p.wire_len);
    EXPECT_EQ(read.column_int(11), static_cast<int64_t>(p.analysis));
    EXPECT_EQ(read.column_optional_int(12), p.dup_ack_num);
    EXPECT_EQ(read.column_optional_int(13), p.dup_ack_frame);
    EXPECT_EQ(read.column_optional_int(14), p.rtt_ns);
    EXPECT_EQ(read.column_optional_int(15), p.ts_rtt_ns);
    EXPECT_EQ(read.column_optional_int(16), p.sender_thread);
    EXPECT_EQ(read.column_optional_int(17), p.receiver_thread);
  }
  EXPECT_EQ(n, written.size());
}

// lurk_packet_batch reads only a batch the writer bound: on the writer's
// connection, a NULL, a number or a text in its place reads as no rows, and
// without the argument there is no plan (an error, not a crash).
TEST_F(TraceWriterTest, PacketBatchTableReadsNothingButABoundBatch) {
  TraceWriter writer(db());
  for (const char* argument : {"NULL", "1", "'lurk_packet_batch'", "x'00'"}) {
    SCOPED_TRACE(argument);
    EXPECT_EQ(count(std::string("SELECT count(*) FROM lurk_packet_batch(") + argument + ")"), 0);
  }
  EXPECT_THROW(db().prepare("SELECT count(*) FROM lurk_packet_batch"), StorageError);
}

// Connection rows are queued in bulk; an update of one still queued runs
// after its insert, and every row keeps the id it was given.
TEST_F(TraceWriterTest, ConnectionRowsInBulkKeepIdsAndUpdates) {
  TraceWriter writer(db());
  SourceRow source{0, "x", "test", "hash", 1};
  writer.begin_source(source);
  std::vector<ConnectionRow> rows(40);
  for (size_t i = 0; i < rows.size(); ++i) {
    rows[i].source_id = source.id;
    rows[i].addr_a = "10.0.0." + std::to_string(i);
    rows[i].addr_b = "10.0.1.1";
    rows[i].port_a = 40000 + int(i);
    rows[i].port_b = 80;
    rows[i].packets_ab = int64_t(i) * 3;
    if (i % 2) writer.insert_connection(rows[i]);
    else {
      rows[i].id = writer.claim_connection_id();
      writer.insert_claimed_connection(rows[i]);
    }
  }
  rows[33].state = "reset";
  rows[33].rst_seen = true;
  writer.update_connection(rows[33]);
  writer.commit_source(source);
  EXPECT_EQ(count("SELECT count(*) FROM connections"), 40);
  for (const ConnectionRow& r : rows) {
    EXPECT_EQ(text("SELECT addr_a FROM connections WHERE id = " + std::to_string(r.id)), r.addr_a);
    EXPECT_EQ(count("SELECT packets_ab FROM connections WHERE id = " + std::to_string(r.id)),
              r.packets_ab);
  }
  EXPECT_EQ(text("SELECT state FROM connections WHERE id = " + std::to_string(rows[33].id)),
            "reset");
  EXPECT_EQ(count("SELECT rst_seen FROM connections WHERE id = " + std::to_string(rows[33].id)), 1);
}

}  // namespace
}  // namespace lurk::test
