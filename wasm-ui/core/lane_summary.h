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
#include <utility>
#include <vector>

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
};

// Reads the bulk tables once (in storage order, no index walks); run it in
// the read transaction the model will be loaded in.
LaneSummary scan_lane_summary(Database& db);

}  // namespace lurk::ui
