// Nesting depth of one thread's spans by their times, computed as the spans
// arrive, for traces that write a span when it ends (Chrome "X": the inner
// span comes first) as well as when it begins ("B"/"E"). The rule is the one
// renest_spans() applies to stored spans: in order of start (longest first,
// then lower depth), a span sits inside every earlier span that has not
// ended by its start. When the spans of a thread arrive in that order, the
// depth given here is final; when they do not (a start earlier than one
// already seen, a tie this cannot order yet, an "E" dated before a later
// start), the thread is marked in doubt and must be renested once stored.
// Memory: the spans still enclosing the latest start, i.e. the nesting depth.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <vector>

namespace lurk {

class TimeNesting {
 public:
  static constexpr int64_t kOpen = std::numeric_limits<int64_t>::max();  // end not known yet
  // Where an open span is, for end().
  struct Slot {
    std::size_t index = 0;
    uint64_t start_number = 0;  // 1 for the thread's first span
  };

  // A span from start_ns to end_ns (kOpen: ends later, through end()).
  // Returns its depth; `slot` (may be null for known ends) receives its place.
  int start(int64_t start_ns, int64_t end_ns, Slot* slot);
  // The span at `slot` ends at end_ns (not before its start).
  void end(const Slot& slot, int64_t end_ns);
  // True when a depth given may differ from renest_spans()'s.
  bool in_doubt() const { return in_doubt_; }

 private:
  struct Enclosing {
    int64_t end;
    // Started at the same time as the entry below it, right after it: the
    // order by start then longest first holds only if this ends no later.
    bool tied_with_below;
  };
  bool known(std::size_t index) const { return stack_[index].end != kOpen; }
  void check_ties_at(std::size_t index);

  std::vector<Enclosing> stack_;  // innermost last
  int64_t last_start_ = std::numeric_limits<int64_t>::min();
  uint64_t starts_ = 0;
  std::size_t last_index_ = 0;  // where the latest span to start was pushed
  bool in_doubt_ = false;
};

}  // namespace lurk
