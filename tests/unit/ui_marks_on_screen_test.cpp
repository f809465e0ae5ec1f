// marks_on_screen: the snapshot's per-colour count of a frame's rectangles,
// by the palette of mark_style, with the ruler's rectangles left out.
#include <gtest/gtest.h>

#include "core/mark_style.h"
#include "core/marks_on_screen.h"

namespace lurk::ui {
namespace {

DrawRect rect_in(MarkKind kind, bool light) {
  DrawRect r;
  r.color = mark_color(kind, light);
  return r;
}

TEST(UiMarksOnScreen, CountsRowRectanglesByMarkColourNotTheRulers) {
  TimelineFrame frame;
  frame.rects = {rect_in(MarkKind::Exception, false), rect_in(MarkKind::Retransmission, false),
                 rect_in(MarkKind::Retransmission, false), rect_in(MarkKind::Normal, false),
                 rect_in(MarkKind::DuplicateAck, false)};
  frame.ruler_rects = 4;  // the duplicate ACK colour is only on the ruler
  auto counts = marks_on_screen(frame, false);
  EXPECT_EQ(counts["exception"], 1);
  EXPECT_EQ(counts["retransmission"], 2);
  EXPECT_EQ(counts.count("duplicate ACK"), 0u);
  EXPECT_EQ(counts.count("segment"), 0u);
  EXPECT_EQ(counts.size(), 2u);
}

TEST(UiMarksOnScreen, ReadsTheLightPaletteInTheLightTheme) {
  TimelineFrame frame;
  frame.rects = {rect_in(MarkKind::DuplicateAck, true)};
  frame.ruler_rects = 1;
  EXPECT_EQ(marks_on_screen(frame, true)["duplicate ACK"], 1);
  EXPECT_EQ(marks_on_screen(frame, false).count("duplicate ACK"), 0u);  // the dark yellow differs
}

}  // namespace
}  // namespace lurk::ui
