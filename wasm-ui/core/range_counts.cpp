// count_range and count_spans_starting (range_counts.h).
#include "core/range_counts.h"

namespace lurk::ui {

int64_t count_spans_starting(const SpanRecord* spans, const uint32_t* depth_begin, size_t depth_entries, double t0,
                             double t1) {
  int64_t n = 0;
  for (size_t d = 0; d + 1 < depth_entries; ++d)
    n += count_between(spans + depth_begin[d], size_t(depth_begin[d + 1] - depth_begin[d]), t0, t1,
                       [](const SpanRecord& s) { return s.t0_ns; });
  return n;
}

void count_packet_marks(const ConnectionLanes& connection, const PacketMark* lane, size_t n, double t0, double t1,
                        RangeCounts& into) {
  if (!connection.shown()) return;
  size_t i = lod_detail::first_at_or_after(n, t0, [&](size_t k) { return lane[k].t_ns; });
  for (; i < n && double(lane[i].t_ns) <= t1; ++i) {
    MarkKind kind = mark_kind(lane[i].analysis, lane[i].tcp_flags);
    if (kind > MarkKind::WindowUpdate) ++into.marks[size_t(kind)];
  }
}

void count_thread_marks(const ThreadLane& thread, const InstantRecord* instants, size_t n, double t0, double t1,
                        RangeCounts& into) {
  bool any_exception = false;
  for (size_t i = 0; i < n; ++i) {
    if (instants[i].kind != InstantKind::Exception) continue;
    any_exception = true;
    if (double(instants[i].t_ns) >= t0 && double(instants[i].t_ns) <= t1) ++into.marks[size_t(MarkKind::Exception)];
  }
  if (thread.failed && !any_exception && double(thread.end_ns) >= t0 && double(thread.end_ns) <= t1)
    ++into.marks[size_t(MarkKind::Exception)];
}

RangeCounts count_range(const ProfileModel& model, double t0, double t1) {
  RangeCounts c;
  auto at = [](const auto& item) { return item.t_ns; };
  for (const ConnectionLanes& lanes : model.connections())
    for (const auto& lane : lanes.lanes) {
      c.packets += count_between(lane.data(), lane.size(), t0, t1, at);
      count_packet_marks(lanes, lane.data(), lane.size(), t0, t1, c);
    }
  for (const ThreadLane& t : model.threads()) {
    c.instants += count_between(t.instants.data(), t.instants.size(), t0, t1, at);
    count_thread_marks(t, t.instants.data(), t.instants.size(), t0, t1, c);
    if (!t.spans.empty()) c.spans += count_spans_starting(t.spans.data(), t.depth_begin.data(), t.depth_begin.size(), t0, t1);
  }
  return c;
}

}  // namespace lurk::ui
