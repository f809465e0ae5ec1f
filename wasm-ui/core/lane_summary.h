// What a lazy ProfileModel (profile_model.h, load_outline) needs to know of
// the lanes' events without holding them: per thread the nesting depths of
// its spans (row heights), per counter lane its value range (its family's
// scale), the time bounds of the events (the profile's origin and end), the
// event counts, and the last row id of each bulk table (the committed state
// the summary describes). One pass over the bulk tables makes it; the server
// keeps it in a file next to the profile (collector/server/lane_summary_file.h)
// so that it is made once per profile, not once per view.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/flow_record.h"

namespace lurk {
class Database;
}

namespace lurk::ui {

struct LaneSummary {
  struct CounterRange {
    int64_t name = 0, key = 0;  // the lane (key: thread id, or minus the source id)
    double min = 0, max = 0;
    int64_t samples = 0;
  };
  struct RowBounds {
    int64_t packets = INT64_MAX, spans = INT64_MAX, instants = INT64_MAX, counters = INT64_MAX;
  };
  // Earliest and latest time (absolute ns) among spans (starts and ends),
  // instants and counter samples; INT64_MAX / INT64_MIN when none.
  int64_t first_ns = INT64_MAX, last_ns = INT64_MIN;
  int64_t packets = 0;  // packet rows of known connections
  int64_t events = 0;   // span, instant and counter rows
  // (thread id, depth count of its spans other than running periods), by id.
  std::vector<std::pair<int64_t, uint16_t>> depths;
  std::vector<CounterRange> counters;  // by (name, key)
  RowBounds last_ids;
  // The whole profile's minimap (core/minimap.h: kBins of (events, worst mark
  // kind)), made once the outline is loaded (its bins are on the model's
  // axis) by reading the lanes one at a time; empty until then.
  std::vector<std::pair<uint32_t, uint8_t>> minimap;
  // The profile's flows as the lazy model holds them once read (sorted by
  // from_ns, times absolute; `kind` an index into flow_kinds, in the order
  // the model met them), kept so that an open does not read them again:
  // each flow's packet end is a seek in the packets table (2M seeks in a
  // 7 GB file at 100M events, most of a warm open). Filled by load_outline
  // when it read them (ProfileModel::kept_flows); `flows_kept` false: none
  // kept, the model reads them from the profile.
  bool flows_kept = false;
  std::vector<FlowRecord> flows;
  std::vector<std::string> flow_kinds;
  // The profile's GC and idle periods as load_periods reads them (in its
  // order: GC first, each kind by start; times absolute, before any display
  // shift), kept for the same reason (400k rows sorted at 100M events).
  struct KeptPeriod {
    int64_t start_ns = 0, end_ns = 0, source_id = 0;
    uint8_t idle = 0;
    uint8_t pad[7] = {};
  };
  bool periods_kept = false;
  std::vector<KeptPeriod> periods;
  // From the lane facts only (lane_summary_from_facts; `later_known`): the
  // flows' count and each source's GC and idle periods' time bounds, so
  // that a model can be made before their rows are read (load_outline with
  // defer_flows_and_periods) with the counts and time axis it has once they
  // are (ProfileModel::adopt_late_flows_and_periods).
  struct PeriodBounds {
    int64_t source_id = 0, first_ns = INT64_MAX, last_ns = INT64_MIN;
  };
  bool later_known = false;
  int64_t flow_count = 0;
  std::vector<PeriodBounds> period_bounds;
};
static_assert(sizeof(LaneSummary::KeptPeriod) == 32, "kept periods are written as they are");

// Reads the bulk tables once (in storage order, no index walks); run it in
// the read transaction the model will be loaded in.
LaneSummary scan_lane_summary(Database& db);

// The same summary (but the minimap, flows and periods, which it leaves
// empty and not kept) from the facts the writer kept per lane (table
// lane_facts, schema version 5: collector/storage/lane_facts.h), reading a
// few rows per lane instead of every event. nullopt, with `why`, when the
// profile has no such table (written before it) or its facts do not count
// exactly the rows up to each table's last row id (rows written or removed
// by something other than lurk's writer): then scan_lane_summary.
std::optional<LaneSummary> lane_summary_from_facts(Database& db, std::string& why);

}  // namespace lurk::ui
