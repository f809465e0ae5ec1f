#include "core/timeline_frame.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>

#include "core/mark_style.h"
#include "core/ruler_ticks.h"
#include "core/timeline_frame_builder.h"

namespace lurk::ui {
namespace frame_detail {

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
  char detail[240];
  // A group fitted to the screen says so: its rows are lines without names.
  char thin[80] = "";
  if (layout.thin_group() == r.group)
    std::snprintf(thin, sizeof thin, "  \xc2\xb7  %g px rows to fit (hover a line for its name)",
                  double(layout.thin_row_height()));
  if (g.connection >= 0) {
    const ConnectionLanes& c = model.connections()[size_t(g.connection)];
    text(view.label_left + 6, ty, pal.header_text, arrow + c.label, view.left - 4);
    std::snprintf(detail, sizeof detail, "%s  \xc2\xb7  %lld packet%s  \xc2\xb7  %zu thread%s%s%s",
                  c.state.empty() ? "?" : c.state.c_str(), (long long)c.packets,
                  c.packets == 1 ? "" : "s", g.threads.size(), g.threads.size() == 1 ? "" : "s",
                  c.exceptions ? "  \xc2\xb7  exceptions" : "", thin);
    float x0 = float(map.x_of(double(c.first_ns))), x1 = float(map.x_of(double(c.last_ns)));
    rect(x0, top + 4, std::max(x1, x0 + 2), top + r.height - 5, pal.lane_extent);
    // At the connection's start, but pulled left so that it is never cut by the
    // right edge (about 7 px a character).
    float width = 7.0f * float(std::strlen(detail));
    float tx = std::max(view.left + 4, std::min(std::max(view.left, x0) + 4, right() - width));
    text(tx, ty, pal.dim, detail, right());
  } else {
    text(view.label_left + 6, ty, pal.header_text, arrow + "threads on no connection", view.left - 4);
    std::snprintf(detail, sizeof detail, "%zu thread%s in %zu rows  \xc2\xb7  %zu counter%s%s",
                  g.threads.size(), g.threads.size() == 1 ? "" : "s", layout.group_thread_rows(r.group),
                  g.counters.size(), g.counters.size() == 1 ? "" : "s", thin);
    text(view.left + 4, ty, pal.dim, detail, right());
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
  // Between thin rows (a fitted group) a full head would cover rows around it.
  auto thin_row = [&](size_t row) { return rows[row].kind == RowKind::Thread && thin(rows[row].height); };
  for (size_t i = begin; i < end; ++i) {
    std::optional<size_t> a = f[i].from_thread >= 0 ? end_row(f[i].from_thread) : packet_end(f[i].packet_lane);
    std::optional<size_t> b = f[i].to_thread >= 0 ? end_row(f[i].to_thread) : packet_end(f[i].packet_lane);
    if (!a || !b) continue;
    if ((*a < first_row || *a >= last_row) && (*b < first_row || *b >= last_row)) continue;
    float ya = y_of(*a), yb = y_of(*b);
    frame.lines.push_back({float(map.x_of(double(f[i].from_ns))), ya, float(map.x_of(double(f[i].to_ns))), yb,
                           pal.flow, 1.0f, true, thin_row(*a) || thin_row(*b) ? 3.0f : 6.0f});
    ++frame.arrows;
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

}  // namespace frame_detail

using frame_detail::Builder;

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
