// How a lane's events are ordered once read, shared by the whole load
// (profile_model_events.cpp) and the lazy one lane at a time
// (profile_model_lanes.cpp), so that both make the same lanes: stable sorts
// by time (rows of equal time keep storage order), spans by depth then start.
// Private to core/profile_model*.
#pragma once

#include <algorithm>
#include <vector>

#include "core/profile_model.h"

namespace lurk::ui {

// Sorts by time only when needed; stable, so rows of equal time keep storage order.
template <typename T, typename TimeOf>
inline void sort_by_time(std::vector<T>& items, TimeOf time_of) {
  auto before = [&](const T& a, const T& b) { return time_of(a) < time_of(b); };
  if (!std::is_sorted(items.begin(), items.end(), before))
    std::stable_sort(items.begin(), items.end(), before);
}

// Spans by depth, each depth by start: a stable counting sort on depth (one
// pass), then a check (and rarely a sort) per depth.
inline void order_spans(ThreadLane& t) {
  size_t depths = 0;
  for (const SpanRecord& s : t.spans) depths = std::max<size_t>(depths, size_t(s.depth) + 1);
  t.depth_begin.assign(depths + 1, 0);
  for (const SpanRecord& s : t.spans) ++t.depth_begin[size_t(s.depth) + 1];
  for (size_t d = 1; d <= depths; ++d) t.depth_begin[d] += t.depth_begin[d - 1];
  if (depths > 1) {
    std::vector<SpanRecord> by_depth(t.spans.size());
    std::vector<uint32_t> next(t.depth_begin.begin(), t.depth_begin.end() - 1);
    for (const SpanRecord& s : t.spans) by_depth[next[s.depth]++] = s;
    t.spans = std::move(by_depth);
  }
  auto start_before = [](const SpanRecord& a, const SpanRecord& b) { return a.t0_ns < b.t0_ns; };
  for (size_t d = 0; d < depths; ++d) {
    auto first = t.spans.begin() + t.depth_begin[d], last = t.spans.begin() + t.depth_begin[d + 1];
    if (!std::is_sorted(first, last, start_before)) std::stable_sort(first, last, start_before);
  }
  sort_by_time(t.running, [](const SpanRecord& s) { return s.t0_ns; });
}

}  // namespace lurk::ui
