// What `]` / `[` step through (n / N walk the ranked findings panel): every
// exception (exception instants, and failed threads that have none) and every
// flagged packet (any analysis kind worse than a window update), in time
// order, all of them or those of one group (the selected connection's).
// Built once per profile.
#pragma once

#include <cstdint>
#include <vector>

#include "core/item_ref.h"
#include "core/mark_style.h"
#include "core/profile_model.h"

namespace lurk::ui {

struct FindingMark {
  int64_t t_ns = 0;
  MarkKind kind = MarkKind::Normal;
  uint32_t group = 0;
  ItemRef item;
};

class FindingMarks {
 public:
  void build(const ProfileModel& model);
  const std::vector<FindingMark>& marks() const { return marks_; }
  // The mark after / before `current` (an index, wrapping), or, with no
  // current mark (or one outside the scope), the first one after / last one
  // before `t_ns`; -1 when none. With `group` >= 0 only marks of that group
  // are in scope.
  int64_t next(int64_t current, double t_ns, int32_t group = -1) const;
  int64_t previous(int64_t current, double t_ns, int32_t group = -1) const;
  // Index of the mark for `item`, -1 when it is not one.
  int64_t find(const ItemRef& item) const;
  // Marks per kind in [t0, t1].
  std::vector<int64_t> count_by_kind(double t0_ns, double t1_ns) const;

 private:
  bool in_scope(size_t i, int32_t group) const;
  std::vector<FindingMark> marks_;
};

}  // namespace lurk::ui
