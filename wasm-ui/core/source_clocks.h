// The sources of a profile and their clocks, as the UI shows them
// (docs/clocks.md, docs/ui.md "Clocks"). The collector puts every source it
// can on the captures' clock; a source it could not align ('not-aligned')
// keeps a clock of its own, decades away from Unix time. The UI never draws
// such a source on the captures' axis: each one is moved, for display only,
// so that it starts where the profile's main clock starts, and says so. The
// user may give a source a display offset by hand (the clocks panel).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace lurk {
class Database;
}

namespace lurk::ui {

struct SourceClock {
  int64_t id = 0;
  std::string path, format;
  std::string domain, how, evidence;  // sources.clock_domain / clock_how / clock_evidence
  int64_t offset_ns = 0;              // what the collector added (sources.clock_offset_ns)
  int64_t first_ns = 0, last_ns = 0;  // stored times, before any display shift
  bool has_times = false;
  // Added to the source's times for display only (0 for the main clock).
  int64_t display_shift_ns = 0;
  bool own_axis = false;  // drawn moved: a clock of its own, or moved by hand
  bool by_hand = false;   // display_shift_ns was set by the user
};

// Reads the sources and their time bounds, and gives each not-aligned source
// a display shift that starts it with the main clock (the captures' and every
// source aligned to them; without any, the first source's). `by_hand` maps a
// source id to a display shift the user chose, which wins.
std::vector<SourceClock> load_source_clocks(Database& db,
                                            const std::map<int64_t, int64_t>& by_hand = {});

}  // namespace lurk::ui
