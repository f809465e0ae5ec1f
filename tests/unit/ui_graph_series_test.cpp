// A connection's packets turned into the graphs' series: sequence numbers
// relative to the data direction's first one (across 32-bit wrap), ACK and
// window lines measured on the same line, retransmissions counted, and the
// same from a real pcap ingested into a profile (checked against SQL).
#include <gtest/gtest.h>

#include "capture_builder.h"
#include "core/stevens_series.h"
#include "net/analysis_flags.h"
#include "profile_fixture.h"

namespace lurk::ui {
namespace {

TEST(UiGraphSeries, UnwrapsSequenceNumbersAcrossTheWrap) {
  SequenceUnwrapper line(0xFFFFFF00u);
  EXPECT_EQ(line.relative(0xFFFFFF00u), 0);
  EXPECT_EQ(line.relative(0xFFFFFFF0u), 0xF0);
  EXPECT_EQ(line.relative(0x00000010u), 0x110);  // wrapped
  EXPECT_EQ(line.relative(0xFFFFFFF0u), 0xF0);   // an old segment again
}

TEST(UiGraphSeries, SplitsDataAndAckDirections) {
  const uint32_t isn = 0xFFFF0000u;  // 100 kB later it wraps
  std::vector<TcpSample> samples;
  auto add = [&](int64_t t, int dir, uint32_t seq, uint32_t ack, uint32_t len, uint8_t flags,
                 uint32_t analysis = 0, std::optional<int64_t> rtt = {}) {
    TcpSample s;
    s.t_ns = t;
    s.dir = uint8_t(dir);
    s.seq = seq;
    s.ack = ack;
    s.payload_len = len;
    s.tcp_flags = flags;
    s.analysis = analysis;
    s.window = 1000;
    s.rtt_ns = rtt;
    samples.push_back(s);
  };
  add(0, 1, 77, 0, 0, 0x02);                        // SYN from B (no data)
  add(10, 0, isn, 78, 0, 0x12);                     // SYN-ACK from A
  add(20, 1, 78, isn + 1, 0, 0x10, 0, 10);          // ACK with an RTT
  for (uint32_t k = 0; k < 100; ++k)                // A sends 100 x 1000 bytes, wrapping
    add(30 + k, 0, isn + 1 + 1000 * k, 78, 1000, 0x10);
  add(200, 0, isn + 1, 78, 1000, 0x10, kRetransmission);
  add(210, 1, 78, isn + 1 + 100000, 0, 0x10, 0, 180);

  ConnectionSeries s = ConnectionSeries::build(9, samples);
  EXPECT_EQ(s.connection_id(), 9);
  EXPECT_EQ(s.data_direction(), 0);
  ASSERT_EQ(s.segments().size(), 102u);  // SYN-ACK + 100 + the retransmission
  EXPECT_EQ(s.segments()[0].seq, 0);
  EXPECT_EQ(s.segments()[0].len, 1u);    // the SYN's sequence number
  EXPECT_EQ(s.segments()[100].seq, 1 + 99 * 1000);  // past the 32-bit wrap
  EXPECT_EQ(s.segments()[101].seq, 1);
  EXPECT_EQ(s.segments()[101].kind, MarkKind::Retransmission);
  EXPECT_EQ(s.retransmissions(), 1);
  EXPECT_EQ(s.max_seq(), 1 + 100 * 1000);
  EXPECT_EQ(s.cumulative_bytes().back(), 101000);
  ASSERT_EQ(s.ack_values().size(), 2u);
  EXPECT_EQ(s.ack_values()[0], 1);
  EXPECT_EQ(s.ack_values()[1], 100001);
  EXPECT_EQ(s.window_edges()[1], 101001);
  ASSERT_EQ(s.rtt_values().size(), 2u);
  EXPECT_EQ(s.rtt_values()[1], 180);
  EXPECT_EQ(s.segment_kind().query(0, 102).hi, double(MarkKind::Retransmission));
}

class UiGraphSeriesProfile : public lurk::test::ProfileTest {};

TEST_F(UiGraphSeriesProfile, LoadsAConnectionFromAnIngestedCapture) {
  using lurk::test::FrameSpec;
  std::vector<lurk::test::PcapRecord> records;
  int64_t t = 1'700'000'000'000'000'000;
  auto frame = [&](bool from_client, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len) {
    FrameSpec f;
    if (!from_client) {
      std::swap(f.src, f.dst);
      std::swap(f.src_port, f.dst_port);
    }
    f.seq = seq;
    f.ack = ack;
    f.flags = flags;
    f.payload_len = len;
    t += 1'000'000;
    records.push_back({t, lurk::test::build_tcp_frame(f), 0});
  };
  frame(true, 100, 0, 0x02, 0);
  frame(false, 5000, 101, 0x12, 0);
  frame(true, 101, 5001, 0x10, 0);
  for (uint32_t k = 0; k < 5; ++k) frame(false, 5001 + 500 * k, 101, 0x18, 500);
  frame(false, 5001, 101, 0x18, 500);  // the first data segment again
  frame(true, 101, 7501, 0x10, 0);
  ASSERT_NE(ingest("cap.pcap", lurk::test::build_pcap(records, {})).status,
            SourceOutcome::Status::Rejected);

  int64_t id = count("SELECT min(id) FROM connections");
  int64_t origin = count("SELECT min(ts_ns) FROM packets");
  ConnectionSeries s = ConnectionSeries::load(db(), id, origin);
  int server_dir = int(count("SELECT dir FROM packets WHERE payload_len > 0 LIMIT 1"));
  EXPECT_EQ(s.data_direction(), server_dir);
  EXPECT_EQ(int64_t(s.segments().size()),
            count("SELECT count(*) FROM packets WHERE dir = " + std::to_string(server_dir) +
                  " AND (payload_len > 0 OR tcp_flags & 3)"));
  EXPECT_EQ(s.retransmissions(),
            count("SELECT count(*) FROM packets WHERE dir = " + std::to_string(server_dir) +
                  " AND analysis & 7"));
  EXPECT_EQ(int64_t(s.rtt_values().size()),
            count("SELECT count(*) FROM packets WHERE rtt_ns IS NOT NULL"));
  EXPECT_EQ(s.max_seq(), 2501);  // SYN + 2500 bytes
  EXPECT_EQ(s.ack_values().back(), 2501);
  EXPECT_EQ(s.segment_times().front(), 1'000'000);  // relative to the origin
}

}  // namespace
}  // namespace lurk::ui
