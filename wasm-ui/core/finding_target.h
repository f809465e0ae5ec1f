// Where a finding takes the timeline when its row is clicked or stepped to:
// the item to select and the time window to fit (relative ns). A packet
// finding selects the packet of its connection at its time; a stall (or any
// finding with a duration) fits [ts, ts + duration]; an exception selects the
// failed thread's exception instant (at ts, else its last before ts; the
// thread when it has none) and fits the thread; a
// connection-level finding selects the connection's group and fits it.
#pragma once

#include "core/finding_list.h"
#include "core/item_ref.h"
#include "core/profile_model.h"

namespace lurk::ui {

struct FindingTarget {
  ItemRef item;              // None when the finding names nothing loaded
  bool has_window = false;
  double t0_ns = 0, t1_ns = 0;  // relative to the origin, margins included
};

// Margin on each side of a fitted range, as a fraction of it.
constexpr double kFindingMargin = 0.1;
// A finding at one instant on a connection is shown with its neighbourhood:
// a fiftieth of the connection's duration, within these bounds.
constexpr double kPointWindowMinNs = 100'000, kPointWindowMaxNs = 100'000'000;

FindingTarget finding_target(const ProfileModel& model, const FindingRow& finding);

// The lane finding_target reads for `finding`: its thread's (a failed
// thread's exception) or its shown connection's packets; -1 for none. A
// lazy model's owner loads it first (server-backed viewing: GET /finding).
struct FindingLane {
  int32_t thread = -1, connection = -1;
};
FindingLane finding_lane(const ProfileModel& model, const FindingRow& finding);

}  // namespace lurk::ui
