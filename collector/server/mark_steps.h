// `]` / `[` in server-backed viewing (GET /mark, docs/server.md): the page
// holds only the profile's outline, which knows no flagged packet nor
// exception instant, so the next or previous finding mark is found here,
// lane by lane in the lane store, in the order the page keeps its marks in
// (core/finding_marks.h, MarkKey): flagged packets of shown connections,
// exception instants, a failed thread without one at its end; wrapping
// around; within one group when asked.
#pragma once

#include <cstdint>
#include <optional>

#include "core/finding_marks.h"
#include "core/profile_model.h"
#include "server/lane_store.h"

namespace lurk::server {

// Where a step starts: the current mark (when the selection is one in
// scope), else the time at the window's centre.
struct MarkCursor {
  std::optional<ui::MarkKey> current;
  double t_ns = 0;
};

// The mark after (`forward`) or before the cursor, of `group` only when it
// is >= 0 (as FindingMarks::next / previous); std::nullopt with `none` set
// when there is none, unset when the store cannot say (a lane it does not
// give and the model does not hold).
std::optional<ui::FindingMark> step_mark(const LaneStore& store, const ui::ProfileModel& model, const MarkCursor& cursor,
                                         bool forward, int32_t group, bool& none);

// `item` as a mark when it is one (a flagged packet of a shown connection,
// an exception instant, a failed thread without one), read from the store;
// nullopt when it is not (or the store cannot say).
std::optional<ui::FindingMark> mark_of(const LaneStore& store, const ui::ProfileModel& model, const ui::ItemRef& item);

}  // namespace lurk::server
