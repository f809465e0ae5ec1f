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

// A label and the segment it causes (a connect call and its SYN).
inline constexpr int64_t kLabelToleranceNs = 5'000'000;

}  // namespace lurk
