#include "core/timeline_frame.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

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
    std::snprintf(detail, sizeof detail, "%s  \xc2\xb7  %lld packets  \xc2\xb7  %zu threads%s",
                  c.state.empty() ? "?" : c.state.c_str(), (long long)c.packets, g.threads.size(),
                  c.exceptions ? "  \xc2\xb7  exceptions" : "");
    float x0 = float(map.x_of(double(c.first_ns))), x1 = float(map.x_of(double(c.last_ns)));
    rect(x0, top + 4, std::max(x1, x0 + 2), top + r.height - 5, pal.lane_extent);
    text(std::max(view.left, x0) + 4, ty, pal.dim, detail, right());
  } else {
    text(view.label_left + 6, ty, pal.header_text, arrow + "threads on no connection", view.left - 4);
    std::snprintf(detail, sizeof detail, "%zu threads  \xc2\xb7  %zu counters", g.threads.size(),
                  g.counters.size());
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
  for (const MarkBlock& b : merge_packet_marks(c, dir, map)) {
    ItemRef ref{b.count == 1 ? ItemKind::Packet : ItemKind::PacketBlock, lane, b.first, b.count};
    rect(b.x0 - 1, y0, std::max(b.x1 + 1, b.x0 + 1), y1, mark_color(b.kind, view.light), ref,
         outline_for(ref));
  }
}

void Builder::thread_row(const LayoutRow& r, float top) {
  uint32_t index = r.index;
  const ThreadLane& t = model.threads()[index];
  ItemRef thread_ref{ItemKind::Thread, index, 0};
  frame.rects.push_back({view.label_left, top, view.left, top + r.height, 0, 0, thread_ref});
  text(view.label_left + 22, top + 2, t.failed ? pal.failed_text : pal.text,
       thread_title(model, index), view.left - 4);
  float x0 = float(map.x_of(double(t.start_ns))), x1 = float(map.x_of(double(t.end_ns)));
  float strip = layout.metrics().thread_marks;
  if (t.failed) rect(x0, top, std::max(x1, x0 + 2), top + r.height, pal.failed_tint, thread_ref);
  rect(x0, top + 1, std::max(x1, x0 + 1), top + 3, pal.lifetime, thread_ref, outline_for(thread_ref));
  // Running periods: a thin bar under the lifetime line.
  auto running = merge_intervals(
      t.running.size(), [&](size_t i) { return t.running[i].t0_ns; },
      [&](size_t i) { return t.running[i].t1_ns; }, map);
  for (const IntervalBlock& b : running)
    rect(b.x0, top + 4, std::max(b.x1, b.x0 + 1), top + strip - 1, pal.running,
         {ItemKind::Running, index, b.first, b.count});
  thread_spans(t, index, top + strip);
  // Instants over the whole lane height, so exceptions cannot be missed.
  for (const MarkBlock& b : merge_instant_marks(t, map)) {
    ItemRef ref{b.count == 1 ? ItemKind::Instant : ItemKind::InstantBlock, index, b.first, b.count};
    float w = b.kind == MarkKind::Exception ? 2.0f : 1.0f;
    rect(b.x0 - w, top, std::max(b.x1 + w, b.x0 + w), top + r.height,
         b.kind == MarkKind::Exception ? mark_color(MarkKind::Exception) : pal.dim, ref,
         outline_for(ref));
  }
  if (t.failed && x1 < right()) {
    std::string why = "\xe2\x9c\x96 ";  // ✖
    why += t.exception ? std::string(model.text(t.exception)) : std::string("failed");
    text(std::max(x1, view.left) + 5, top + strip, pal.exception_text, why, right());
  }
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

void Builder::counter_row(const LayoutRow& r, float top) {
  const CounterLane& c = model.counters()[r.index];
  char label[160];
  std::snprintf(label, sizeof label, "%.*s  (%g..%g)", int(model.text(c.name).size()),
                model.text(c.name).data(), c.min, c.max);
  text(view.label_left + 22, top + 2, pal.dim, label, view.left - 4);
  const auto& s = c.samples;
  if (s.empty()) return;
  double range = c.max > c.min ? c.max - c.min : 1;
  float base = top + r.height - 2, full = r.height - 6;
  auto y_of = [&](double v) { return base - float((v - c.min) / range) * full; };
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
           {ItemKind::Counter, r.index, uint32_t(i)});
    }
    return;
  }
  // More samples than pixels: one step per pixel column, the value in force there.
  for (float x = view.left; x < right(); x += 1) {
    size_t i = lod_detail::first_after(first, last, map.t_of(x), [&](size_t k) { return s[k].t_ns; });
    if (i == 0) continue;
    rect(x, y_of(s[i - 1].value), x + 1, base, pal.counter, {ItemKind::Counter, r.index, uint32_t(i - 1)});
  }
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
  for (size_t i = begin; i < end; ++i) {
    if (f[i].from_thread < 0 || f[i].to_thread < 0) continue;
    auto a = layout.thread_row(uint32_t(f[i].from_thread));
    auto b = layout.thread_row(uint32_t(f[i].to_thread));
    if (!a || !b) continue;
    if ((*a < first_row || *a >= last_row) && (*b < first_row || *b >= last_row)) continue;
    float ya = row_top(rows[*a]) + layout.metrics().thread_marks / 2;
    float yb = row_top(rows[*b]) + layout.metrics().thread_marks / 2;
    frame.lines.push_back({float(map.x_of(double(f[i].from_ns))), ya,
                           float(map.x_of(double(f[i].to_ns))), yb, pal.flow, 1.0f, true});
  }
}

void Builder::ruler() {
  float top = view.ruler_top, bottom = top + view.ruler_height;
  frame.rects.push_back({view.label_left, top, right(), bottom, pal.ruler, 0, {}});
  std::vector<RulerTick> ticks = ruler_ticks(view.window, view.left, view.width);
  for (const RulerTick& tick : ticks) {
    frame.lines.push_back({tick.x, bottom - 7, tick.x, bottom, pal.ruler_text, 1, false});
    frame.lines.push_back({tick.x, bottom, tick.x, view.top + view.height, pal.grid, 1, false});
    text(tick.x + 3, top + 3, pal.ruler_text, tick.label, right());
  }
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
