// A live trace's clock offset from its connect/close labels so far
// (live/live_label_offsets.h): decided as the stop pass's label_evidence
// decides it on the same labels, weighed again only once the labels kept
// doubled, moved only beyond the spread of the labels that line up; labels
// that neither open nor close a connection are no evidence.
#include <gtest/gtest.h>

#include "live/live_label_offsets.h"

namespace lurk::live {
// Named, not anonymous: in a unity build this file shares a unit with
// live_clock_offsets_test.cpp, whose constants have the same names.
namespace label_offsets_test {

constexpr int64_t kSource = 4;
constexpr int64_t kMs = 1'000'000;
constexpr int64_t kBoot = 1'795'000'000'000'000'000;  // the capture's clock at the trace's 0

// Four connections at uneven times (evenly spaced ones would line up a
// label with the next connection as well as with its own): SYNs at 100, 250,
// 330 and 470 ms, first FINs at 140, 265, 390 and 495 ms.
CapturedEdges four_connections() {
  CapturedEdges e;
  for (int64_t ms : {100, 250, 330, 470}) e.syns.push_back(kBoot + ms * kMs);
  for (int64_t ms : {140, 265, 390, 495}) e.fins.push_back(kBoot + ms * kMs);
  return e;
}

TEST(LiveLabelOffsets, OneLabelAmongManyConnectionsDecidesNothing) {
  LiveLabelOffsets labels(four_connections());
  labels.add(kSource, "TCP connect", 100 * kMs);
  EXPECT_FALSE(labels.decide(kSource, std::nullopt)) << "any connection could be its SYN";
}

TEST(LiveLabelOffsets, OtherLabelsAreNoEvidence) {
  LiveLabelOffsets labels(four_connections());
  labels.add(kSource, "request", 100 * kMs);
  labels.add(kSource, "response", 200 * kMs);
  EXPECT_FALSE(labels.decide(kSource, std::nullopt));
}

TEST(LiveLabelOffsets, AConnectAndItsCloseDecideAsTheStopPass) {
  LiveLabelOffsets labels(four_connections());
  labels.add(kSource, "TCP connect", 100 * kMs + 1'000);
  labels.add(kSource, "TCP close", 140 * kMs + 1'000);
  auto d = labels.decide(kSource, std::nullopt);
  ASSERT_TRUE(d);
  auto stop = label_evidence(LabelTimes{{100 * kMs + 1'000}, {140 * kMs + 1'000}},
                             four_connections());
  ASSERT_TRUE(stop);
  EXPECT_EQ(d->offset_ns, stop->delta_ns);
  EXPECT_EQ(d->offset_ns, kBoot - 1'000);
  EXPECT_EQ(d->evidence.how, "labels");
  EXPECT_FALSE(labels.decide(kSource, d->offset_ns)) << "the same labels decide nothing new";
}

TEST(LiveLabelOffsets, WeighedAgainOnlyOnceTheLabelsDoubled) {
  LiveLabelOffsets labels(four_connections());
  labels.add(kSource, "TCP connect", 100 * kMs);
  labels.add(kSource, "TCP close", 140 * kMs);
  auto first = labels.decide(kSource, std::nullopt);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->offset_ns, kBoot);
  // The other connections' labels, each 3 ms early on the trace's clock.
  labels.add(kSource, "TCP connect", 247 * kMs);
  EXPECT_FALSE(labels.decide(kSource, first->offset_ns)) << "3 labels: not doubled";
  for (int64_t ms : {327, 467}) labels.add(kSource, "TCP connect", ms * kMs);
  for (int64_t ms : {262, 387, 492}) labels.add(kSource, "TCP close", ms * kMs);
  auto second = labels.decide(kSource, first->offset_ns);
  ASSERT_TRUE(second) << "8 labels: weighed again, and 6 of them say 3 ms more";
  auto stop = label_evidence(LabelTimes{{100 * kMs, 247 * kMs, 327 * kMs, 467 * kMs},
                                        {140 * kMs, 262 * kMs, 387 * kMs, 492 * kMs}},
                             four_connections());
  ASSERT_TRUE(stop);
  EXPECT_EQ(second->offset_ns, stop->delta_ns);
  EXPECT_EQ(second->offset_ns, kBoot + 3 * kMs);
}

TEST(LiveLabelOffsets, KeptWhenTheLaterEvidenceIsWithinTheSpread) {
  LiveLabelOffsets labels(four_connections());
  labels.add(kSource, "accept", 101 * kMs);  // its SYN 1 ms before
  labels.add(kSource, "close", 139 * kMs);   // its FIN 1 ms after
  auto first = labels.decide(kSource, std::nullopt);
  ASSERT_TRUE(first);
  EXPECT_EQ(first->offset_ns, kBoot + 1 * kMs);
  labels.add(kSource, "accept", 248 * kMs);  // 2 ms before its SYN
  labels.add(kSource, "close", 262 * kMs);   // 3 ms before its FIN
  auto stop = label_evidence(LabelTimes{{101 * kMs, 248 * kMs}, {139 * kMs, 262 * kMs}},
                             four_connections());
  ASSERT_TRUE(stop);
  EXPECT_EQ(stop->delta_ns, kBoot + 2 * kMs) << "the stop pass would say 1 ms more";
  EXPECT_FALSE(labels.decide(kSource, first->offset_ns))
      << "the labels line up 0-3 ms off, 1 ms their median: 1 ms is no better offset";
}

TEST(LabelEvidence, SpreadIsTheMedianDistanceOfTheLinedUpLabels) {
  LabelTimes t{{101 * kMs, 253 * kMs, 332 * kMs}, {}};
  EXPECT_EQ(label_spread(t, four_connections(), kBoot), 2 * kMs);
  EXPECT_EQ(label_spread(t, four_connections(), kBoot + 50 * kMs), 0) << "none lines up";
}

}  // namespace label_offsets_test
}  // namespace lurk::live
