// The whole view of the UI as a small value that fits in a URL hash
// (docs/sharing.md): the visible time range, the timeline's vertical scroll,
// the selection, the current finding, folded groups, filters, the connections
// table's sort, search, open panels, clock offsets set by hand and theme. The app
// fills one from its panels and applies one to them; this file only turns it
// into text and back. Key names are versioned (`v=1`) and only ever added:
// a link must open in every later lurk. Portable: unit-tested natively.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace lurk::ui {

struct ViewState {
  static constexpr int kVersion = 1;

  // Visible range, ns relative to the profile's origin.
  std::optional<std::pair<double, double>> window;
  // The selected item as a token of stable ids (core/view_selection.h), "" none.
  std::string selection;
  int64_t finding_rank = 0;  // current ranked finding (1-based), 0: none
  std::string finding_kind;  // the findings panel's kind filter, "": all
  bool findings_shown = false;
  bool table_shown = true;
  std::string table_filter;
  std::string table_sort = "endpoints";  // column key (core/connection_rows.h)
  bool table_descending = false;
  double scroll_y = 0;  // the timeline's rows scrolled down by, CSS px (layout units)
  // Display shifts set by hand in the clocks panel: source id to ns.
  std::map<int64_t, int64_t> clock_by_hand;
  std::string search;
  // Folded groups: group keys (a connection id, or "none" for the threads on
  // no connection). With fold_all every group is folded except those listed.
  bool fold_all = false;
  std::vector<std::string> fold;
  bool packed = true;     // thread rows packed (key p)
  bool hide_idle = true;  // idle thread rows hidden (key i)
  bool help = false;
  std::string theme = "dark";

  bool operator==(const ViewState&) const = default;
};

// The hash text (no leading '#') of `state`, leaving out what equals
// `defaults` (the view the profile opens with) so that links stay short.
std::string view_to_hash(const ViewState& state, const ViewState& defaults);

struct ParsedView {
  ViewState state;                    // `defaults` overridden by what the hash says
  std::vector<std::string> problems;  // what could not be read, in words
  int version = ViewState::kVersion;  // the link's
};

// Reads a hash (with or without its leading '#'); what it does not say, or
// says in a way this lurk cannot read, stays as in `defaults`.
ParsedView view_from_hash(const std::string& hash, const ViewState& defaults);

// Whether going from `before` to `after` is a view the user chose (a new
// history entry: a selection, a fold, a panel, a filter...), not the
// continuous moves that only replace the current entry (dragging, wheel
// zooming, typing a search or filter).
bool is_chosen_change(const ViewState& before, const ViewState& after);

// Percent-encoding of a hash value (all but unreserved characters and ,.:~-_).
std::string percent_encode(const std::string& text);
std::string percent_decode(const std::string& text);

}  // namespace lurk::ui
