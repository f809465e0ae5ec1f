// Level of detail, defined once for every lane: items closer together than
// kMergeDistancePx fold into one block that counts them and keeps the most
// severe kind (points) so exceptions and retransmissions stay visible at every
// zoom. Each block costs a few binary searches plus one severity-pyramid
// query, so the work follows the pixels on screen, not the lane's length.
#pragma once

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "core/mark_style.h"
#include "core/profile_model.h"
#include "core/severity_pyramid.h"
#include "core/time_window.h"

namespace lurk::ui {

// Items narrower than this many (CSS) pixels apart merge; the one threshold.
inline constexpr float kMergeDistancePx = 3.0f;

struct MarkBlock {
  float x0 = 0, x1 = 0;     // pixel extent; x1 - x0 is 0 for a single mark
  uint32_t count = 0;       // marks in the block
  uint32_t first = 0;       // index of its first mark in the lane
  MarkKind kind = MarkKind::Normal;  // most severe kind inside
};

struct IntervalBlock {
  float x0 = 0, x1 = 0;
  uint32_t count = 0;       // 1: one interval, drawn with its name
  uint32_t first = 0;
};

// The horizontal mapping of the timeline: a window drawn `width` pixels wide from `left`.
struct PixelMapping {
  const TimeWindow& window;
  float left = 0, width = 1;
  double x_of(double t) const { return window.x_of(t, left, width); }
  double t_of(double x) const { return window.t_of(x, left, width); }
};

namespace lod_detail {

// First index in [from, n) whose time is > t (times sorted ascending).
template <typename TimeAt>
size_t first_after(size_t from, size_t n, double t, TimeAt time_at) {
  size_t lo = from, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (double(time_at(mid)) <= t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

// The same index as first_after, looked for from `from` outwards (1, 2, 4,
// ... items ahead, then a binary search of the last stride): about
// 2 log2(answer - from) reads instead of log2(n - from). For the merge
// loops, whose answer lies a few items ahead of `from` (the items within a
// few pixels of a run's edge): the GC and idle periods merged on every frame
// were a quarter of the server's frame instructions (bench/RESULTS.md).
template <typename TimeAt>
size_t first_after_near(size_t from, size_t n, double t, TimeAt time_at) {
  size_t lo = from;  // every item in [from, lo) is at or before t
  size_t step = 1;
  for (;;) {
    size_t probe = lo + step - 1;
    if (probe >= n) return first_after(lo, n, t, time_at);
    if (double(time_at(probe)) > t) return first_after(lo, probe, t, time_at);
    lo = probe + 1;
    step *= 2;
  }
}

template <typename TimeAt>
size_t first_at_or_after(size_t n, double t, TimeAt time_at) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (double(time_at(mid)) < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

}  // namespace lod_detail

// Blocks for `n` points at `time_at(i)` (sorted), with their kinds in `severity`.
template <typename TimeAt>
std::vector<MarkBlock> merge_points(size_t n, TimeAt time_at, const SeverityPyramid& severity,
                                    const PixelMapping& map, float merge_px = kMergeDistancePx) {
  std::vector<MarkBlock> blocks;
  if (n == 0 || map.width <= 0) return blocks;
  double ns_per_px = map.window.span() / map.width;
  size_t i = lod_detail::first_at_or_after(n, map.window.t0() - merge_px * ns_per_px, time_at);
  double end_ns = map.window.t1() + merge_px * ns_per_px;
  while (i < n && double(time_at(i)) <= end_ns) {
    double start_x = map.x_of(double(time_at(i)));
    double edge = start_x;
    size_t j = i + 1;
    // Everything within merge_px of the block's right edge joins it; each
    // step either ends the block or moves the edge, so steps follow pixels.
    for (;;) {
      size_t k = lod_detail::first_after_near(j, n, map.t_of(edge + merge_px), time_at);
      if (k == j) break;
      edge = map.x_of(double(time_at(k - 1)));
      j = k;
    }
    MarkBlock block;
    block.x0 = float(start_x);
    block.x1 = float(edge);
    block.first = uint32_t(i);
    block.count = uint32_t(j - i);
    block.kind = MarkKind(severity.max(i, j));
    blocks.push_back(block);
    i = j;
  }
  return blocks;
}

// Blocks for `n` intervals [t0_at(i), t1_at(i)] sorted by start and not
// overlapping (one nesting depth, or periods). Wide intervals stay single;
// runs of narrow ones closer than merge_px fold into one block.
template <typename T0At, typename T1At>
std::vector<IntervalBlock> merge_intervals(size_t n, T0At t0_at, T1At t1_at,
                                           const PixelMapping& map,
                                           float merge_px = kMergeDistancePx) {
  std::vector<IntervalBlock> blocks;
  if (n == 0 || map.width <= 0) return blocks;
  // Ends are sorted too (no overlap), so the first visible one is a binary search away.
  size_t i = lod_detail::first_at_or_after(n, map.window.t0(), t1_at);
  while (i < n && double(t0_at(i)) <= map.window.t1()) {
    double x0 = map.x_of(double(t0_at(i))), x1 = map.x_of(double(t1_at(i)));
    size_t j = i + 1;
    double edge = x1;
    if (x1 - x0 < merge_px) {
      for (;;) {
        size_t k = lod_detail::first_after_near(j, n, map.t_of(edge + merge_px), t0_at);
        if (k == j) break;
        size_t last = k - 1;
        double last_x0 = map.x_of(double(t0_at(last))), last_x1 = map.x_of(double(t1_at(last)));
        if (last_x1 - last_x0 >= merge_px) {  // a wide one ends the run and stands alone
          if (last > j) edge = std::max(edge, map.x_of(double(t1_at(last - 1))));
          j = last;
          break;
        }
        edge = std::max(edge, last_x1);
        j = k;
      }
    }
    blocks.push_back({float(x0), float(edge), uint32_t(j - i), uint32_t(i)});
    i = j;
  }
  return blocks;
}

// Packet lane of a connection, direction 0 or 1.
std::vector<MarkBlock> merge_packet_marks(const ConnectionLanes& connection, int dir,
                                          const PixelMapping& map,
                                          float merge_px = kMergeDistancePx);
std::vector<MarkBlock> merge_instant_marks(const ThreadLane& thread, const PixelMapping& map,
                                           float merge_px = kMergeDistancePx);
// Spans of one nesting depth of a thread (indices are into thread.spans).
std::vector<IntervalBlock> merge_depth_spans(const ThreadLane& thread, int depth,
                                             const PixelMapping& map,
                                             float merge_px = kMergeDistancePx);

}  // namespace lurk::ui
