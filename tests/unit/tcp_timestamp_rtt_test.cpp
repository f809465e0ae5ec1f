// Timestamp RTT samples (docs/tcp-analysis.md "Timestamp RTT"): a TSecr
// echoing a TSval first seen at time t gives the sample now - t, once per
// TSval; only with ACK set; TSvals wrap modulo 2^32. Hand-built segments fed
// to a TcpAnalyzer, then raw timestamp options through the whole ingest path
// into packets.ts_rtt_ns.
#include <gtest/gtest.h>

#include "analysis/tcp_analyzer.h"
#include "capture_builder.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

constexpr int kRttClient = 0, kRttServer = 1;

class TimestampConversation {
 public:
  // Sends one segment `gap_ns` after the previous one; returns its sample.
  std::optional<int64_t> send(int dir, uint32_t ts_val, std::optional<uint32_t> ts_ecr,
                              uint8_t flags = kAck, int64_t gap_ns = 1'000'000,
                              uint32_t len = 0) {
    TcpSegment s;
    s.frame = ++frame_;
    now_ += gap_ns;
    s.ts_ns = now_;
    s.seq = seq_[dir];
    s.ack = seq_[1 - dir];
    s.flags = flags;
    s.window = 1000;
    s.payload_len = len;
    seq_[dir] += len + ((flags & (kSyn | kFin)) ? 1 : 0);
    s.options.ts_val = ts_val;
    s.options.ts_ecr = ts_ecr;
    return analyzer_.run(s, dir).ts_rtt_ns;
  }

 private:
  TcpAnalyzer analyzer_;
  int64_t frame_ = 0, now_ = 1'000'000'000;
  uint32_t seq_[2] = {1000, 5000};
};

TEST(TcpTimestampRtt, HandshakeEchoesGiveSamplesButTheSynEchoDoesNot) {
  TimestampConversation c;
  EXPECT_FALSE(c.send(kRttClient, 100, 0, kSyn, 1'000'000));      // SYN: TSecr not valid
  EXPECT_EQ(c.send(kRttServer, 700, 100, kSyn | kAck, 3'000'000), 3'000'000);
  EXPECT_EQ(c.send(kRttClient, 101, 700, kAck, 2'000'000), 2'000'000);
}

TEST(TcpTimestampRtt, ATsvalRepeatedOverSegmentsCountsFromItsFirstSegment) {
  TimestampConversation c;
  c.send(kRttClient, 100, 0, kAck, 0, 100);
  c.send(kRttClient, 100, 0, kAck, 4'000'000, 100);  // same clock tick
  EXPECT_EQ(c.send(kRttServer, 700, 100, kAck, 1'000'000), 5'000'000);
}

TEST(TcpTimestampRtt, OnceForEachTsval) {
  TimestampConversation c;
  c.send(kRttClient, 100, 0, kAck, 0, 100);
  EXPECT_EQ(c.send(kRttServer, 700, 100, kAck, 2'000'000), 2'000'000);
  EXPECT_FALSE(c.send(kRttServer, 701, 100, kAck, 2'000'000));  // the same echo again
  // A later segment carrying the already echoed TSval is not a new one.
  c.send(kRttClient, 100, 701, kAck, 1'000'000, 100);
  EXPECT_FALSE(c.send(kRttServer, 702, 100, kAck, 1'000'000));
}

TEST(TcpTimestampRtt, EchoOfANewerTsvalRetiresOlderOnes) {
  TimestampConversation c;
  c.send(kRttClient, 100, 0, kAck, 0, 100);
  c.send(kRttClient, 101, 0, kAck, 1'000'000, 100);
  c.send(kRttClient, 102, 0, kAck, 1'000'000, 100);
  EXPECT_EQ(c.send(kRttServer, 700, 101, kAck, 1'000'000), 2'000'000);  // delayed ACK of 101
  EXPECT_FALSE(c.send(kRttServer, 701, 100, kAck, 1'000'000));          // 100 is retired
  EXPECT_EQ(c.send(kRttServer, 702, 102, kAck, 1'000'000), 3'000'000);
}

TEST(TcpTimestampRtt, EchoOfATsvalNeverSeenGivesNoSample) {
  TimestampConversation c;
  c.send(kRttClient, 100, 0, kAck, 0, 100);
  EXPECT_FALSE(c.send(kRttServer, 700, 99, kAck, 1'000'000));
  EXPECT_FALSE(c.send(kRttServer, 701, 150, kAck, 1'000'000));
  EXPECT_EQ(c.send(kRttServer, 702, 100, kAck, 1'000'000), 3'000'000);  // still waiting
}

TEST(TcpTimestampRtt, WithoutAckTheEchoIsIgnored) {
  TimestampConversation c;
  c.send(kRttClient, 100, 0, kAck, 0, 100);
  EXPECT_FALSE(c.send(kRttServer, 700, 100, kRst, 1'000'000));
}

TEST(TcpTimestampRtt, TsvalsWrapModulo2To32) {
  TimestampConversation c;
  c.send(kRttClient, 0xFFFFFFFF, 0, kAck, 0, 100);
  c.send(kRttClient, 2, 0, kAck, 1'000'000, 100);  // after 0xFFFFFFFF
  EXPECT_EQ(c.send(kRttServer, 700, 2, kAck, 1'000'000), 1'000'000);
  EXPECT_FALSE(c.send(kRttServer, 701, 0xFFFFFFFF, kAck, 1'000'000));  // retired by the echo of 2
}

// Raw option bytes: NOP, NOP, timestamp (kind 8, length 10, TSval, TSecr).
std::vector<uint8_t> timestamp_option(uint32_t ts_val, uint32_t ts_ecr) {
  std::vector<uint8_t> o = {1, 1, 8, 10};
  for (uint32_t v : {ts_val, ts_ecr})
    for (int shift = 24; shift >= 0; shift -= 8) o.push_back(uint8_t(v >> shift));
  return o;
}

class TimestampRttIngestTest : public ProfileTest {};

TEST_F(TimestampRttIngestTest, StoredInPacketsBesideAckRtt) {
  std::vector<PcapRecord> records;
  int64_t now = 1'700'000'000'000'000'000;
  auto add = [&](bool client, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len,
                 uint32_t ts_val, uint32_t ts_ecr, int64_t gap_ns) {
    FrameSpec s = exchange_spec(client, seq, ack, flags, len);
    s.tcp_options = timestamp_option(ts_val, ts_ecr);
    now += gap_ns;
    records.push_back({now, build_tcp_frame(s)});
  };
  add(true, 100, 0, 0x02, 0, 10, 0, 0);                 // 1 SYN
  add(false, 500, 101, 0x12, 0, 900, 10, 4'000'000);     // 2 SYN/ACK: 4 ms
  add(true, 101, 501, 0x10, 0, 11, 900, 1'000'000);      // 3 ACK: 1 ms
  add(true, 101, 501, 0x18, 100, 11, 900, 1'000'000);    // 4 data, TSval 11 (seen in 3)
  add(false, 501, 201, 0x10, 0, 901, 11, 5'000'000);     // 5 ACK: TS 6 ms from 3, ACK 5 ms
  ASSERT_EQ(ingest("ts", build_pcap(records, {})).status, SourceOutcome::Status::Complete);
  EXPECT_EQ(text("SELECT group_concat(coalesce(ts_rtt_ns, '-'), ' ') FROM "
                 "(SELECT ts_rtt_ns FROM packets ORDER BY frame)"),
            "- 4000000 1000000 - 6000000");
  EXPECT_EQ(count("SELECT rtt_ns FROM packets WHERE frame = 5"), 5'000'000);
}

}  // namespace
}  // namespace lurk::test
