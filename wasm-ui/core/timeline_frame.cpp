#include "core/timeline_frame.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/mark_merging.h"
#include "core/mark_style.h"
#include "core/ruler_ticks.h"
#include "core/search_index.h"

namespace lurk::ui {
namespace {

constexpr uint32_t rgba(uint8_t r, uint8_t g, uint8_t b, uint8_t a = 255) {
  return uint32_t(a) << 24 | uint32_t(b) << 16 | uint32_t(g) << 8 | r;
}

struct Palette {
  uint32_t header, header_text, text, dim, row_alt, selected_group, lane_extent, lifetime,
      failed_tint, failed_text, running, block, span_text, highlight, selection, ruler, ruler_text,
      grid, gc, idle, flow, measure, counter, exception_text;
};

const Palette& palette(bool light) {
  static const Palette dark{
      rgba(44, 48, 58),    rgba(230, 232, 238), rgba(215, 218, 226), rgba(145, 150, 162),
      rgba(255, 255, 255, 7), rgba(90, 140, 255, 34), rgba(120, 170, 230, 40),
      rgba(150, 160, 180, 70), rgba(235, 50, 50, 36), rgba(255, 110, 110), rgba(90, 200, 120),
      rgba(130, 136, 150), rgba(20, 22, 28), rgba(255, 230, 80), rgba(255, 255, 255),
      rgba(36, 39, 46), rgba(200, 204, 212), rgba(70, 74, 84, 110), rgba(200, 120, 255, 30),
      rgba(120, 120, 120, 28), rgba(200, 200, 255, 150), rgba(90, 160, 255, 45),
      rgba(110, 200, 170), rgba(255, 120, 120)};
  static const Palette bright{
      rgba(222, 226, 234), rgba(20, 24, 32),   rgba(30, 34, 42),    rgba(100, 106, 118),
      rgba(0, 0, 0, 8),    rgba(60, 110, 230, 30), rgba(70, 110, 170, 40),
      rgba(90, 100, 120, 70), rgba(220, 40, 40, 30), rgba(200, 30, 30), rgba(40, 150, 70),
      rgba(120, 126, 140), rgba(10, 10, 14), rgba(230, 160, 0), rgba(0, 0, 0),
      rgba(232, 235, 240), rgba(50, 54, 62), rgba(0, 0, 0, 30), rgba(160, 80, 230, 28),
      rgba(0, 0, 0, 20), rgba(60, 60, 140, 160), rgba(60, 120, 230, 40), rgba(30, 140, 110),
      rgba(200, 30, 30)};
  return light ? bright : dark;
}

// Spans get a muted color picked by their name, so the same name looks the same everywhere.
uint32_t span_color(uint32_t name, bool light) {
  static const uint32_t dark[] = {rgba(86, 130, 190), rgba(96, 160, 130), rgba(170, 140, 80),
                                  rgba(140, 110, 180), rgba(80, 150, 165), rgba(170, 110, 120),
                                  rgba(120, 150, 90), rgba(150, 125, 100)};
  static const uint32_t bright[] = {rgba(150, 185, 235), rgba(150, 215, 180), rgba(235, 205, 140),
                                    rgba(200, 175, 235), rgba(140, 210, 220), rgba(235, 170, 180),
                                    rgba(185, 215, 150), rgba(215, 190, 160)};
  uint32_t h = name * 2654435761u;
  return (light ? bright : dark)[(h >> 13) % 8];
}

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
    return row_top(row) + (dense ? 4.0f : compact ? 16.0f : layout.metrics().thread_marks / 2);
  }
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
  float label_bottom_ = -1e9f;  // where the last thread row's name ends (dense rows)
  void edge_indicator(const ThreadSlot& slot, float top);
  void counter_fold_row(const LayoutRow& row, float top);
  void counter_lane(const CounterLane& c, uint32_t index, const CounterFamily& f, float top, float height);
  void thread_spans(const ThreadLane& t, uint32_t index, float top);
  void counter_row(const LayoutRow& row, float top);
  void flows(size_t first_row, size_t last_row);
  void ruler();
};

void Builder::periods() {
  const float y0 = view.top, y1 = view.top + view.height;
  for (PeriodKind kind : {PeriodKind::Gc, PeriodKind::Idle}) {
    std::span<const PeriodRecord> p = model.periods(kind);
    auto blocks = merge_intervals(
        p.size(), [&](size_t i) { return p[i].t0_ns; }, [&](size_t i) { return p[i].t1_ns; }, map);
    for (const IntervalBlock& b : blocks)
      rect(b.x0, y0, std::max(b.x1, b.x0 + 1), y1, kind == PeriodKind::Gc ? pal.gc : pal.idle,
           {ItemKind::Period, uint32_t(kind), b.first, b.count});
  }
}

void Builder::row(const LayoutRow& r) {
  float top = row_top(r);
  if (hl.selected_group == r.group)
    frame.rects.push_back({view.label_left, top, right(), top + r.height, pal.selected_group, 0, {}});
  switch (r.kind) {
    case RowKind::GroupHeader: header_row(r, top); break;
    case RowKind::Packets: packet_row(r, top); break;
    case RowKind::Thread: thread_row(r, top); break;
    case RowKind::Counter: counter_row(r, top); break;
    case RowKind::CounterFold: counter_fold_row(r, top); break;
  }
}

void Builder::header_row(const LayoutRow& r, float top) {
  const LaneGroup& g = model.groups()[r.group];
  ItemRef ref{ItemKind::Group, r.group, 0};
  frame.rects.push_back({view.label_left, top, right(), top + r.height - 1, pal.header, 0, ref});
  bool collapsed = r.group < hl.collapsed.size() && hl.collapsed[r.group];
  std::string arrow = collapsed ? "\xe2\x96\xb8 " : "\xe2\x96\xbe ";  // ▸ ▾
  float ty = top + (r.height - view.text_height) / 2;
  char detail[160];
  if (g.connection >= 0) {
    const ConnectionLanes& c = model.connections()[size_t(g.connection)];
    text(view.label_left + 6, ty, pal.header_text, arrow + c.label, view.left - 4);
    std::snprintf(detail, sizeof detail, "%s  \xc2\xb7  %lld packet%s  \xc2\xb7  %zu thread%s%s",
                  c.state.empty() ? "?" : c.state.c_str(), (long long)c.packets,
                  c.packets == 1 ? "" : "s", g.threads.size(), g.threads.size() == 1 ? "" : "s",
                  c.exceptions ? "  \xc2\xb7  exceptions" : "");
    float x0 = float(map.x_of(double(c.first_ns))), x1 = float(map.x_of(double(c.last_ns)));
    rect(x0, top + 4, std::max(x1, x0 + 2), top + r.height - 5, pal.lane_extent);
    // At the connection's start, but pulled left so that it is never cut by the
    // right edge (about 7 px a character).
    float width = 7.0f * float(std::strlen(detail));
    float tx = std::max(view.left + 4, std::min(std::max(view.left, x0) + 4, right() - width));
    text(tx, ty, pal.dim, detail, right());
  } else {
    text(view.label_left + 6, ty, pal.header_text, arrow + "threads on no connection", view.left - 4);
    std::snprintf(detail, sizeof detail, "%zu thread%s in %zu rows  \xc2\xb7  %zu counter%s",
                  g.threads.size(), g.threads.size() == 1 ? "" : "s", layout.group_thread_rows(r.group),
                  g.counters.size(), g.counters.size() == 1 ? "" : "s");
    text(view.left + 4, ty, pal.dim, detail, right());
  }
}

void Builder::packet_row(const LayoutRow& r, float top) {
  const LaneGroup& g = model.groups()[r.group];
  const ConnectionLanes& c = model.connections()[size_t(g.connection)];
  int dir = int(r.index);
  float y0 = top + 2, y1 = top + r.height - 2;
  text(view.label_left + 22, top + (r.height - view.text_height) / 2, pal.dim,
       dir == 0 ? "packets A \xe2\x86\x92 B" : "packets B \xe2\x86\x92 A", view.left - 4);
  float x0 = float(map.x_of(double(c.first_ns))), x1 = float(map.x_of(double(c.last_ns)));
  rect(x0, y0 + 5, std::max(x1, x0 + 1), y1 - 5, pal.lane_extent);
  uint32_t lane = uint32_t(g.connection) * 2 + uint32_t(dir);
  LaneDensity density{c.id, dir, 0, 0};
  for (const MarkBlock& b : merge_packet_marks(c, dir, map)) {
    if (b.count > 1 && b.x1 - b.x0 >= kDensityBlockPx) {
      packet_columns(c, dir, lane, b, y0, y1, density);
      continue;
    }
    ItemRef ref{b.count == 1 ? ItemKind::Packet : ItemKind::PacketBlock, lane, b.first, b.count};
    rect(b.x0 - 1, y0, std::max(b.x1 + 1, b.x0 + 1), y1, mark_color(b.kind, view.light), ref,
         outline_for(ref));
    ++density.columns;
    if (b.kind > MarkKind::WindowUpdate) ++density.flagged_columns;
  }
  frame.densities.push_back(density);
}

// A wide merged block (zoomed out) as one column per pixel: plain columns as
// tall as how many packets the pixel holds (log scale), a column holding a
// flagged packet full height in its worst kind's colour, so where losses
// cluster shows instead of one bar in the worst colour of all.
void Builder::packet_columns(const ConnectionLanes& c, int dir, uint32_t lane, const MarkBlock& b,
                             float y0, float y1, LaneDensity& density) {
  const auto& marks = c.lanes[dir];
  auto time_at = [&](size_t i) { return marks[i].t_ns; };
  struct Column {
    float x;
    uint32_t first, count;
    MarkKind worst;
  };
  std::vector<Column> columns;
  size_t end = size_t(b.first) + b.count;
  size_t i = b.first;
  float x = std::floor(std::max(b.x0, view.left));
  uint32_t most = 1;
  while (i < end && x <= std::min(b.x1, right())) {
    size_t j = std::min(end, lod_detail::first_at_or_after(marks.size(), map.t_of(x + 1), time_at));
    j = std::max(j, i);
    if (j > i) {
      MarkKind worst = MarkKind(c.severity[dir].max(i, j));
      columns.push_back({x, uint32_t(i), uint32_t(j - i), worst});
      most = std::max(most, uint32_t(j - i));
      i = j;
      x += 1;
    } else {
      // Jump to the pixel of the next packet.
      x = std::max(x + 1, std::floor(float(map.x_of(double(marks[i].t_ns)))));
    }
  }
  float full = y1 - y0;
  for (const Column& col : columns) {
    ItemRef ref{col.count == 1 ? ItemKind::Packet : ItemKind::PacketBlock, lane, col.first, col.count};
    bool flagged = col.worst > MarkKind::WindowUpdate;
    float h = flagged ? full
                      : std::max(3.0f, full * std::log1p(float(col.count)) / std::log1p(float(most)));
    rect(col.x, y1 - h, col.x + 1, y1, mark_color(col.worst, view.light), ref, outline_for(ref));
    ++density.columns;
    if (flagged) ++density.flagged_columns;
  }
}

void Builder::thread_row(const LayoutRow& r, float top) {
  const ThreadSlot& slot = layout.slot(r.index);
  const auto& threads = model.threads();
  const auto& ids = slot.threads;
  auto t0_at = [&](size_t k) { return threads[ids[k]].start_ns; };
  auto t1_at = [&](size_t k) { return threads[ids[k]].end_ns; };
  // Disjoint lifetimes (one per row when not packed): merged like spans of one depth.
  std::vector<IntervalBlock> blocks = merge_intervals(ids.size(), t0_at, t1_at, map);
  row_label(slot, blocks, top, r.height);
  bool compact = slot.depths == 0;
  bool dense = compact && r.height < layout.metrics().thread_line;
  for (size_t k = 0; k < blocks.size(); ++k) {
    const IntervalBlock& b = blocks[k];
    // Text after a thread stops where the next thread of the row starts.
    float next_x = k + 1 < blocks.size() ? blocks[k + 1].x0 - 3 : right();
    if (b.count == 1) {
      one_thread(ids[b.first], top, r.height, compact, dense, next_x);
      continue;
    }
    uint32_t failed = slot.failed_before[b.first + b.count] - slot.failed_before[b.first];
    ItemRef ref{ItemKind::Thread, ids[b.first], 0, b.count};
    float y0 = dense ? top + 2 : compact ? top + 14 : top + 1;
    float y1 = dense ? top + r.height - 2 : compact ? top + r.height - 1 : top + 8;
    rect(b.x0, y0, std::max(b.x1, b.x0 + 1), y1, failed ? pal.failed_text : pal.lifetime, ref,
         outline_for(ref));
  }
  edge_indicator(slot, top);
}

// The label column of a thread row: its thread, or for a packed row the
// first thread in view and how many more the row holds.
void Builder::row_label(const ThreadSlot& slot, const std::vector<IntervalBlock>& blocks, float top,
                        float height) {
  const auto& ids = slot.threads;
  uint32_t shown = ids[blocks.empty() ? 0 : blocks.front().first];
  const ThreadLane& t = model.threads()[shown];
  ItemRef ref{ItemKind::Thread, shown, 0};
  frame.rects.push_back({view.label_left, top, view.left, top + std::min(height, 18.0f), 0, 0, ref});
  // Dense rows are shorter than a line of text: a row is named only where the
  // name above it has ended (every other row), at its own top.
  if (top < label_bottom_) return;
  label_bottom_ = top + view.text_height;
  float ty = height < view.text_height ? top - 3 : top + 2;
  std::string title = thread_title(model, shown);
  if (ids.size() > 1) title += "  (+" + std::to_string(ids.size() - 1) + ")";
  text(view.label_left + 22, ty, t.failed ? pal.failed_text : pal.text, std::move(title),
       view.left - 4);
}

void Builder::one_thread(uint32_t index, float top, float height, bool compact, bool dense,
                         float next_x) {
  const ThreadLane& t = model.threads()[index];
  ItemRef thread_ref{ItemKind::Thread, index, 0};
  float x0 = float(map.x_of(double(t.start_ns))), x1 = float(map.x_of(double(t.end_ns)));
  x1 = std::max(x1, x0 + 1);
  float strip = layout.metrics().thread_marks;
  // Compact rows: the name on top, the lifetime line under it; rows with spans:
  // the lifetime line and running periods in a strip over the spans.
  float line0 = dense ? top + 3 : compact ? top + 15 : top + 1;
  float line1 = dense ? top + 5 : compact ? top + 17 : top + 3;
  float run0 = dense ? top + 1 : compact ? top + 13 : top + 4;
  float run1 = dense ? top + 7 : compact ? top + 19 : top + strip - 1;
  if (t.failed) rect(x0, top, std::max(x1, x0 + 2), top + height, pal.failed_tint, thread_ref);
  rect(x0, line0, x1, line1, pal.lifetime, thread_ref, outline_for(thread_ref));
  auto running = merge_intervals(
      t.running.size(), [&](size_t i) { return t.running[i].t0_ns; },
      [&](size_t i) { return t.running[i].t1_ns; }, map);
  for (const IntervalBlock& b : running)
    rect(b.x0, run0, std::max(b.x1, b.x0 + 1), run1, pal.running,
         {ItemKind::Running, index, b.first, b.count});
  if (!compact) thread_spans(t, index, top + strip);
  // Instants over the whole row height, so exceptions cannot be missed.
  for (const MarkBlock& b : merge_instant_marks(t, map)) {
    ItemRef ref{b.count == 1 ? ItemKind::Instant : ItemKind::InstantBlock, index, b.first, b.count};
    float w = b.kind == MarkKind::Exception ? 2.0f : 1.0f;
    rect(b.x0 - w, top, std::max(b.x1 + w, b.x0 + w), top + height,
         b.kind == MarkKind::Exception ? mark_color(MarkKind::Exception) : pal.dim, ref,
         outline_for(ref));
  }
  // The name at the thread, inside its lifetime (compact rows only: span rows show span names).
  float vis0 = std::max(x0, view.left), vis1 = std::min(x1, right());
  if (compact && !dense && vis1 - vis0 > 30)
    text(vis0 + 2, top, t.failed ? pal.failed_text : pal.dim, thread_title(model, index), vis1);
  // The exception's text where the thread failed, only when that point is in view.
  if (t.failed && x1 >= view.left && x1 <= right()) {
    std::string why = "\xe2\x9c\x96 ";  // ✖
    why += t.exception ? std::string(model.text(t.exception)) : std::string("failed");
    float tx = x1 + 5;
    text(tx, dense ? top - 4 : compact ? top : top + strip, pal.exception_text, why,
         std::min(next_x, right()));
    frame.exception_labels.push_back({t.id, double(t.end_ns), tx});
  }
}

// A row whose last thread before the view failed says so at the left edge,
// with how long before the view it was, instead of drawing its text inside.
void Builder::edge_indicator(const ThreadSlot& slot, float top) {
  const auto& threads = model.threads();
  const auto& ids = slot.threads;
  size_t first = lod_detail::first_at_or_after(ids.size(), map.window.t0(),
                                               [&](size_t k) { return threads[ids[k]].end_ns; });
  if (first == 0) return;
  const ThreadLane& before = threads[ids[first - 1]];
  if (!before.failed) return;
  std::string s = "\xe2\x86\x90 \xe2\x9c\x96 " + format_duration(map.window.t0() - double(before.end_ns)) +
                  " earlier";  // ← ✖
  float limit = first < ids.size() ? float(map.x_of(double(threads[ids[first]].start_ns))) - 3 : right();
  if (limit - view.left < 60) return;
  text(view.left + 3, top + 1, pal.dim, std::move(s), std::min(limit, right()));
  ++frame.edge_indicators;
}

void Builder::thread_spans(const ThreadLane& t, uint32_t index, float top) {
  float h = layout.metrics().span_row;
  int depths = std::min(t.depth_count(), layout.metrics().max_depth_rows);
  for (int d = 0; d < depths; ++d) {
    float y0 = top + float(d) * h, y1 = y0 + h - 1;
    for (const IntervalBlock& b : merge_depth_spans(t, d, map)) {
      const SpanRecord& s = t.spans[b.first];
      bool single = b.count == 1;
      ItemRef ref{single ? ItemKind::Span : ItemKind::SpanBlock, index, b.first, b.count};
      float x1 = std::max(b.x1, b.x0 + 1);
      rect(b.x0, y0, x1, y1, single ? span_color(s.name, view.light) : pal.block, ref,
           outline_for(ref));
      float visible0 = std::max(b.x0, view.left), visible1 = std::min(x1, right());
      if (visible1 - visible0 > 24) {
        std::string label = single ? std::string(model.text(s.name))
                                   : std::to_string(b.count) + " spans";
        text(visible0 + 3, y0 + (h - view.text_height) / 2 - 1, pal.span_text, std::move(label),
             visible1 - 2);
      }
    }
  }
}

// One row per counter family (name): every lane of that name drawn as a step
// graph on the family's common scale; each step is hit-tested for its value.
void Builder::counter_row(const LayoutRow& r, float top) {
  const CounterFamily& f = layout.family(r.index);
  char label[200];
  std::string_view name = model.text(f.name);
  if (f.counters.size() > 1)
    std::snprintf(label, sizeof label, "%.*s  \xc3\x97%zu  (%g..%g)", int(name.size()), name.data(),
                  f.counters.size(), f.min, f.max);
  else
    std::snprintf(label, sizeof label, "%.*s  (%g..%g)", int(name.size()), name.data(), f.min, f.max);
  text(view.label_left + 22, top + 2, pal.dim, label, view.left - 4);
  for (uint32_t c : f.counters) counter_lane(model.counters()[c], c, f, top, r.height);
}

void Builder::counter_lane(const CounterLane& c, uint32_t index, const CounterFamily& f, float top,
                           float height) {
  const auto& s = c.samples;
  if (s.empty()) return;
  double range = f.max > f.min ? f.max - f.min : 1;
  float base = top + height - 2, full = height - 6;
  auto y_of = [&](double v) { return base - float((v - f.min) / range) * full; };
  size_t first = lod_detail::first_at_or_after(s.size(), map.window.t0(),
                                               [&](size_t i) { return s[i].t_ns; });
  if (first > 0) --first;  // the sample in force at the left edge
  size_t last = lod_detail::first_after(first, s.size(), map.window.t1(),
                                        [&](size_t i) { return s[i].t_ns; });
  if (last - first <= size_t(view.width)) {
    for (size_t i = first; i < last; ++i) {
      float x0 = float(map.x_of(double(s[i].t_ns)));
      float x1 = i + 1 < s.size() ? float(map.x_of(double(s[i + 1].t_ns))) : right();
      rect(x0, y_of(s[i].value), std::max(x1, x0 + 1), base, pal.counter,
           {ItemKind::Counter, index, uint32_t(i)});
    }
    return;
  }
  // More samples than pixels: one step per pixel column, the value in force there.
  for (float x = view.left; x < right(); x += 1) {
    size_t i = lod_detail::first_after(first, last, map.t_of(x), [&](size_t k) { return s[k].t_ns; });
    if (i == 0) continue;
    rect(x, y_of(s[i - 1].value), x + 1, base, pal.counter, {ItemKind::Counter, index, uint32_t(i - 1)});
  }
}

// "▸ 352 counters in 12 families": a click unfolds them (ItemRef Group, index 1).
void Builder::counter_fold_row(const LayoutRow& r, float top) {
  bool folded = layout.counters_folded(r.group);
  size_t lanes = model.groups()[r.group].counters.size();
  std::string s = folded ? "\xe2\x96\xb8 " : "\xe2\x96\xbe ";
  s += std::to_string(lanes) + (lanes == 1 ? " counter" : " counters") + " in " +
       std::to_string(r.index) + " families";
  frame.rects.push_back({view.label_left, top, right(), top + r.height - 1, pal.row_alt, 0,
                         {ItemKind::Group, r.group, 1}});
  text(view.label_left + 14, top + (r.height - view.text_height) / 2, pal.dim, std::move(s),
       view.left - 4);
}

void Builder::flows(size_t first_row, size_t last_row) {
  const auto& f = model.flows();
  constexpr size_t kMaxArrows = 4000;  // more than this in view: zoom in to see them
  size_t begin = lod_detail::first_at_or_after(f.size(), map.window.t0(),
                                               [&](size_t i) { return f[i].from_ns; });
  size_t end = lod_detail::first_after(begin, f.size(), map.window.t1(),
                                       [&](size_t i) { return f[i].from_ns; });
  if (end - begin > kMaxArrows) return;
  const auto& rows = layout.rows();
  // An end of a flow: a thread's lifetime line, or the middle of a packet
  // lane (tcp-send / tcp-receive: a thread's segment and the packet it was).
  auto end_row = [&](int32_t thread) -> std::optional<size_t> {
    if (thread >= 0) return layout.thread_row(uint32_t(thread));
    return std::nullopt;
  };
  auto packet_end = [&](int32_t lane) -> std::optional<size_t> {
    if (lane < 0) return std::nullopt;
    const ConnectionLanes& c = model.connections()[size_t(lane / 2)];
    return c.group < 0 ? std::nullopt : layout.packet_row(uint32_t(c.group), lane % 2);
  };
  auto y_of = [&](size_t row) {
    const LayoutRow& r = rows[row];
    return r.kind == RowKind::Packets ? row_top(r) + r.height / 2 : thread_line_y(r);
  };
  for (size_t i = begin; i < end; ++i) {
    std::optional<size_t> a = f[i].from_thread >= 0 ? end_row(f[i].from_thread) : packet_end(f[i].packet_lane);
    std::optional<size_t> b = f[i].to_thread >= 0 ? end_row(f[i].to_thread) : packet_end(f[i].packet_lane);
    if (!a || !b) continue;
    if ((*a < first_row || *a >= last_row) && (*b < first_row || *b >= last_row)) continue;
    float ya = y_of(*a), yb = y_of(*b);
    frame.lines.push_back({float(map.x_of(double(f[i].from_ns))), ya,
                           float(map.x_of(double(f[i].to_ns))), yb, pal.flow, 1.0f, true});
  }
}

void Builder::ruler() {
  float top = view.ruler_top, bottom = top + view.ruler_height;
  frame.rects.push_back({view.label_left, top, right(), bottom, pal.ruler, 0, {}});
  RulerScale scale = ruler_scale(view.window, view.left, view.width);
  for (const RulerTick& tick : scale.ticks) {
    frame.lines.push_back({tick.x, bottom - 7, tick.x, bottom, pal.ruler_text, 1, false});
    frame.lines.push_back({tick.x, bottom, tick.x, view.top + view.height, pal.grid, 1, false});
    // Right of its tick, or left of it at the right edge (about 7 px a character).
    float width = 7.0f * float(tick.label.size());
    float tx = tick.x + 3 + width > right() ? tick.x - 3 - width : tick.x + 3;
    text(tx, top + 3, pal.ruler_text, tick.label, right());
  }
  // Over the labels: where 0 is (a UTC date-time for Unix times), and the
  // common prefix the ticks are offsets from, when they are.
  std::string utc = format_utc(model.origin_ns());
  frame.ruler_origin = utc.empty() ? "0 = the trace's first event" : "0 = " + utc;
  text(view.label_left + 6, top + 3, pal.dim, frame.ruler_origin, view.left - 4);
  if (scale.has_prefix)
    text(view.label_left + 6, top + 4 + view.text_height, pal.ruler_text, scale.prefix + " +", view.left - 4);
  frame.ruler_prefix = scale.prefix;
  frame.ruler_prefix_ns = scale.prefix_ns;
  frame.ruler_step_ns = scale.step_ns;
  frame.ticks = std::move(scale.ticks);
  if (hl.measure) {
    float x0 = float(map.x_of(hl.measure->first)), x1 = float(map.x_of(hl.measure->second));
    if (x1 < x0) std::swap(x0, x1);
    rect(x0, top, std::max(x1, x0 + 1), view.top + view.height, pal.measure);
  }
}

}  // namespace

std::string thread_title(const ProfileModel& model, uint32_t thread) {
  const ThreadLane& t = model.threads()[thread];
  std::string name(model.text(t.name));
  if (name.empty()) name = (t.kind.empty() ? std::string("thread") : t.kind) + " " + std::to_string(t.id);
  return name;
}

TimelineFrame build_timeline_frame(const ProfileModel& model, const TimelineLayout& layout,
                                   const FrameView& view, const FrameHighlights& highlights) {
  Builder b{model, layout, view, highlights, palette(view.light),
            PixelMapping{view.window, view.left, view.width}, {}};
  b.periods();
  auto [first, last] = layout.visible(view.scroll_y, view.scroll_y + view.height);
  for (size_t i = first; i < last; ++i) b.row(layout.rows()[i]);
  b.flows(first, last);
  b.frame.ruler_rects = b.frame.rects.size();
  b.frame.ruler_texts = b.frame.texts.size();
  b.frame.ruler_lines = b.frame.lines.size();
  b.ruler();
  return std::move(b.frame);
}

ItemRef TimelineFrame::hit_test(float x, float y) const {
  // Topmost first; a thin item is hit within 2 px so single marks can be picked.
  for (auto it = rects.rbegin(); it != rects.rend(); ++it) {
    if (!it->ref) continue;
    float slop = it->x1 - it->x0 < 4 ? 2.0f : 0.0f;
    if (x >= it->x0 - slop && x <= it->x1 + slop && y >= it->y0 && y < it->y1) return it->ref;
  }
  return {};
}

}  // namespace lurk::ui
