// The timeline frame's builder, shared by the files that draw each kind of
// row (timeline_frame.cpp: headers, periods, flows, the ruler;
// timeline_frame_packets.cpp, timeline_frame_threads.cpp,
// timeline_frame_counters.cpp): the view, the layout, the highlights and the
// frame being filled, with the small drawing helpers they all use. Private to
// core/timeline_frame*.
#pragma once

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "core/frame_palette.h"
#include "core/mark_merging.h"
#include "core/search_index.h"
#include "core/timeline_frame.h"

namespace lurk::ui::frame_detail {

// Merged packet blocks at least this wide are drawn pixel column by column.
constexpr float kDensityBlockPx = 4.0f;

struct Builder {
  const ProfileModel& model;
  const TimelineLayout& layout;
  const FrameView& view;
  const FrameHighlights& hl;
  const Palette& pal;
  PixelMapping map;
  TimelineFrame frame;

  float right() const { return view.left + view.width; }
  float row_top(const LayoutRow& row) const { return view.top + row.y - view.scroll_y; }
  // Where a thread row's lifetime line is: arrows start and end on it.
  float thread_line_y(const LayoutRow& row) const {
    bool compact = layout.slot(row.index).depths == 0;
    bool dense = compact && row.height < layout.metrics().thread_line;
    if (compact && thin(row.height)) return row_top(row) + (row.height - 1) / 2;
    return row_top(row) + (dense ? 4.0f : compact ? 16.0f : layout.metrics().thread_marks / 2);
  }
  // A fitted group's compact rows: lines a few px tall, no text (timeline_layout.h).
  bool thin(float row_height) const { return row_height < layout.metrics().thread_dense; }
  // Rectangles are clamped to the time axis so they never cover the labels.
  void rect(float x0, float y0, float x1, float y1, uint32_t color, ItemRef ref = {},
            uint32_t outline = 0) {
    x0 = std::max(x0, view.left);
    x1 = std::min(x1, right());
    if (x1 < x0) return;
    frame.rects.push_back({x0, y0, x1, y1, color, outline, ref});
  }
  void text(float x, float y, uint32_t color, std::string s, float clip = 1e9f) {
    frame.texts.push_back({x, y, clip, color, std::move(s)});
  }
  uint32_t outline_for(const ItemRef& ref) {
    if (hl.selected && hl.selected == ref) return pal.selection;
    if (hl.search && hl.search->item_matches(model, ref)) {
      ++frame.search_marked;
      if (ref.kind == ItemKind::SpanBlock || ref.kind == ItemKind::InstantBlock)
        ++frame.search_marked_blocks;
      return pal.highlight;
    }
    return 0;
  }

  void periods();
  void row(const LayoutRow& row);
  void header_row(const LayoutRow& row, float top);
  void packet_row(const LayoutRow& row, float top);
  void thread_row(const LayoutRow& row, float top);
  void packet_columns(const ConnectionLanes& c, int dir, uint32_t lane, const MarkBlock& b,
                      float y0, float y1, LaneDensity& density);
  void row_label(const ThreadSlot& slot, const std::vector<IntervalBlock>& blocks, float top,
                 float height);
  void one_thread(uint32_t index, float top, float height, bool compact, bool dense, float next_x);
  void thin_thread(uint32_t index, float top, float height, float next_x);
  void thin_label(const ThreadSlot& slot, float top, float height);
  float label_bottom_ = -1e9f;  // where the last thread row's name ends (dense rows)
  void edge_indicator(const ThreadSlot& slot, float top);
  void counter_fold_row(const LayoutRow& row, float top);
  void counter_lane(const CounterLane& c, uint32_t index, const CounterFamily& f, float top, float height);
  void thread_spans(const ThreadLane& t, uint32_t index, float top);
  void counter_row(const LayoutRow& row, float top);
  void flows(size_t first_row, size_t last_row);
  void ruler();
};

}  // namespace lurk::ui::frame_detail
