// The findings panel's view state, apart from its drawing code: whether the
// panel is shown, the kind filter, the rows it lets through (in rank order),
// and the current finding that `n` / `N` step from. Portable: unit-tested
// natively.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/finding_list.h"

namespace lurk::ui {

class FindingsView {
 public:
  // Starts over on a new list: no filter, no current row, shown when there
  // is anything to show.
  void reset(const FindingList& list);

  bool shown() const { return shown_; }
  void toggle() { shown_ = !shown_; }
  void set_shown(bool shown) { shown_ = shown; }

  // Keeps only rows of `kind` ("" for every kind). The current row stays
  // current only when the filter lets it through.
  void set_filter(const FindingList& list, const std::string& kind);
  const std::string& filter() const { return filter_; }

  // Indices in list.rows() of the rows the filter lets through, ranked.
  const std::vector<uint32_t>& visible() const { return visible_; }
  // Current row: index in list.rows(), -1 for none.
  int64_t current() const { return current_; }
  // Position of the current row in visible(), -1 when none or filtered out.
  int64_t current_position() const;
  void set_current(int64_t row) { current_ = row; }

  // The next (forward) or previous visible row after the current one,
  // wrapping; from no current row: the first / the last. Makes it current and
  // returns its index in list.rows(), or -1 when the filter lets none through.
  int64_t step(bool forward);

 private:
  bool shown_ = false;
  std::string filter_;
  std::vector<uint32_t> visible_;
  int64_t current_ = -1;
};

}  // namespace lurk::ui
