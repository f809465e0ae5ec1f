// Counts the last frame's rectangles by mark colour (see marks_on_screen.h).
#include "core/marks_on_screen.h"

#include "core/mark_style.h"

namespace lurk::ui {

std::map<std::string, int64_t> marks_on_screen(const TimelineFrame& frame, bool light_theme) {
  std::map<uint32_t, MarkKind> by_color;
  // From the least to the most severe, so a colour two kinds share names the worse.
  for (int k = int(MarkKind::Normal) + 1; k < int(MarkKind::Count); ++k)
    by_color[mark_color(MarkKind(k), light_theme)] = MarkKind(k);
  std::map<std::string, int64_t> counts;
  size_t end = frame.ruler_rects < frame.rects.size() ? frame.ruler_rects : frame.rects.size();
  for (size_t i = 0; i < end; ++i) {
    auto it = by_color.find(frame.rects[i].color);
    if (it != by_color.end()) ++counts[mark_kind_name(it->second)];
  }
  return counts;
}

}  // namespace lurk::ui
