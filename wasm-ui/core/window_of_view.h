// A window of the timeline (ns from the profile's start, as the time axis,
// a link's t= and the view say) as the stored times of each source, which
// a cut takes (collector/export/window_cut.h): the timeline's 0 is the
// model's origin, and a source drawn moved (a clock aligned by hand, or one
// nobody aligned: source_clocks.h) shows its rows shifted, so its window is
// its own. Used by `lurk export --window` and by lurk view's /window.lurk.
#pragma once

#include "core/profile_model.h"
#include "export/window_cut.h"

namespace lurk::ui {

// Edges taken outward to whole nanoseconds.
CutWindow stored_window(const ProfileModel& model, double from_ns, double to_ns);

}  // namespace lurk::ui
