// A live trace's clock offset from its matched segments: see live_clock_offsets.h.
#include "live/live_clock_offsets.h"

#include <algorithm>

namespace lurk::live {

void LiveClockOffsets::add(int64_t source_id, const std::string& identity, int64_t own_ts_ns,
                           uint8_t tcp_flags, const std::vector<TracedSegment::Frame>& frames) {
  Segment& s = segments_[source_id][identity];
  if (s.count++ == 0) {
    s.own_ts_ns = own_ts_ns;
    s.tcp_flags = tcp_flags;
    s.frames = frames;
    if (!frames.empty()) ++matched_[source_id];
  }
}

int64_t live_segment_spread(const std::vector<TracedSegment>& segments, int64_t source_id,
                            int64_t delta_ns) {
  std::vector<int64_t> deviations;
  for (const TracedSegment& t : segments) {
    if (t.source_id != source_id || !t.unique_in_trace || t.captured.size() != 1) continue;
    int64_t d = t.captured.front().ts_ns - t.ts_ns;
    deviations.push_back(d > delta_ns ? d - delta_ns : delta_ns - d);
  }
  if (deviations.empty()) return 0;
  auto mid = deviations.begin() + deviations.size() / 2;
  std::nth_element(deviations.begin(), mid, deviations.end());
  return *mid;
}

std::optional<LiveClockOffsets::Decision> LiveClockOffsets::decide(int64_t source_id) {
  auto found = segments_.find(source_id);
  if (found == segments_.end()) return std::nullopt;
  size_t matched = matched_[source_id];
  if (offset(source_id) && matched < 2 * decided_at_[source_id]) return std::nullopt;
  decided_at_[source_id] = matched;
  // The stop pass's input, on the source's own clock: its evidence is then
  // the whole offset, not a correction of the applied one.
  std::vector<TracedSegment> segments;
  for (const auto& [identity, s] : found->second) {
    if (s.frames.empty()) continue;
    TracedSegment t;
    t.source_id = source_id;
    t.ts_ns = s.own_ts_ns;
    t.tcp_flags = s.tcp_flags;
    t.unique_in_trace = s.count == 1;
    t.captured = s.frames;
    segments.push_back(std::move(t));
  }
  std::optional<ClockEvidence> e = segment_evidence(segments, source_id);
  if (!e) return std::nullopt;
  std::optional<int64_t> now = offset(source_id);
  if (now) {
    int64_t moved = e->delta_ns > *now ? e->delta_ns - *now : *now - e->delta_ns;
    if (moved == 0 || moved <= live_segment_spread(segments, source_id, e->delta_ns))
      return std::nullopt;
  }
  return Decision{e->delta_ns, *e};
}

std::optional<int64_t> LiveClockOffsets::offset(int64_t source_id) const {
  auto it = applied_.find(source_id);
  if (it == applied_.end()) return std::nullopt;
  return it->second;
}

}  // namespace lurk::live
