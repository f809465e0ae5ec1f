// The clock offset of a trace on a clock of its own whose only clock
// evidence is its connect/accept and close labels (a MirageOS unikernel's CTF
// trace: no segment events), decided while `lurk collect` writes it into a
// profile that holds a capture of the same run (docs/live.md, "A capture
// already in the profile"; docs/clocks.md, `live-labels`). The evidence is the
// stop pass's (join/clock_evidence.h, label_evidence): the labels so far
// against the captures' SYN and FIN times. Pure: the caller
// (live_capture_joins) gives it the captures' edges once (captures are not
// collected: they are the profile's at start), each batch's labels, and
// applies what it decides, as it applies a segments' offset.
//
// When an offset moves: as a segments' offset (live_clock_offsets.h), only
// when the later evidence differs from the applied offset by more than the
// spread of the labels it lines up (label_spread): within that, the
// winning offset only wanders among equally good ones.
//
// Cost: a decision pairs every label kept with every captured edge (at most
// kMaxLabelEvents of each kind, the earliest, as the stop pass), so the next
// one waits until the source's labels kept have doubled, with or without an
// offset decided: the work stays in proportion to the labels. Once the
// earliest kMaxLabelEvents of each kind are kept, a later label changes
// nothing the stop pass weighs, and no decision is made again.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>

#include "join/clock_evidence.h"

namespace lurk::live {

class LiveLabelOffsets {
 public:
  explicit LiveLabelOffsets(CapturedEdges edges) : edges_(std::move(edges)) {}

  // A label of `source_id` at its time on the source's own clock (as sent:
  // before any live offset). Labels that neither open nor close a
  // connection are not evidence and are left out.
  void add(int64_t source_id, const std::string& text, int64_t own_ts_ns);

  struct Decision {
    int64_t offset_ns = 0;   // add to the source's own times
    ClockEvidence evidence;  // for the sources row
  };
  // The offset the labels so far say, when it differs from `applied` by more
  // than their spread (or none is applied); nothing otherwise, nor before
  // the labels kept doubled since the last decision.
  std::optional<Decision> decide(int64_t source_id, std::optional<int64_t> applied);

 private:
  struct Source {
    LabelTimes labels;  // own clock, sorted, the earliest kMaxLabelEvents of each kind
    size_t kept = 0;    // labels that entered `labels` (one that pushed a later one out too)
    size_t decided_at = 0;
  };
  CapturedEdges edges_;
  std::unordered_map<int64_t, Source> sources_;
};

}  // namespace lurk::live
