// What a user sees of each mark colour: the rectangles of the last timeline
// frame (not the ruler's) counted by the mark kind whose colour they carry,
// for the snapshot's `marksOnScreen` (docs/ui-snapshot.md). Tests assert on
// it that an exception, a retransmission, a duplicate ACK ... are on screen.
#pragma once

#include <cstdint>
#include <map>
#include <string>

#include "core/timeline_frame.h"

namespace lurk::ui {

// Mark kind name (mark_kind_name) -> rectangles drawn in its colour; kinds
// with none are absent. `Normal` segments are not counted.
std::map<std::string, int64_t> marks_on_screen(const TimelineFrame& frame, bool light_theme);

}  // namespace lurk::ui
