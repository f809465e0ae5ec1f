// What a measured range counts (drag on the ruler, docs/ui.md): the events
// of every lane inside [t0, t1] (relative ns, both ends in): packets by
// time, spans by start (each depth's spans are sorted by start, so a depth
// at a time), instants; and the finding marks there by kind, as `]` / `[`
// meet them (core/finding_marks.h: flagged packets of shown connections,
// exception instants, a failed thread without one at its end). The page
// counts the lanes its model holds; `lurk view --native` counts the same
// arrays in its lane store (GET /measure, collector/server/lane_store.h),
// with these same functions.
#pragma once

#include <cstddef>
#include <array>
#include <cstdint>

#include "core/mark_merging.h"
#include "core/mark_style.h"
#include "core/profile_model.h"

namespace lurk::ui {

struct RangeCounts {
  int64_t packets = 0, spans = 0, instants = 0;
  std::array<int64_t, size_t(MarkKind::Count)> marks{};  // by MarkKind
  bool operator==(const RangeCounts& o) const {
    return packets == o.packets && spans == o.spans && instants == o.instants && marks == o.marks;
  }
};

// Items of a time-sorted array whose time (time_of(item)) lies in [t0, t1].
template <typename T, typename TimeOf>
int64_t count_between(const T* items, size_t n, double t0, double t1, TimeOf time_of) {
  auto time_at = [&](size_t i) { return time_of(items[i]); };
  size_t a = lod_detail::first_at_or_after(n, t0, time_at);
  return int64_t(lod_detail::first_after(a, n, t1, time_at) - a);
}

// A thread's spans starting in [t0, t1]: `depth_begin` has depths + 1
// entries (the first span of each depth, then the end).
int64_t count_spans_starting(const SpanRecord* spans, const uint32_t* depth_begin, size_t depth_entries, double t0,
                             double t1);

// The marks of one packet lane of `connection` (its items: `lane`, `n`).
void count_packet_marks(const ConnectionLanes& connection, const PacketMark* lane, size_t n, double t0, double t1,
                        RangeCounts& into);
// The marks of a thread whose instants are `instants`, `n`.
void count_thread_marks(const ThreadLane& thread, const InstantRecord* instants, size_t n, double t0, double t1,
                        RangeCounts& into);

// Every lane `model` holds (the whole model in the page).
RangeCounts count_range(const ProfileModel& model, double t0, double t1);

}  // namespace lurk::ui
