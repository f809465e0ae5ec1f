// A live trace's clock offset from its labels: see live_label_offsets.h.
#include "live/live_label_offsets.h"

#include <algorithm>
#include <cstdlib>
#include <vector>

namespace lurk::live {
namespace {

// Keeps the earliest kMaxLabelEvents of `times`, sorted; false when `t` is
// later than all of a full set (it changes nothing the stop pass weighs).
bool keep_earliest_label(std::vector<int64_t>& times, int64_t t) {
  if (times.size() >= kMaxLabelEvents && t >= times.back()) return false;
  times.insert(std::upper_bound(times.begin(), times.end(), t), t);
  if (times.size() > kMaxLabelEvents) times.pop_back();
  return true;
}

}  // namespace

void LiveLabelOffsets::add(int64_t source_id, const std::string& text, int64_t own_ts_ns) {
  // The stop pass's order of tests: a label that opens is never a close.
  bool opens = label_opens_connection(text);
  if (!opens && !label_closes_connection(text)) return;
  Source& s = sources_[source_id];
  if (keep_earliest_label(opens ? s.labels.opens : s.labels.closes, own_ts_ns)) ++s.kept;
}

std::optional<LiveLabelOffsets::Decision> LiveLabelOffsets::decide(int64_t source_id,
                                                                   std::optional<int64_t> applied) {
  auto found = sources_.find(source_id);
  if (found == sources_.end()) return std::nullopt;
  Source& s = found->second;
  if (s.kept == 0 || s.kept < 2 * s.decided_at) return std::nullopt;
  s.decided_at = s.kept;
  // On the source's own clock: the evidence is the whole offset.
  std::optional<ClockEvidence> e = label_evidence(s.labels, edges_);
  if (!e) return std::nullopt;
  if (applied) {
    int64_t moved = std::llabs(e->delta_ns - *applied);
    if (moved == 0 || moved <= label_spread(s.labels, edges_, e->delta_ns)) return std::nullopt;
  }
  return Decision{e->delta_ns, *e};
}

}  // namespace lurk::live
