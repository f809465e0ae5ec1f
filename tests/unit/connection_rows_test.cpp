// The connection tracker writes each connection's row once it has counts
// to write (at a flush or at the end) and updates it after: a connection's
// row holds its counts as of the last flush, its packets name its id from
// the start, and every connection has exactly one row. What plugs into the
// tracker (net/connection_observer.h) is told of each packet as written,
// with its analysis, and of each flush and the end.
#include <gtest/gtest.h>

#include "net/analysis_flags.h"
#include "net/connection_tracker.h"
#include "profile_fixture.h"
#include "storage/sqlite_handle.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

class ConnectionRowsTest : public ProfileTest {};

IpAddress ipv4(uint8_t last) {
  IpAddress a;
  a.bytes[0] = 10;
  a.bytes[3] = last;
  return a;
}

// Segment `frame` of a connection from 10.0.0.<client>:<port> to 10.0.0.1:80.
TcpSegment segment(int64_t frame, uint8_t client, uint16_t port, bool to_server, uint8_t flags,
                   uint32_t payload = 0) {
  TcpSegment s;
  s.frame = frame;
  s.ts_ns = 1000 * frame;
  s.wire_len = 60 + payload;
  s.src = to_server ? ipv4(client) : ipv4(1);
  s.dst = to_server ? ipv4(1) : ipv4(client);
  s.src_port = to_server ? port : 80;
  s.dst_port = to_server ? 80 : port;
  s.seq = to_server ? 1000 : 5000;
  s.flags = flags;
  s.payload_len = payload;
  return s;
}

TEST_F(ConnectionRowsTest, FlushWritesEachConnectionOnceThenUpdatesIt) {
  TraceWriter writer(db());
  SourceRow source{0, "x.pcap", "pcap", "h1", 1};
  writer.begin_source(source);
  ConnectionTracker tracker(writer, source.id);
  tracker.add(segment(1, 2, 4000, true, kSyn));
  tracker.add(segment(2, 3, 4001, true, kSyn));
  tracker.add(segment(3, 2, 4000, false, kSyn | kAck));
  tracker.flush();
  Database& file = writer.db();
  EXPECT_EQ(file.query_int("SELECT count(*) FROM connections"), 2);
  EXPECT_EQ(file.query_int("SELECT packets_ab + packets_ba FROM connections WHERE port_a = 4000"),
            2);
  EXPECT_EQ(file.query_int("SELECT count(*) FROM connections WHERE port_a = 4000 AND "
                           "state = 'established'"),
            1);
  // Packets name their connection's row from the first one on.
  EXPECT_EQ(file.query_int("SELECT count(*) FROM packets p JOIN connections c ON "
                           "c.id = p.connection_id"),
            3);

  tracker.add(segment(4, 2, 4000, true, kAck, 100));
  tracker.add(segment(5, 4, 4002, true, kSyn));  // a third, never flushed
  tracker.finish();
  writer.commit_source(source);
  EXPECT_EQ(count("SELECT count(*) FROM connections"), 3);
  EXPECT_EQ(count("SELECT packets_ab FROM connections WHERE port_a = 4000"), 2);
  EXPECT_EQ(count("SELECT bytes_ab FROM connections WHERE port_a = 4000"), 100);
  EXPECT_EQ(count("SELECT packets_ab FROM connections WHERE port_a = 4002"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM connections WHERE port_a = 4002 AND "
                  "state = 'handshake' AND first_ns = 5000"),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM packets p JOIN connections c ON c.id = p.connection_id"),
            5);
  EXPECT_EQ(count("SELECT count(DISTINCT id) FROM connections"), 3);
}

// Records what one connection's observer was told, in order.
struct ObserverLog {
  std::vector<std::string> events;
};

class RecordingObserver : public ConnectionObserver {
 public:
  RecordingObserver(ObserverLog& log, const ConnectionRow& row) : log_(log) {
    log_.events.push_back("start " + std::to_string(row.port_a) + " id " + std::to_string(row.id));
  }
  void packet_written(const PacketRow& p) override {
    log_.events.push_back("packet " + std::to_string(p.frame) + " conn " +
                          std::to_string(p.connection_id) + " dir " + std::to_string(p.dir) +
                          " analysis " + std::to_string(p.analysis));
  }
  void flushed() override { log_.events.push_back("flushed"); }
  void finished() override { log_.events.push_back("finished"); }

 private:
  ObserverLog& log_;
};

// Marks every packet it analyses: the observer must see the row after it.
class MarkingAnalyzer : public SegmentAnalyzer {
 public:
  void analyze(const TcpSegment&, int, PacketRow& row) override { row.analysis |= kZeroWindow; }
  std::string flags_json() const override { return "{\"marked\":1}"; }
};

TEST_F(ConnectionRowsTest, ObserversSeeEachWrittenPacketWithItsAnalysisThenFlushAndEnd) {
  TraceWriter writer(db());
  SourceRow source{0, "x.pcap", "pcap", "h1", 1};
  writer.begin_source(source);
  ObserverLog log;
  ConnectionPlugins plugins;
  plugins.make_analyzer = [] { return std::make_unique<MarkingAnalyzer>(); };
  plugins.make_observer = [&log](const ConnectionRow& row) {
    return std::make_unique<RecordingObserver>(log, row);
  };
  ConnectionTracker tracker(writer, source.id, std::move(plugins));
  tracker.add(segment(1, 2, 4000, true, kSyn));
  tracker.add(segment(2, 2, 4000, false, kSyn | kAck));
  tracker.flush();
  tracker.add(segment(3, 2, 4000, true, kAck));
  tracker.finish();
  writer.commit_source(source);
  int64_t id = count("SELECT id FROM connections");
  std::string conn = " conn " + std::to_string(id);
  std::string marked = " analysis " + std::to_string(uint32_t(kZeroWindow));
  EXPECT_EQ(log.events, (std::vector<std::string>{
                            "start 4000 id " + std::to_string(id),
                            "packet 1" + conn + " dir 0" + marked,
                            "packet 2" + conn + " dir 1" + marked,
                            "flushed",
                            "packet 3" + conn + " dir 0" + marked,
                            "finished",
                        }));
  Statement flags = db().prepare("SELECT flags_json FROM connections");
  ASSERT_TRUE(flags.step());
  EXPECT_EQ(flags.column_text(0), "{\"marked\":1}");
}

// Without plugins the tracker still writes connections and packets, with no
// analysis columns (lurk ingest --no-analysis's packets).
TEST_F(ConnectionRowsTest, WithoutPluginsPacketsCarryNoAnalysis) {
  TraceWriter writer(db());
  SourceRow source{0, "x.pcap", "pcap", "h1", 1};
  writer.begin_source(source);
  ConnectionTracker tracker(writer, source.id);
  tracker.add(segment(1, 2, 4000, true, kAck));
  tracker.add(segment(2, 2, 4000, true, kAck));
  tracker.finish();
  writer.commit_source(source);
  EXPECT_EQ(count("SELECT count(*) FROM packets WHERE analysis = 0"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM capture_findings"), 0);
}

// A connection's state says how it ended: a RST after both FINs were
// acknowledged is a closed socket answering a stray segment (the lab's
// duplicated segments do this), so the connection stays "closed" (with its
// RST counted); a RST before that, even after one FIN, ends it: "reset".
// Sequence numbers near 2^32 check the comparison wraps.
TEST_F(ConnectionRowsTest, ARstAfterTheCleanCloseLeavesTheConnectionClosed) {
  TraceWriter writer(db());
  SourceRow source{0, "x.pcap", "pcap", "h1", 1};
  writer.begin_source(source);
  ConnectionTracker tracker(writer, source.id);
  auto seg = [](int64_t frame, uint16_t port, bool to_server, uint8_t flags, uint32_t seq,
                uint32_t ack) {
    TcpSegment s = segment(frame, 2, port, to_server, flags);
    s.seq = seq;
    s.ack = ack;
    return s;
  };
  const uint32_t c = 0xFFFFFFF0u, v = 7000;  // the client's sequence numbers wrap
  for (uint16_t port : {4000, 4001}) {
    int64_t f = port == 4000 ? 0 : 100;
    tracker.add(seg(f + 1, port, true, kSyn, c, 0));
    tracker.add(seg(f + 2, port, false, kSyn | kAck, v, c + 1));
    tracker.add(seg(f + 3, port, true, kAck, c + 1, v + 1));
    tracker.add(seg(f + 4, port, true, kFin | kAck, c + 1, v + 1));  // ends at c + 2 (wrapped)
    if (port == 4000) {
      tracker.add(seg(f + 5, port, false, kFin | kAck, v + 1, c + 2));  // acks the client's FIN
      tracker.add(seg(f + 6, port, true, kAck, c + 2, v + 2));         // acks the server's FIN
    }
    tracker.add(seg(f + 7, port, false, kRst, port == 4000 ? v + 2 : v + 1, 0));
  }
  tracker.finish();
  writer.commit_source(source);
  Database& file = writer.db();
  EXPECT_EQ(file.query_int("SELECT count(*) FROM connections WHERE port_a = 4000 AND "
                           "state = 'closed' AND rst_seen = 1"),
            1);
  EXPECT_EQ(file.query_int("SELECT count(*) FROM connections WHERE port_a = 4001 AND "
                           "state = 'reset' AND rst_seen = 1"),
            1);
}

}  // namespace
}  // namespace lurk::test
