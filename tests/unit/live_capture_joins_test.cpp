// `lurk collect`'s per-batch flows from a thread to the packet its traced
// segment became (live/live_capture_joins.h) against what `lurk ingest`
// makes of the same rows (join/packet_flows.h, the stop pass's): after one
// live batch the flows are ingest's, row for row. The profiles here hold
// what the live code must tell apart: a pcap capture's frames, and another
// trace's own rows of the same segments (a CTF or Chrome trace's: packets
// that are no captured frames, made here by ingesting a JSONL trace and
// naming its source's format so); frames captured twice at the same time.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "capture_builder.h"
#include "importers/lurk_jsonl_stream.h"
#include "ingest/ingest_context.h"
#include "live/batch_rows.h"
#include "live/live_capture_joins.h"
#include "profile_fixture.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

constexpr int64_t kCaptureStart = 1'795'624'220'000'000'000;  // Unix time, ns
constexpr int64_t kBootStart = 5'000'000'000;                   // a boot clock's time, ns

// The client 10.0.0.1:40000 talks to 10.0.0.2:80: handshake, one data segment.
struct Segment {
  bool from_client;
  uint32_t seq, ack;
  uint8_t flags;
  uint32_t len;
  int64_t at_ns;  // after the start
  const char* flag_names;
};
const Segment kSegments[] = {
    {true, 1000, 0, 0x02, 0, 0, "[\"SYN\"]"},
    {false, 5000, 1001, 0x12, 0, 1'000'000, "[\"SYN\",\"ACK\"]"},
    {true, 1001, 5001, 0x10, 0, 2'000'000, "[\"ACK\"]"},
    {true, 1001, 5001, 0x18, 100, 3'000'000, "[\"PSH\",\"ACK\"]"},
};

// The capture, its data segment captured `copies` times at the same time.
std::vector<uint8_t> capture(int copies) {
  std::vector<PcapRecord> records;
  for (const Segment& s : kSegments) {
    for (int i = 0; i < (s.len ? copies : 1); ++i) {
      PcapRecord r;
      r.ts_ns = kCaptureStart + s.at_ns + 40'000;  // the capture sees a segment 40 us later
      r.data = build_tcp_frame(exchange_spec(s.from_client, s.seq, s.ack, s.flags, s.len));
      records.push_back(std::move(r));
    }
  }
  PcapOptions options;
  options.nanoseconds = true;
  return build_pcap(records, options);
}

// The stack's trace of the same segments; with `thread`, each names it.
std::string trace(bool unix_clock, bool thread) {
  std::string out = std::string("{\"lurk\":\"jsonl\",\"version\":1,\"clock\":\"") +
                    (unix_clock ? "unix-ns" : "boot-ns") + "\"}\n";
  int64_t start = unix_clock ? kCaptureStart : kBootStart;
  out += "{\"t\":\"thread_start\",\"ts\":" + std::to_string(start - 1'000'000) +
         ",\"thread\":\"c\"}\n";
  for (const Segment& s : kSegments) {
    out += "{\"t\":\"tcp\",\"ts\":" + std::to_string(start + s.at_ns) +
           ",\"laddr\":\"10.0.0.1\",\"lport\":40000,\"raddr\":\"10.0.0.2\",\"rport\":80" +
           ",\"dir\":\"" +
           (s.from_client ? "tx" : "rx") + "\",\"seq\":" + std::to_string(s.seq) +
           ",\"ack\":" + std::to_string(s.ack) + ",\"len\":" + std::to_string(s.len) +
           ",\"flags\":" + s.flag_names + ",\"window\":1000" +
           (thread ? ",\"thread\":\"c\"" : "") + "}\n";
  }
  return out;
}

// Each flow from or to a thread at a packet, by what it says (not by ids):
// its kind, thread, times, and the packet it ends at: whose, when, which.
const char* const kFlows =
    "SELECT f.kind || ' ' || coalesce(ft.ext_id, '-') || ' ' || coalesce(tt.ext_id, '-') || ' ' || "
    "f.from_ns || ' ' || f.to_ns || ' ' || s.format || ' ' || p.ts_ns || ' ' || p.seq || ' ' || "
    "p.id FROM flows f JOIN packets p ON p.id = f.packet_id JOIN sources s ON s.id = p.source_id "
    "LEFT JOIN threads ft ON ft.id = f.from_thread LEFT JOIN threads tt ON tt.id = f.to_thread "
    "ORDER BY 1";

std::vector<std::string> flows_of(Database& db) {
  std::vector<std::string> out;
  Statement s = db.prepare(kFlows);
  while (s.step()) out.push_back(s.column_text(0));
  return out;
}

class LiveCaptureJoinsTest : public ProfileTest {
 protected:
  // The profile's content at the collector's start, ingested into `db`:
  // the capture (unless `copies` is 0) and another trace's own segments
  // (`other`: stored as a trace format that is no capture).
  static void ingest_start(Database& db, int copies, bool other) {
    if (copies > 0) {
      std::vector<uint8_t> pcap = capture(copies);
      ingest_buffer(db, "run.pcap", pcap.data(), pcap.size());
    }
    if (other) {
      std::vector<uint8_t> jsonl = bytes_of(trace(true, false));
      ingest_buffer(db, "other", jsonl.data(), jsonl.size());
      db.exec("UPDATE sources SET format = 'ctf' WHERE path = 'other'");
      db.exec("UPDATE connections SET same_as = NULL WHERE source_id = "
              "(SELECT id FROM sources WHERE path = 'other')");
    }
  }

  // `text` collected into the profile in one batch, as `lurk collect` does
  // it: the analysis made under the write lock, run in the batch.
  void collect(const std::string& text) {
    db().exec("PRAGMA journal_mode = WAL");
    TraceWriter writer(db());
    live::BatchRowLog rows(db());
    std::unique_ptr<live::LiveCaptureJoins> joins;
    writer.begin_live([&] { joins = std::make_unique<live::LiveCaptureJoins>(db()); });
    SourceRow source;
    source.path = "stack";
    source.format = "lurk-jsonl";
    source.content_hash = "live-test:stack";
    writer.add_live_source(source);
    IngestContext ctx(writer, source);
    LurkJsonlStream stream(ctx);
    writer.use_source(source.id);
    stream.feed(text.data(), text.size());
    stream.flush();
    writer.commit_batch({&source}, false, [&] {
      std::vector<live::LiveCaptureJoins::OffsetChange> offsets;
      joins->update(rows.take(), offsets);
    });
    writer.commit_batch({&source}, true);
  }

  // What `lurk ingest` makes of the same content and trace.
  std::vector<std::string> ingested_flows(int copies, bool other, const std::string& text) {
    Database db(temp_path("ingested.lurk"), Database::Mode::ReadWriteCreate);
    ingest_start(db, copies, other);
    std::vector<uint8_t> jsonl = bytes_of(text);
    ingest_buffer(db, "stack", jsonl.data(), jsonl.size());
    return flows_of(db);
  }

  int64_t flows_at(const std::string& format) {
    return count("SELECT count(*) FROM flows f JOIN packets p ON p.id = f.packet_id "
                 "JOIN sources s ON s.id = p.source_id WHERE s.format = '" + format + "'");
  }
};

// Another trace's own packet rows are no captured frames: the flows end at
// the capture's frames, as the stop pass's do, although the other trace's
// rows are nearer in time (the same times as this trace's).
TEST_F(LiveCaptureJoinsTest, FlowsEndAtCapturedFramesNotAtAnotherTracesRows) {
  ingest_start(db(), 1, true);
  std::string text = trace(true, true);
  collect(text);
  EXPECT_EQ(flows_at("pcap"), 4);
  EXPECT_EQ(flows_at("ctf"), 0);
  EXPECT_EQ(flows_of(db()), ingested_flows(1, true, text));
}

// With no capture in the profile, only another trace's rows, a trace on a
// clock of its own has nothing to wait for: its flows end at its own rows,
// written live, as `lurk ingest` writes them.
TEST_F(LiveCaptureJoinsTest, WithoutACaptureATraceOnItsOwnClockGetsItsFlowsLive) {
  ingest_start(db(), 0, true);
  std::string text = trace(false, true);
  collect(text);
  EXPECT_EQ(flows_at("lurk-jsonl"), 4);
  EXPECT_EQ(flows_of(db()), ingested_flows(0, true, text));
}

// A segment captured many times at the same time: its flow ends at the
// first captured (the lowest row id), live and in the stop pass alike.
TEST_F(LiveCaptureJoinsTest, FramesOfTheSameTimeAreTakenInCaptureOrder) {
  constexpr int kCopies = 40;  // more than std::sort sorts by insertion
  ingest_start(db(), kCopies, false);
  std::string text = trace(true, true);
  collect(text);
  int64_t first = count("SELECT min(id) FROM packets WHERE payload_len = 100 AND source_id = "
                        "(SELECT id FROM sources WHERE format = 'pcap')");
  EXPECT_EQ(count("SELECT count(*) FROM flows WHERE packet_id = " + std::to_string(first)), 1);
  EXPECT_EQ(flows_of(db()), ingested_flows(kCopies, false, text));
}

}  // namespace
}  // namespace lurk::test
