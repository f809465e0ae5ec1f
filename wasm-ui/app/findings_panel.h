// The findings panel: the ranked rows of `lurk findings` (docs/findings.md)
// in the same order, each in its kind's timeline colour, a count per kind
// that filters by kind when clicked, and the detail in a column and on hover.
// Long lists are clipped so only visible rows are built. Its view state
// (shown, filter, current row) lives in core/findings_view; this file only
// draws it and reports the row the user clicked.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "core/finding_list.h"
#include "core/findings_view.h"
#include "core/snapshot.h"

namespace lurk::ui {

class FindingsPanel {
 public:
  void reset(const FindingList& list) {
    view_.reset(list);
    scroll_to_current_ = false;
  }
  FindingsView& view() { return view_; }
  const FindingsView& view() const { return view_; }
  // The current row changed by a key: scroll the list to it when next drawn.
  void reveal_current() { scroll_to_current_ = true; }

  // Draws the panel `height` pixels tall (its kind line included); returns
  // the row (index in list.rows()) the user clicked this frame.
  std::optional<uint32_t> draw(const FindingList& list, float height, bool light);
  void fill_snapshot(const FindingList& list, SnapshotFindingsPanel& out) const;

 private:
  void draw_kind_filters(const FindingList& list, bool light);
  std::optional<uint32_t> draw_rows(const FindingList& list, float height, bool light);

  FindingsView view_;
  bool scroll_to_current_ = false;
  // Where the last frame drew each visible row (by rank) and kind button, on
  // the page (CSS px), so tests can click them.
  std::vector<SnapshotPlace> drawn_rows_, drawn_kinds_;
};

}  // namespace lurk::ui
