// The evidence the clock pass (clock_alignment.h) weighs for one source:
// each finder returns how far the source's stored times are from the
// captures' clock, or nothing when its evidence is missing or ambiguous.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "join/segment_matching.h"

namespace lurk {

class Database;

struct ClockEvidence {
  int64_t delta_ns = 0;  // add to the source's stored times
  std::string how;       // 'tcp-segments', 'handshake-isn', 'labels'
  std::string text;      // for people: what was matched, how well it agreed
};

// Segments of `source_id` matched one-to-one (unique on both sides) to
// captured frames: the median of the differences. Only SYNs matched: the
// handshake's ISN is the evidence.
std::optional<ClockEvidence> segment_evidence(const std::vector<TracedSegment>& segments,
                                              int64_t source_id);

// Connect/accept labels of the source against the captures' SYN times and
// close labels against their first FIN times: the offset that lines up the
// most labels (within kLabelToleranceNs), when no other offset lines up as
// many; a single connect label and a single captured connection also do.
std::optional<ClockEvidence> label_evidence(Database& db, int64_t source_id);

// The same evidence in parts, for `lurk collect`, which keeps the labels of
// a trace as they arrive (live/live_label_offsets.h): the labels weighed, at
// most kMaxLabelEvents of each kind, the earliest, sorted;
struct LabelTimes {
  std::vector<int64_t> opens, closes;
};
// the captures' first SYN time of each connection and first FIN time, the
// earliest kMaxLabelEvents of each, sorted;
struct CapturedEdges {
  std::vector<int64_t> syns, fins;
};
// (At most this many of each: a trace of thousands of connections aligns on
// its first ones.)
inline constexpr size_t kMaxLabelEvents = 256;
LabelTimes read_label_times(Database& db, int64_t source_id);
CapturedEdges read_captured_edges(Database& db);
// which labels count (a connect or accept label opens, a close or
// disconnect label closes; neither: not evidence);
bool label_opens_connection(const std::string& label);
bool label_closes_connection(const std::string& label);
// and the decision on them (pure: label_evidence(db, ...) is this on what
// the two readers return).
std::optional<ClockEvidence> label_evidence(const LabelTimes& labels, const CapturedEdges& edges);
// How well labels line up at `delta_ns`: the median distance of the lined-up
// labels from their captured event (0 when none lines up). A later decision
// closer to an applied offset than this is no better evidence than it.
int64_t label_spread(const LabelTimes& labels, const CapturedEdges& edges, int64_t delta_ns);

// A label and the segment it causes (a connect call and its SYN).
inline constexpr int64_t kLabelToleranceNs = 5'000'000;

}  // namespace lurk
