// The layout row that shows an item: its lane's (a packet's direction row,
// a span's or instant's thread row), else its group's header. The page
// scrolls to it (a step to a match, a mark, a finding), and lurk view says
// where it lies in the layout of each frame it draws (FrameAnswer's
// selected row): with idle rows hidden, which rows show depends on events
// only lurk view holds.
#pragma once

#include <cstddef>
#include <optional>

#include "core/item_ref.h"
#include "core/profile_model.h"
#include "core/timeline_layout.h"

namespace lurk::ui {

std::optional<size_t> item_row(const TimelineLayout& layout, const ProfileModel& model, const ItemRef& item);

}  // namespace lurk::ui
