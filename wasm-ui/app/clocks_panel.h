// The clocks of a profile's sources, in the header (docs/ui.md "Clocks"): a
// button saying how many sources are on the captures' clock and how many on
// one of their own; its popup lists every source with how it was aligned
// (docs/clocks.md) and lets the user move a source by hand, for display
// (the profile is not changed: `lurk ingest --clock-offset` does that).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include "core/source_clocks.h"

namespace lurk::ui {

class ClocksPanel {
 public:
  // Draws the header button (when there is more than one source, or a source
  // on a clock of its own) and its popup. Returns the display shifts by hand
  // when the user changed them: the caller reloads the model with them.
  std::optional<std::map<int64_t, int64_t>> draw(const std::vector<SourceClock>& sources);
  const std::map<int64_t, int64_t>& by_hand() const { return by_hand_; }
  void reset() { by_hand_.clear(); typed_seconds_.clear(); }
  // A link's shifts (core/view_state.h); the popup's inputs show them.
  void set_by_hand(const std::map<int64_t, int64_t>& shifts) {
    by_hand_ = shifts;
    typed_seconds_.clear();
  }

 private:
  std::map<int64_t, int64_t> by_hand_;
  std::map<int64_t, double> typed_seconds_;  // the popup's inputs, per source
};

}  // namespace lurk::ui
