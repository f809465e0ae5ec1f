// One timeline frame's draw records as text, one record a line, and a digest
// of that text: how a test tells that two frames are the same records (the
// in-browser frame and the one `lurk view --native` sent for the same view,
// tests/browser/native_view.test.mjs). Coordinates are written to 1/100 px,
// so that a last-bit difference between the browser's and the native build's
// floating point does not count; colors, items and texts are exact.
#pragma once

#include <string>

#include "core/timeline_frame.h"

namespace lurk::ui {

std::string frame_records_text(const TimelineFrame& frame);
// FNV-1a 64 of frame_records_text, as 16 hex digits.
std::string frame_records_digest(const TimelineFrame& frame);

}  // namespace lurk::ui
