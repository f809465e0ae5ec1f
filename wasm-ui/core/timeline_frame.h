// The pure half of drawing the timeline: turns the model, the layout and the
// visible range into plain draw records (rectangles, texts, lines), each
// rectangle carrying the item it shows. The ImGui panel only emits them, and
// hit-testing (hover, click) searches them, so both are testable natively.
// Only rows and items on screen are visited (see mark_merging.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/item_ref.h"
#include "core/ruler_ticks.h"
#include "core/profile_model.h"
#include "core/time_window.h"
#include "core/timeline_layout.h"

namespace lurk::ui {

class SearchIndex;

struct DrawRect {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  uint32_t color = 0;
  uint32_t outline = 0;  // 0: none
  ItemRef ref;           // None: decoration, not hit-tested
};

struct DrawText {
  float x = 0, y = 0;
  float clip_x1 = 1e9f;  // text is cut at this x
  uint32_t color = 0;
  std::string text;
};

struct DrawLine {
  float x0 = 0, y0 = 0, x1 = 0, y1 = 0;
  uint32_t color = 0;
  float thickness = 1;
  bool arrow = false;  // arrow head at (x1, y1)
  float head = 6;      // its length (half as wide); small between thin rows
};

// Screen geometry of the panel, in CSS pixels.
struct FrameView {
  TimeWindow window;
  float label_left = 0, label_width = 280;
  float left = 280, width = 1000;     // the time axis
  float ruler_top = 0, ruler_height = 28;
  float top = 28, height = 600;       // the rows area
  float scroll_y = 0;
  bool light = false;
  float text_height = 15;
};

struct FrameHighlights {
  std::optional<uint32_t> selected_group;
  ItemRef selected;
  const SearchIndex* search = nullptr;
  std::optional<std::pair<double, double>> measure;  // relative ns
  std::vector<bool> collapsed;                       // per group
};

// A failed thread's exception text drawn at its end (thread id, relative ns, x).
struct ExceptionLabel {
  int64_t thread = 0;
  double t_ns = 0;
  float x = 0;
};

// How a packet lane was drawn: pixel columns (or marks) holding packets, and
// those among them showing a flagged packet (retransmission, reset, ...).
struct LaneDensity {
  int64_t connection = 0;
  int dir = 0;
  int64_t columns = 0, flagged_columns = 0;
};

struct TimelineFrame {
  std::vector<DrawRect> rects;
  std::vector<DrawText> texts;
  std::vector<DrawLine> lines;
  // Records from these indices on belong to the ruler (drawn with its own clip).
  size_t ruler_rects = 0, ruler_texts = 0, ruler_lines = 0;
  // Rectangles outlined as search matches, and how many of them are merged
  // blocks (a block holding at least one match).
  int64_t search_marked = 0, search_marked_blocks = 0;
  std::vector<ExceptionLabel> exception_labels;
  int64_t arrows = 0;           // flow arrows drawn
  int64_t edge_indicators = 0;  // "← ✖ 2.37 s earlier" texts at the left edge
  std::vector<LaneDensity> densities;  // packet lanes drawn, top to bottom
  std::vector<RulerTick> ticks;        // the ruler's ticks
  std::string ruler_origin;            // "0 = 2026-11-29 20:57:19.000000000 UTC" (or the trace's start)
  std::string ruler_prefix;            // "5.302000 s" when the ticks are offsets from it, else ""
  double ruler_prefix_ns = 0;          // relative
  double ruler_step_ns = 0;
  // The topmost item at (x, y); thin items are hit within a pixel or two.
  ItemRef hit_test(float x, float y) const;
  int64_t primitives() const { return int64_t(rects.size() + texts.size() + lines.size()); }
};

TimelineFrame build_timeline_frame(const ProfileModel& model, const TimelineLayout& layout,
                                   const FrameView& view, const FrameHighlights& highlights);

// Text shown for a thread: its name, else "thread <id>".
std::string thread_title(const ProfileModel& model, uint32_t thread);

}  // namespace lurk::ui
