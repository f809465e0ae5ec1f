// The clock offset of a trace on a clock of its own, decided while `lurk
// collect` writes it into a profile that holds a capture of the same run
// (docs/live.md, "A capture already in the profile"; docs/clocks.md). The
// evidence is the stop pass's (join/clock_evidence.h, segment_evidence):
// the traced segments matched so far to captured frames, one-to-one, the
// median of their time differences. Pure: the caller (live_capture_joins)
// feeds it each batch's segments and applies what it decides.
//
// When an offset moves: the first evidence decides one. Later evidence (the
// median of more segments) moves it only when it differs from the applied
// offset by more than the spread of the differences it is the median of
// (their median deviation, as the stop pass reports it): within that the
// median only wanders among equally good matches, and each move rewrites
// the source's rows once more. The stop pass decides the final offset on
// every segment; when it equals the live one nothing is rewritten.
//
// Cost: a decision reads every matched segment of the source (a median), so
// once an offset is applied the next decision waits until the source's
// matched segments have doubled: the work stays in proportion to the
// segments, not to segments times batches. (Fewer new segments than old
// cannot move a median outside the old differences' range anyway.)
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "join/clock_evidence.h"
#include "join/segment_matching.h"

namespace lurk::live {

class LiveClockOffsets {
 public:
  // A traced segment of `source_id` whose endpoints a capture has, at its
  // time on the source's own clock (as sent: before any live offset), with
  // the captured frames of the same identity (none: it counts only against
  // the uniqueness of a later segment of that identity, as in the stop pass).
  void add(int64_t source_id, const std::string& identity, int64_t own_ts_ns, uint8_t tcp_flags,
           const std::vector<TracedSegment::Frame>& frames);

  struct Decision {
    int64_t offset_ns = 0;  // add to the source's own times
    ClockEvidence evidence;  // for the sources row (its delta_ns is offset_ns)
  };
  // The offset the evidence so far says, when it differs from the applied
  // one by more than the spread (or none is applied yet); nothing otherwise,
  // nor before the matched segments doubled since the last decision.
  std::optional<Decision> decide(int64_t source_id);
  // The caller applied it: later decisions are measured against it.
  void applied(int64_t source_id, int64_t offset_ns) { applied_[source_id] = offset_ns; }
  std::optional<int64_t> offset(int64_t source_id) const;
  // Whether a segment of the source matched a captured frame: its offset is
  // then the segments' (the stop pass weighs labels only without them).
  bool has_matched(int64_t source_id) const { return matched_.count(source_id) != 0; }

 private:
  struct Segment {
    int64_t own_ts_ns = 0;
    uint8_t tcp_flags = 0;
    int count = 0;  // segments of the source with this identity
    std::vector<TracedSegment::Frame> frames;
  };
  // Per source, per identity: what the stop pass's match_traced_segments keeps.
  std::unordered_map<int64_t, std::unordered_map<std::string, Segment>> segments_;
  std::unordered_map<int64_t, int64_t> applied_;
  // Per source: segments with a captured frame, and how many there were at
  // the last decision.
  std::unordered_map<int64_t, size_t> matched_, decided_at_;
};

// The median deviation of the one-to-one matched differences from `delta_ns`
// (the spread of the evidence segment_evidence reports).
int64_t live_segment_spread(const std::vector<TracedSegment>& segments, int64_t source_id,
                            int64_t delta_ns);

}  // namespace lurk::live
