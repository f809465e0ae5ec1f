// UnackedSegments stops at the first segment an ACK does not cover while the
// segments are in sequence order, and walks them all (as Wireshark does)
// otherwise: on any sequence of sends and ACKs, with retransmissions, partial
// ACKs, old ACKs and sequence-number wrap, it must give the same RTT samples
// and keep the same segments as the walk over everything.
#include <gtest/gtest.h>

#include <random>

#include "analysis/unacked_segments.h"

namespace lurk::test {
namespace {

TEST(UnackedSegments, InOrderAckTakesTheCoveredPrefixAndTrimsAPartialOne) {
  UnackedSegments sent;
  sent.add({1, 100, 200, 1'000});
  sent.add({2, 200, 300, 2'000});
  sent.add({3, 300, 400, 3'000});
  EXPECT_EQ(sent.take_acked(250, 10'000), std::nullopt);  // 1 gone, 2 trimmed to 250..300
  EXPECT_EQ(sent.size(), 2u);
  EXPECT_EQ(sent.take_acked(300, 12'000), std::optional<int64_t>(10'000));
  EXPECT_EQ(sent.take_acked(100, 13'000), std::nullopt);  // an old ACK covers nothing
  EXPECT_EQ(sent.size(), 1u);
}

TEST(UnackedSegments, SameAnswersAsTheFullWalkOnRandomTraffic) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    UnackedSegments fast, walk;
    uint32_t next = 0xFFFFF000u + uint32_t(rng() % 8192);  // wraps within the round
    uint32_t acked = next;
    int64_t ts = 0;
    for (int step = 0; step < 300; ++step) {
      ts += 1 + rng() % 100;
      unsigned what = rng() % 10;
      if (what < 5) {  // new data
        uint32_t len = 1 + rng() % 1500;
        UnackedSegment s{step, next, next + len, ts};
        fast.add(s);
        walk.add(s);
        next += len;
      } else if (what < 7 && next != acked) {  // retransmit from the last ACK
        uint32_t len = 1 + rng() % (next - acked);
        UnackedSegment s{step, acked, acked + len, ts};
        fast.add(s);
        walk.add(s);
      } else {  // an ACK: new, partial, repeated or old
        uint32_t span = next - acked;
        uint32_t ack = acked + (span ? rng() % (span + 1) : 0);
        if (rng() % 8 == 0) ack = acked - rng() % 3000;
        ASSERT_EQ(fast.take_acked(ack, ts), walk.take_acked_walking_all(ack, ts))
            << "round " << round << " step " << step;
        ASSERT_EQ(fast.size(), walk.size()) << "round " << round << " step " << step;
        if (int32_t(ack - acked) > 0) acked = ack;
      }
    }
  }
}

}  // namespace
}  // namespace lurk::test
