// What `]` / `[` step through (n / N walk the ranked findings panel): every
// exception (exception instants, and failed threads that have none) and every
// flagged packet (any analysis kind worse than a window update), in time
// order, all of them or those of one group (the selected connection's).
// Built once per profile, and grown with each follow update by the rows it
// added (append): marks are kept in one total order, by time and then by
// where build() meets them (packet lanes, then threads; by index), so the
// new ones merge in exactly where a build after the same rows puts them.
#pragma once

#include <cstdint>
#include <optional>
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

// Where a mark stands in the order FindingMarks keeps them in (time, then
// packet lanes before threads, by lane, then by index, a thread's failure
// mark after its instants): what `lurk view --native` steps through lane by
// lane in its lane store (GET /mark, collector/server/mark_steps.h).
struct MarkKey {
  int64_t t = 0;
  int rank = 0;  // 0 packets, 1 threads
  uint32_t lane = 0, index = 0;
  static MarkKey of(const FindingMark& m);
  bool operator<(const MarkKey& o) const;
};

class FindingMarks {
 public:
  void build(const ProfileModel& model);
  // After model.append() said yes: the new packets' and instants' marks
  // merged in (a lane whose new items fell among its old ones is marked
  // again whole), failed threads and groups brought up to date. The cost
  // follows the delta (plus the threads, and a pass over the marks when one
  // must move or change group), not the events held.
  void append(const ProfileModel& model);
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
  void add_packet_marks(const ProfileModel& model, size_t connection, int dir, size_t from,
                        std::vector<FindingMark>& into) const;
  // Returns whether it met an exception instant.
  bool add_thread_marks(const ProfileModel& model, size_t thread, size_t from,
                        std::vector<FindingMark>& into) const;
  void place_failure(const ProfileModel& model, size_t thread, std::vector<FindingMark>& into);
  void merge_in(std::vector<FindingMark>& added);
  bool regroup(const ProfileModel& model);
  std::vector<FindingMark> marks_;
  // Per thread: whether it has an exception instant, and the time of its
  // failure mark (failed, no exception instant); per thread and connection,
  // the group its marks hold.
  std::vector<bool> has_exception_;
  std::vector<std::optional<int64_t>> failure_;
  std::vector<int32_t> thread_group_, connection_group_;
};

}  // namespace lurk::ui
