// Level of detail of the UI's lanes (wasm-ui/core/mark_merging,
// severity_pyramid): merged blocks keep the worst kind, never lose a mark,
// and the number of blocks follows the pixels, not the number of marks.
#include <gtest/gtest.h>

#include <random>

#include "core/mark_merging.h"
#include "core/severity_pyramid.h"

namespace lurk::ui {
namespace {

TEST(SeverityPyramid, MaxOverEveryRangeMatchesALinearScan) {
  std::mt19937 rng(7);
  for (size_t n : {1u, 2u, 3u, 7u, 64u, 100u, 1000u}) {
    std::vector<uint8_t> values(n);
    for (auto& v : values) v = uint8_t(rng() % 10);
    SeverityPyramid p;
    p.build(values);
    for (int trial = 0; trial < 300; ++trial) {
      size_t a = rng() % (n + 1), b = rng() % (n + 1);
      if (a > b) std::swap(a, b);
      uint8_t expected = 0;
      for (size_t i = a; i < b; ++i) expected = std::max(expected, values[i]);
      ASSERT_EQ(p.max(a, b), expected) << "n=" << n << " [" << a << "," << b << ")";
    }
  }
}

// What the lane store keeps (levels()) and gives back (adopt()) is the same
// pyramid; levels of other sizes are refused, leaving it empty.
TEST(SeverityPyramid, KeptLevelsAreAdoptedAsTheSamePyramid) {
  std::mt19937 rng(11);
  for (size_t n : {0u, 1u, 2u, 5u, 64u, 1001u}) {
    std::vector<uint8_t> values(n);
    for (auto& v : values) v = uint8_t(rng() % 10);
    SeverityPyramid built;
    built.build(values);
    ASSERT_EQ(built.levels().size(), SeverityPyramid::level_sizes(n).size()) << n;
    for (size_t i = 0; i < built.levels().size(); ++i)
      ASSERT_EQ(built.levels()[i].size(), SeverityPyramid::level_sizes(n)[i]) << n << " level " << i;
    SeverityPyramid kept;
    ASSERT_TRUE(kept.adopt(built.levels())) << n;
    EXPECT_EQ(kept.memory_bytes(), built.memory_bytes());
    for (size_t a = 0; a <= n; a += 1 + n / 40)
      for (size_t b = a; b <= n; b += 1 + n / 30) ASSERT_EQ(kept.max(a, b), built.max(a, b)) << n;
    if (n < 2) continue;
    std::vector<std::vector<uint8_t>> short_level = built.levels();
    short_level[1].pop_back();
    EXPECT_FALSE(kept.adopt(short_level)) << n;
    EXPECT_EQ(kept.size(), 0u);
    std::vector<std::vector<uint8_t>> missing_top = built.levels();
    missing_top.pop_back();
    EXPECT_FALSE(kept.adopt(missing_top)) << n;
  }
  EXPECT_FALSE(SeverityPyramid().adopt({}));
}

struct Lane {
  std::vector<int64_t> t;
  SeverityPyramid severity;
  std::vector<uint8_t> kinds;
  void finish() { severity.build(kinds); }
};

std::vector<MarkBlock> merge(const Lane& lane, const TimeWindow& w, float width) {
  PixelMapping map{w, 0, width};
  return merge_points(lane.t.size(), [&](size_t i) { return lane.t[i]; }, lane.severity, map);
}

TEST(MergePoints, CloseMarksFoldIntoOneBlockWithTheWorstKind) {
  Lane lane;
  // 1000 ns per pixel: marks 1 px apart merge, a mark 50 px away does not.
  lane.t = {10'000, 11'000, 12'000, 13'000, 60'000};
  lane.kinds = {0, uint8_t(MarkKind::Retransmission), 0, uint8_t(MarkKind::DuplicateAck), 0};
  lane.finish();
  TimeWindow w;
  w.set(0, 1'000'000);
  auto blocks = merge(lane, w, 1000);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].count, 4u);
  EXPECT_EQ(blocks[0].kind, MarkKind::Retransmission);
  EXPECT_EQ(blocks[1].count, 1u);
  EXPECT_EQ(blocks[1].first, 4u);
  EXPECT_EQ(blocks[1].kind, MarkKind::Normal);
  // Zoomed in 100x, every mark stands alone.
  w.set(0, 100'000);
  blocks = merge(lane, w, 10000);
  EXPECT_EQ(blocks.size(), 5u);
}

TEST(MergePoints, AnExceptionAmongAMillionMarksSurvivesFullZoomOut) {
  Lane lane;
  const size_t n = 1'000'000;
  lane.t.resize(n);
  lane.kinds.assign(n, 0);
  for (size_t i = 0; i < n; ++i) lane.t[i] = int64_t(i) * 1000;
  lane.kinds[777'777] = uint8_t(MarkKind::Exception);
  lane.finish();
  TimeWindow w;
  w.set(0, double(n) * 1000);
  auto blocks = merge(lane, w, 1200);
  // Blocks follow the pixels: never more than one per merge distance.
  EXPECT_LE(blocks.size(), size_t(1200 / kMergeDistancePx) + 2);
  uint64_t total = 0;
  int exceptions = 0;
  for (const MarkBlock& b : blocks) {
    total += b.count;
    if (b.kind == MarkKind::Exception) {
      ++exceptions;
      EXPECT_LE(b.first, 777'777u);
      EXPECT_GT(b.first + b.count, 777'777u);
    }
  }
  EXPECT_EQ(total, n) << "every mark is in exactly one block";
  EXPECT_EQ(exceptions, 1);
}

TEST(MergePoints, OnlyMarksNearTheWindowAreVisited) {
  Lane lane;
  for (int i = 0; i < 100; ++i) lane.t.push_back(i * 1'000'000);
  lane.kinds.assign(100, 0);
  lane.finish();
  TimeWindow w;
  w.set(10'500'000, 12'500'000);  // holds the marks at 11 and 12 ms
  auto blocks = merge(lane, w, 1000);
  ASSERT_EQ(blocks.size(), 2u);
  EXPECT_EQ(blocks[0].first, 11u);
  EXPECT_EQ(blocks[1].first, 12u);
}

TEST(MergeIntervals, WideSpansStaySingleAndNarrowRunsFold) {
  // One wide span, then 50 narrow spans 10 ns apart, then a wide one.
  std::vector<std::pair<int64_t, int64_t>> spans = {{0, 400'000}};
  for (int i = 0; i < 50; ++i) spans.push_back({500'000 + i * 10, 500'000 + i * 10 + 5});
  spans.push_back({600'000, 900'000});
  TimeWindow w;
  w.set(0, 1'000'000);
  PixelMapping map{w, 0, 1000};  // 1000 ns per pixel
  auto blocks = merge_intervals(
      spans.size(), [&](size_t i) { return spans[i].first; },
      [&](size_t i) { return spans[i].second; }, map);
  ASSERT_EQ(blocks.size(), 3u);
  EXPECT_EQ(blocks[0].count, 1u);
  EXPECT_EQ(blocks[1].count, 50u);
  EXPECT_EQ(blocks[1].first, 1u);
  EXPECT_EQ(blocks[2].count, 1u);
  EXPECT_EQ(blocks[2].first, 51u);
  EXPECT_NEAR(blocks[2].x0, 600, 0.01);
  EXPECT_NEAR(blocks[2].x1, 900, 0.01);
}

}  // namespace
}  // namespace lurk::ui
