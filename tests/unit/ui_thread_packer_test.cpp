// The thread layout packer (wasm-ui/core/thread_packer): no two threads of a
// row overlap in time, the same input always gives the same rows, a child
// takes its parent's row when that row is free there, a thread that another
// became continues on its row, crowded rows send threads down, and bad
// creation trees (cycles, self-parents) still place every thread.
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/thread_packer.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;

// Every pair of threads on one row is disjoint (inclusive lifetimes).
void expect_no_overlap(const std::vector<PackThread>& threads, const ThreadPacking& p) {
  ASSERT_EQ(p.row_of.size(), threads.size());
  std::vector<std::vector<std::pair<int64_t, int64_t>>> rows(p.rows);
  for (size_t i = 0; i < threads.size(); ++i) {
    ASSERT_LT(p.row_of[i], p.rows);
    rows[p.row_of[i]].push_back({threads[i].t0_ns, std::max(threads[i].t0_ns, threads[i].t1_ns)});
  }
  for (auto& row : rows) {
    std::sort(row.begin(), row.end());
    for (size_t i = 1; i < row.size(); ++i)
      ASSERT_LT(row[i - 1].second, row[i].first) << "row overlap at " << row[i].first;
  }
}

std::vector<PackThread> random_tree(size_t n, uint32_t seed) {
  std::mt19937_64 rng(seed);
  std::vector<PackThread> threads(n);
  for (size_t i = 0; i < n; ++i) {
    PackThread& t = threads[i];
    t.t0_ns = int64_t(rng() % 1'000'000);
    t.t1_ns = t.t0_ns + int64_t(rng() % 20'000);
    if (i > 0 && rng() % 4 != 0) t.parent = int32_t(rng() % i);
    if (i > 0 && rng() % 10 == 0) t.became = int32_t(rng() % i);
  }
  return threads;
}

TEST(UiThreadPacker, RowsNeverOverlapAndArePacked) {
  std::vector<PackThread> threads = random_tree(5000, 7);
  ThreadPacking p = pack_threads(threads);
  expect_no_overlap(threads, p);
  // Far fewer rows than threads: the random lifetimes overlap at most ~ a few dozen at once.
  size_t max_live = 0;
  std::vector<std::pair<int64_t, int>> edges;
  for (const PackThread& t : threads) {
    edges.push_back({t.t0_ns, 1});
    edges.push_back({t.t1_ns + 1, -1});
  }
  std::sort(edges.begin(), edges.end(), [](auto a, auto b) {
    return a.first != b.first ? a.first < b.first : a.second < b.second;
  });
  int live = 0;
  for (auto [t, d] : edges) max_live = std::max<size_t>(max_live, size_t(live += d));
  // No packing can use fewer rows than threads alive at once, and placing by
  // start time opens a row only when every row is busy: exactly that many.
  EXPECT_EQ(p.rows, max_live);
}

TEST(UiThreadPacker, SameInputSameRows) {
  std::vector<PackThread> threads = random_tree(2000, 11);
  ThreadPacking a = pack_threads(threads), b = pack_threads(threads);
  EXPECT_EQ(a.row_of, b.row_of);
  EXPECT_EQ(a.rows, b.rows);
}

TEST(UiThreadPacker, SequentialThreadsShareOneRow) {
  std::vector<PackThread> threads;
  for (int i = 0; i < 100; ++i) threads.push_back({i * 10, i * 10 + 5, -1, -1});
  ThreadPacking p = pack_threads(threads);
  EXPECT_EQ(p.rows, 1u);
}

TEST(UiThreadPacker, ChildTakesParentRowWhenFreeElseMovesDownThenUp) {
  // 0: root [0, 10] row 0; 1: root [0, 100] row 1; 2: root [0, 25] row 2.
  // 3: child of 1 at [20, 30]: its parent's row 1 is taken, so is row 2 below
  // it: the first free row above, row 0 (free since 10), rather than a new row.
  // 4: child of 1 at [27, 40]: row 1 taken, row 2 below is free (since 25).
  // 5: child of 0 at [50, 60]: row 0 is free there, its parent's row.
  std::vector<PackThread> threads = {{0, 10, -1, -1},  {0, 100, -1, -1}, {0, 25, -1, -1},
                                     {20, 30, 1, -1},  {27, 40, 1, -1},  {50, 60, 0, -1}};
  ThreadPacking p = pack_threads(threads);
  expect_no_overlap(threads, p);
  EXPECT_EQ(p.rows, 3u);
  EXPECT_EQ(p.row_of[0], 0u);
  EXPECT_EQ(p.row_of[1], 1u);
  EXPECT_EQ(p.row_of[2], 2u);
  EXPECT_EQ(p.row_of[3], 0u);  // no free row below its parent: the one above
  EXPECT_EQ(p.row_of[4], 2u);  // below its parent
  EXPECT_EQ(p.row_of[5], 0u);  // its parent's row
}

TEST(UiThreadPacker, ThreadContinuesOnTheRowOfTheThreadThatBecameIt) {
  // 0: root [0, 100] on row 0; its children by start: 1 [5, 12] on row 1;
  // 2 [10, 20] overlaps both, row 2; 3 [30, 40] would take row 1 (free
  // again), but 2 became 3: it continues on 2's row.
  std::vector<PackThread> threads = {
      {0, 100, -1, -1}, {5, 12, 0, -1}, {10, 20, 0, 3}, {30, 40, 0, -1}};
  ThreadPacking p = pack_threads(threads);
  expect_no_overlap(threads, p);
  EXPECT_EQ(p.row_of[1], 1u);
  EXPECT_EQ(p.row_of[2], 2u);
  EXPECT_EQ(p.row_of[3], 2u);
  threads[2].became = -1;  // without the link, the first free row down from the parent's
  EXPECT_EQ(pack_threads(threads).row_of[3], 1u);
}

TEST(UiThreadPacker, CrowdedThreadsReuseRowsThatFreedUp) {
  // A chain where each thread creates the next while it runs: moving down
  // from the parent alone would give a staircase of 100 rows; rows whose
  // threads have all ended are reused, so two rows hold it.
  std::vector<PackThread> threads;
  for (int i = 0; i < 100; ++i) threads.push_back({i * 10, i * 10 + 15, i > 0 ? i - 1 : -1, -1});
  ThreadPacking p = pack_threads(threads);
  expect_no_overlap(threads, p);
  EXPECT_EQ(p.rows, 2u);
}

TEST(UiThreadPacker, CyclesAndSelfParentsPlaceEveryThread) {
  std::vector<PackThread> threads = {
      {0, 10, 1, -1}, {5, 20, 0, -1}, {30, 40, 2, 2}, {0, 100, 3, -1}};
  ThreadPacking p = pack_threads(threads);
  expect_no_overlap(threads, p);
  EXPECT_EQ(p.row_of.size(), 4u);
}

TEST(UiThreadPacker, ThreadsAliveTogetherGetRowsOfTheirOwn) {
  // 300 threads all alive at once, each created by the one before: 300 rows.
  std::vector<PackThread> threads;
  for (int i = 0; i < 300; ++i) threads.push_back({i, 1000, i > 0 ? i - 1 : -1, -1});
  ThreadPacking p = pack_threads(threads);
  expect_no_overlap(threads, p);
  EXPECT_EQ(p.rows, 300u);
}

TEST(UiThreadPacker, EmptyInput) {
  ThreadPacking p = pack_threads({});
  EXPECT_EQ(p.rows, 0u);
  EXPECT_TRUE(p.row_of.empty());
}

}  // namespace
}  // namespace lurk::test
