#include "core/findings_view.h"

#include <algorithm>

namespace lurk::ui {

void FindingsView::reset(const FindingList& list) {
  shown_ = !list.empty();
  current_ = -1;
  set_filter(list, "");
}

void FindingsView::set_filter(const FindingList& list, const std::string& kind) {
  filter_ = kind;
  visible_.clear();
  for (size_t i = 0; i < list.rows().size(); ++i)
    if (kind.empty() || list.rows()[i].kind == kind) visible_.push_back(uint32_t(i));
}

int64_t FindingsView::current_position() const {
  if (current_ < 0) return -1;
  auto it = std::lower_bound(visible_.begin(), visible_.end(), uint32_t(current_));
  return it != visible_.end() && *it == uint32_t(current_) ? int64_t(it - visible_.begin()) : -1;
}

int64_t FindingsView::step(bool forward) {
  if (visible_.empty()) return -1;
  int64_t n = int64_t(visible_.size());
  int64_t position;
  if (current_ < 0) {
    position = forward ? 0 : n - 1;
  } else if (int64_t at = current_position(); at >= 0) {
    position = (at + (forward ? 1 : n - 1)) % n;
  } else {
    // The current row is filtered out: the nearest visible row in rank order
    // in the direction of the step.
    auto it = std::upper_bound(visible_.begin(), visible_.end(), uint32_t(current_));
    int64_t after = int64_t(it - visible_.begin());  // first visible row ranked after it
    position = forward ? (after < n ? after : 0) : (after > 0 ? after - 1 : n - 1);
  }
  current_ = visible_[size_t(position)];
  return current_;
}

}  // namespace lurk::ui
