#include "core/mark_merging.h"

namespace lurk::ui {

std::vector<MarkBlock> merge_packet_marks(const ConnectionLanes& connection, int dir,
                                          const PixelMapping& map, float merge_px) {
  const LaneArray<PacketMark>& lane = connection.lanes[dir];
  return merge_points(
      lane.size(), [&](size_t i) { return lane[i].t_ns; }, connection.severity[dir], map,
      merge_px);
}

std::vector<MarkBlock> merge_instant_marks(const ThreadLane& thread, const PixelMapping& map,
                                           float merge_px) {
  const LaneArray<InstantRecord>& lane = thread.instants;
  return merge_points(
      lane.size(), [&](size_t i) { return lane[i].t_ns; }, thread.instant_severity, map, merge_px);
}

std::vector<IntervalBlock> merge_depth_spans(const ThreadLane& thread, int depth,
                                             const PixelMapping& map, float merge_px) {
  if (depth < 0 || depth >= thread.depth_count()) return {};
  size_t begin = thread.depth_begin[size_t(depth)], end = thread.depth_begin[size_t(depth) + 1];
  const SpanRecord* spans = thread.spans.data() + begin;
  std::vector<IntervalBlock> blocks = merge_intervals(
      end - begin, [&](size_t i) { return spans[i].t0_ns; },
      [&](size_t i) { return spans[i].t1_ns; }, map, merge_px);
  for (IntervalBlock& b : blocks) b.first += uint32_t(begin);
  return blocks;
}

}  // namespace lurk::ui
