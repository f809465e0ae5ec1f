// A live trace's clock offset from the segments matched so far
// (live/live_clock_offsets.h): decided on the first match as the stop
// pass's segment_evidence decides it, kept while later medians stay within
// the spread of the differences, moved when they leave it; segments seen
// twice in the trace (a retransmission) are no evidence, as in the stop pass.
#include <gtest/gtest.h>

#include "live/live_clock_offsets.h"

namespace lurk::live {
namespace {

constexpr int64_t kSource = 3;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kBoot = 1'795'000'000'000'000'000;  // the capture's clock at the trace's 0

std::vector<TracedSegment::Frame> frame_at(int64_t ts_ns) { return {{100, ts_ns}}; }

TEST(LiveClockOffsets, NothingBeforeASegmentMatchesAFrame) {
  LiveClockOffsets offsets;
  EXPECT_FALSE(offsets.decide(kSource));
  offsets.add(kSource, "syn", 5 * kMs, 0x02, {});  // a segment no capture saw
  EXPECT_FALSE(offsets.decide(kSource));
  EXPECT_FALSE(offsets.offset(kSource));
}

TEST(LiveClockOffsets, TheFirstMatchesDecideTheMedian) {
  LiveClockOffsets offsets;
  offsets.add(kSource, "a", 1 * kMs, 0x10, frame_at(kBoot + 1 * kMs + 20'000));
  offsets.add(kSource, "b", 2 * kMs, 0x10, frame_at(kBoot + 2 * kMs + 30'000));
  offsets.add(kSource, "c", 3 * kMs, 0x10, frame_at(kBoot + 3 * kMs + 90'000));
  auto d = offsets.decide(kSource);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->offset_ns, kBoot + 30'000);
  EXPECT_EQ(d->evidence.how, "tcp-segments");
  EXPECT_EQ(d->evidence.text, "3 segments matched to captured frames, median deviation 0.010 ms");
  offsets.applied(kSource, d->offset_ns);
  EXPECT_FALSE(offsets.decide(kSource)) << "the same evidence decides nothing new";
}

TEST(LiveClockOffsets, AMedianWithinTheSpreadKeepsTheOffset) {
  LiveClockOffsets offsets;
  offsets.add(kSource, "a", 1 * kMs, 0x10, frame_at(kBoot + 1 * kMs + 20'000));
  offsets.add(kSource, "b", 2 * kMs, 0x10, frame_at(kBoot + 2 * kMs + 30'000));
  offsets.add(kSource, "c", 3 * kMs, 0x10, frame_at(kBoot + 3 * kMs + 90'000));
  offsets.applied(kSource, offsets.decide(kSource)->offset_ns);
  // The median moves to +40 us, 10 us from the applied +30 us, while the
  // differences (20, 30, 35, 40, 90, 95 us) deviate from it by 20 us (median).
  offsets.add(kSource, "d", 4 * kMs, 0x10, frame_at(kBoot + 4 * kMs + 40'000));
  offsets.add(kSource, "e", 5 * kMs, 0x10, frame_at(kBoot + 5 * kMs + 95'000));
  offsets.add(kSource, "f", 6 * kMs, 0x10, frame_at(kBoot + 6 * kMs + 35'000));
  EXPECT_FALSE(offsets.decide(kSource));
  EXPECT_EQ(*offsets.offset(kSource), kBoot + 30'000);
}

TEST(LiveClockOffsets, AMedianBeyondTheSpreadMovesIt) {
  LiveClockOffsets offsets;
  offsets.add(kSource, "a", 1 * kMs, 0x10, frame_at(kBoot + 1 * kMs));
  offsets.applied(kSource, offsets.decide(kSource)->offset_ns);
  // The clocks drift apart: every later segment says 2 ms more.
  for (int i = 2; i <= 4; ++i)
    offsets.add(kSource, "s" + std::to_string(i), i * kMs, 0x10, frame_at(kBoot + i * kMs + 2 * kMs));
  auto d = offsets.decide(kSource);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->offset_ns, kBoot + 2 * kMs);
}

// A decision reads every matched segment: after one, the next waits until
// they have doubled (3 applied, 6 decide again).
TEST(LiveClockOffsets, DecidesAgainOnceTheMatchedSegmentsDoubled) {
  LiveClockOffsets offsets;
  offsets.add(kSource, "a", 1 * kMs, 0x10, frame_at(kBoot + 1 * kMs));
  offsets.add(kSource, "b", 2 * kMs, 0x10, frame_at(kBoot + 2 * kMs));
  offsets.add(kSource, "c", 3 * kMs, 0x10, frame_at(kBoot + 3 * kMs + 10 * kMs));
  offsets.applied(kSource, offsets.decide(kSource)->offset_ns);
  EXPECT_EQ(*offsets.offset(kSource), kBoot);
  // Differences 0, 0, 10, 10, 10 ms: the median is 10 ms now, but 5 < 6.
  offsets.add(kSource, "d", 4 * kMs, 0x10, frame_at(kBoot + 4 * kMs + 10 * kMs));
  offsets.add(kSource, "e", 5 * kMs, 0x10, frame_at(kBoot + 5 * kMs + 10 * kMs));
  EXPECT_FALSE(offsets.decide(kSource));
  offsets.add(kSource, "f", 6 * kMs, 0x10, frame_at(kBoot + 6 * kMs + 10 * kMs));
  auto d = offsets.decide(kSource);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->offset_ns, kBoot + 10 * kMs);
}

TEST(LiveClockOffsets, ASegmentSeenTwiceIsNoEvidence) {
  LiveClockOffsets offsets;
  offsets.add(kSource, "a", 1 * kMs, 0x10, frame_at(kBoot + 1 * kMs));
  offsets.add(kSource, "b", 2 * kMs, 0x10, frame_at(kBoot + 2 * kMs + 7 * kMs));
  offsets.add(kSource, "b", 3 * kMs, 0x10, frame_at(kBoot + 2 * kMs + 7 * kMs));  // sent again
  auto d = offsets.decide(kSource);
  ASSERT_TRUE(d);
  EXPECT_EQ(d->offset_ns, kBoot);
  EXPECT_EQ(d->evidence.text, "1 segments matched to captured frames, median deviation 0.000 ms");
  EXPECT_FALSE(offsets.decide(kSource + 1)) << "another source has no evidence";
}

TEST(LiveClockOffsets, OnlySynsAreHandshakeEvidence) {
  LiveClockOffsets offsets;
  offsets.add(kSource, "syn", 1 * kMs, 0x02, frame_at(kBoot + 1 * kMs));
  EXPECT_EQ(offsets.decide(kSource)->evidence.how, "handshake-isn");
}

}  // namespace
}  // namespace lurk::live
