// TraceWriter batches packet rows: every row reaches the file in order, a
// partial last batch included; jobs that leave nullable columns out (none of
// their rows fills them) store the same values and NULLs as jobs that write
// them; jobs of one source and of several keep each row's source; whoever
// reads through db() mid-source sees every packet queued so
// far; a rollback drops queued rows too.
#include <gtest/gtest.h>

#include "profile_fixture.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

class PacketBatchTest : public ProfileTest {};

PacketRow packet_row(int64_t source_id, int64_t connection_id, int64_t frame) {
  PacketRow p;
  p.source_id = source_id;
  p.connection_id = connection_id;
  p.frame = frame;
  p.ts_ns = 1000 * frame;
  p.dir = static_cast<int>(frame % 2);
  p.seq = static_cast<uint32_t>(frame * 7);
  p.ack = 0xfffffff0u + static_cast<uint32_t>(frame);  // wraps: stored as unsigned 32-bit
  p.payload_len = static_cast<uint32_t>(frame % 1500);
  p.tcp_flags = 0x10;
  p.window = 65535;
  p.wire_len = 60;
  p.analysis = frame % 5 == 0 ? 0x8000000000000001ull >> 1 : 0;
  if (frame % 3 == 0) p.dup_ack_num = frame / 3;
  if (frame % 4 == 0) p.rtt_ns = frame;
  return p;
}

TEST_F(PacketBatchTest, EveryRowArrivesInOrderWithItsValues) {
  TraceWriter writer(db());
  SourceRow source{0, "x.pcap", "pcap", "h1", 1};
  writer.begin_source(source);
  ConnectionRow connection;
  connection.addr_a = "10.0.0.1";
  connection.addr_b = "10.0.0.2";
  writer.insert_connection(connection);
  const int kRows = 64 * 3 + 17;  // full batches and a partial one
  for (int frame = 1; frame <= kRows; ++frame)
    writer.insert_packet(packet_row(source.id, connection.id, frame));
  writer.commit_source(source);

  EXPECT_EQ(count("SELECT count(*) FROM packets"), kRows);
  // ids follow file order
  EXPECT_EQ(count("SELECT count(*) FROM packets WHERE id != frame"), 0);
  Statement rows = db().prepare(
      "SELECT frame, ts_ns, dir, seq, ack, payload_len, analysis, dup_ack_num, rtt_ns "
      "FROM packets ORDER BY id");
  for (int frame = 1; frame <= kRows; ++frame) {
    ASSERT_TRUE(rows.step());
    PacketRow want = packet_row(source.id, connection.id, frame);
    EXPECT_EQ(rows.column_int(0), frame);
    EXPECT_EQ(rows.column_int(1), want.ts_ns);
    EXPECT_EQ(rows.column_int(2), want.dir);
    EXPECT_EQ(rows.column_int(3), int64_t(want.seq));
    EXPECT_EQ(rows.column_int(4), int64_t(want.ack));
    EXPECT_EQ(rows.column_int(5), int64_t(want.payload_len));
    EXPECT_EQ(rows.column_int(6), int64_t(want.analysis));
    EXPECT_EQ(rows.column_is_null(7), !want.dup_ack_num);
    if (want.dup_ack_num) EXPECT_EQ(rows.column_int(7), *want.dup_ack_num);
    EXPECT_EQ(rows.column_is_null(8), !want.rtt_ns);
  }
  EXPECT_FALSE(rows.step());
}

// The nullable columns of a row, as the row has them: frame f fills column i
// when its job (f / 1024) is 1 (every column, some rows each) or 2 (only
// the duplicate-ACK pair, on every row); job 0 fills none.
PacketRow shaped_row(int64_t source_id, int64_t frame) {
  PacketRow p = packet_row(source_id, 1, frame);
  p.dup_ack_num.reset();
  p.rtt_ns.reset();
  int64_t job = (frame - 1) / 1024;
  if (job == 1) {
    if (frame % 3 == 0) p.dup_ack_num = frame, p.dup_ack_frame = frame - 1;
    if (frame % 5 == 0) p.rtt_ns = 10 * frame;
    if (frame % 7 == 0) p.ts_rtt_ns = 20 * frame;
    if (frame % 11 == 0) p.sender_thread = 1;
    if (frame % 13 == 0) p.receiver_thread = 2;
  } else if (job == 2) {
    p.dup_ack_num = 1;
    p.dup_ack_frame = frame - 2;
  }
  return p;
}

TEST_F(PacketBatchTest, JobsOfEveryShapeStoreTheSameValuesAndNulls) {
  TraceWriter writer(db());
  SourceRow source{0, "x.pcap", "pcap", "h5", 1};
  writer.begin_source(source);
  const int kRows = 1024 * 3 + 5;  // three full jobs of three shapes, and a partial one
  for (int frame = 1; frame <= kRows; ++frame) writer.insert_packet(shaped_row(source.id, frame));
  writer.commit_source(source);

  Statement rows = db().prepare(
      "SELECT frame, dup_ack_num, dup_ack_frame, rtt_ns, ts_rtt_ns, sender_thread, "
      "receiver_thread, analysis, wire_len FROM packets ORDER BY id");
  for (int frame = 1; frame <= kRows; ++frame) {
    ASSERT_TRUE(rows.step());
    PacketRow want = shaped_row(source.id, frame);
    ASSERT_EQ(rows.column_int(0), frame);
    const std::optional<int64_t>* nullable[] = {&want.dup_ack_num, &want.dup_ack_frame,
                                                &want.rtt_ns,      &want.ts_rtt_ns,
                                                &want.sender_thread, &want.receiver_thread};
    for (int i = 0; i < 6; ++i) {
      ASSERT_EQ(rows.column_is_null(1 + i), !nullable[i]->has_value())
          << "frame " << frame << ", nullable column " << i;
      if (nullable[i]->has_value()) EXPECT_EQ(rows.column_int(1 + i), **nullable[i]);
    }
    EXPECT_EQ(rows.column_int(7), int64_t(want.analysis));
    EXPECT_EQ(rows.column_int(8), int64_t(want.wire_len));
  }
  EXPECT_FALSE(rows.step());
  // Each shape was seen: no nullable column in job 0, all six in job 1.
  EXPECT_EQ(count("SELECT count(*) FROM packets WHERE frame <= 1024 AND coalesce(dup_ack_num, "
                  "dup_ack_frame, rtt_ns, ts_rtt_ns, sender_thread, receiver_thread) IS NOT NULL"),
            0);
  EXPECT_GT(count("SELECT count(*) FROM packets WHERE frame BETWEEN 1025 AND 2048 AND "
                  "sender_thread IS NOT NULL AND dup_ack_frame IS NOT NULL"),
            0);
}

// A job of one source's rows gives the source once, as a parameter; a job
// that mixes sources (a live batch of several senders' traced segments)
// reads each row's: every row keeps its own either way, in both shapes of
// the same nullable columns.
TEST_F(PacketBatchTest, JobsOfOneSourceAndOfSeveralKeepEachRowsSource) {
  TraceWriter writer(db());
  SourceRow source{0, "x.pcap", "pcap", "h6", 1};
  writer.begin_source(source);
  // Job 0: the source's rows only; job 1: every third row another source's;
  // then a partial job of one source again.
  auto source_of = [&](int frame) {
    return frame > 1024 && frame <= 2048 && frame % 3 == 0 ? source.id + 7 : source.id;
  };
  const int kRows = 1024 * 2 + 9;
  for (int frame = 1; frame <= kRows; ++frame)
    writer.insert_packet(packet_row(source_of(frame), 1, frame));
  writer.commit_source(source);

  Statement rows = db().prepare("SELECT frame, source_id, dup_ack_num FROM packets ORDER BY id");
  for (int frame = 1; frame <= kRows; ++frame) {
    ASSERT_TRUE(rows.step());
    ASSERT_EQ(rows.column_int(0), frame);
    EXPECT_EQ(rows.column_int(1), source_of(frame)) << "frame " << frame;
    EXPECT_EQ(rows.column_is_null(2), frame % 3 != 0) << "frame " << frame;
  }
  EXPECT_FALSE(rows.step());
  EXPECT_EQ(count("SELECT count(DISTINCT source_id) FROM packets WHERE frame > 1024 AND frame <= 2048"), 2);
}

TEST_F(PacketBatchTest, ReadingThroughDbMidSourceSeesQueuedPackets) {
  TraceWriter writer(db());
  SourceRow source{0, "x.pcap", "pcap", "h2", 1};
  writer.begin_source(source);
  for (int frame = 1; frame <= 10; ++frame) writer.insert_packet(packet_row(source.id, 1, frame));
  EXPECT_EQ(writer.db().query_int("SELECT count(*) FROM packets"), 10);
  writer.commit_source(source);
}

TEST_F(PacketBatchTest, RollbackDropsQueuedPackets) {
  TraceWriter writer(db());
  SourceRow first{0, "a.pcap", "pcap", "h3", 1};
  writer.begin_source(first);
  for (int frame = 1; frame <= 70; ++frame) writer.insert_packet(packet_row(first.id, 1, frame));
  writer.rollback_source();
  SourceRow second{0, "b.pcap", "pcap", "h4", 1};
  writer.begin_source(second);
  writer.insert_packet(packet_row(second.id, 1, 1));
  writer.commit_source(second);
  EXPECT_EQ(count("SELECT count(*) FROM packets"), 1);
  EXPECT_EQ(count("SELECT source_id FROM packets"), second.id);
  EXPECT_EQ(count("SELECT count(*) FROM sources"), 1);
}

}  // namespace
}  // namespace lurk::test
