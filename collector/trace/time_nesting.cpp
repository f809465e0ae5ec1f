#include "trace/time_nesting.h"

#include <algorithm>

namespace lurk {

int TimeNesting::start(int64_t start_ns, int64_t end_ns, Slot* slot) {
  bool tie = starts_ > 0 && start_ns == last_start_;
  if (starts_ > 0 && start_ns < last_start_) in_doubt_ = true;
  // A span that ended by this start encloses nothing from here on.
  while (!stack_.empty() && stack_.back().end <= start_ns) stack_.pop_back();
  bool tied = false;
  if (tie) {
    if (stack_.size() == last_index_ + 1) {
      tied = true;  // the span that started just before is still open: compare ends
    } else if (end_ns != start_ns) {
      // That one was zero-length and is gone; renest would put this one,
      // longer, first.
      in_doubt_ = true;
    }
  }
  size_t index = stack_.size();
  stack_.push_back(Enclosing{end_ns, tied});
  last_index_ = index;
  last_start_ = std::max(last_start_, start_ns);
  ++starts_;
  if (slot) *slot = Slot{index, starts_};
  check_ties_at(index);
  return static_cast<int>(index);
}

void TimeNesting::end(const Slot& slot, int64_t end_ns) {
  if (slot.index >= stack_.size() || known(slot.index)) {
    in_doubt_ = true;  // not the open span this slot named
    return;
  }
  // A later span started at or after this end: it was given a depth inside
  // this span, which renest would not (unless it is this span itself).
  if (end_ns < last_start_ || (end_ns == last_start_ && slot.start_number != starts_))
    in_doubt_ = true;
  stack_[slot.index].end = end_ns;
  check_ties_at(slot.index);
  if (slot.index + 1 < stack_.size()) check_ties_at(slot.index + 1);
}

// Two spans that start together are in renest's order when the first ends
// no earlier than the second; equal ends are ordered by depth, as here.
void TimeNesting::check_ties_at(size_t index) {
  const Enclosing& e = stack_[index];
  if (!e.tied_with_below || index == 0) return;
  if (known(index) && known(index - 1) && e.end > stack_[index - 1].end) in_doubt_ = true;
}

}  // namespace lurk
