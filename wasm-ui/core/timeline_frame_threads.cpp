// Thread rows of the timeline frame: each row's threads (lifetime lines,
// running periods, spans by depth, instants), its label, failure text drawn
// only at the failure, and an edge indicator for one outside the view.
#include "core/timeline_frame_builder.h"

#include <cmath>
#include <cstdio>

#include "core/mark_style.h"

namespace lurk::ui::frame_detail {

void Builder::thread_row(const LayoutRow& r, float top) {
  const ThreadSlot& slot = layout.slot(r.index);
  const auto& threads = model.threads();
  const auto& ids = slot.threads;
  auto t0_at = [&](size_t k) { return threads[ids[k]].start_ns; };
  auto t1_at = [&](size_t k) { return threads[ids[k]].end_ns; };
  // Disjoint lifetimes (one per row when not packed): merged like spans of one depth.
  std::vector<IntervalBlock> blocks = merge_intervals(ids.size(), t0_at, t1_at, map);
  bool compact = slot.depths == 0;
  bool dense = compact && r.height < layout.metrics().thread_line;
  if (compact && thin(r.height)) {
    thin_label(slot, top, r.height);
    for (size_t k = 0; k < blocks.size(); ++k) {
      const IntervalBlock& b = blocks[k];
      if (b.count == 1) {
        thin_thread(ids[b.first], top, r.height, k + 1 < blocks.size() ? blocks[k + 1].x0 - 3 : right());
        continue;
      }
      uint32_t failed = slot.failed_before[b.first + b.count] - slot.failed_before[b.first];
      ItemRef ref{ItemKind::Thread, ids[b.first], 0, b.count};
      rect(b.x0, top, std::max(b.x1, b.x0 + 1), top + r.height - 1, failed ? pal.failed_text : pal.block,
           ref, outline_for(ref));
    }
    edge_indicator(slot, top);
    return;
  }
  row_label(slot, blocks, top, r.height);
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

// A thin row (a fitted group, timeline_layout.h): no name in the label
// column, except the selected thread's (its hover tooltip names the others).
void Builder::thin_label(const ThreadSlot& slot, float top, float height) {
  const auto& ids = slot.threads;
  ItemRef first{ItemKind::Thread, ids.front(), 0};
  frame.rects.push_back({view.label_left, top, view.left, top + height, 0, 0, first});
  if (hl.selected.kind != ItemKind::Thread && hl.selected.kind != ItemKind::Instant &&
      hl.selected.kind != ItemKind::Running)
    return;
  uint32_t selected = hl.selected.lane;
  if (selected >= model.threads().size() || layout.thread_row(selected) != layout.thread_row(ids.front()))
    return;
  const ThreadLane& t = model.threads()[selected];
  std::string title = "\xe2\x96\xb6 " + thread_title(model, selected);  // ▶
  if (t.failed && t.exception) title += "  \xe2\x9c\x96 " + std::string(model.text(t.exception));
  float ty = top + height / 2 - view.text_height / 2;
  frame.rects.push_back({view.label_left + 18, ty, view.left - 2, ty + view.text_height, pal.header, 0, {}});
  text(view.label_left + 22, ty, t.failed ? pal.failed_text : pal.text, std::move(title), view.left - 4);
}

// One thread of a thin row: its lifetime as a line filling the row but for a
// 1 px gap, running periods and instants over it; red when it failed, with
// its exception's text at the failure (on a background: it covers the rows
// under it) while that point is in view.
void Builder::thin_thread(uint32_t index, float top, float height, float next_x) {
  const ThreadLane& t = model.threads()[index];
  ItemRef ref{ItemKind::Thread, index, 0};
  float x0 = float(map.x_of(double(t.start_ns))), x1 = std::max(float(map.x_of(double(t.end_ns))), x0 + 1);
  float bottom = top + std::max(1.0f, height - 1);
  // Solid (the lifetime colour of taller rows is too faint for a line this thin).
  rect(x0, top, x1, bottom, t.failed ? pal.failed_text : pal.block, ref, outline_for(ref));
  auto running = merge_intervals(
      t.running.size(), [&](size_t i) { return t.running[i].t0_ns; },
      [&](size_t i) { return t.running[i].t1_ns; }, map);
  for (const IntervalBlock& b : running)
    rect(b.x0, top, std::max(b.x1, b.x0 + 1), bottom, pal.running, {ItemKind::Running, index, b.first, b.count});
  for (const MarkBlock& b : merge_instant_marks(t, map)) {
    ItemRef mark{b.count == 1 ? ItemKind::Instant : ItemKind::InstantBlock, index, b.first, b.count};
    float w = b.kind == MarkKind::Exception ? 2.0f : 1.0f;
    rect(b.x0 - w, top, std::max(b.x1 + w, b.x0 + w), bottom,
         b.kind == MarkKind::Exception ? mark_color(MarkKind::Exception) : pal.dim, mark, outline_for(mark));
  }
  if (!t.failed || x1 < view.left || x1 > right()) return;
  std::string why = "\xe2\x9c\x96 ";  // ✖
  why += t.exception ? std::string(model.text(t.exception)) : std::string("failed");
  float tx = x1 + 5, ty = top + height / 2 - view.text_height / 2;
  float clip = std::min(next_x, right());
  float width = std::min(clip - tx, 7.0f * float(why.size()));  // about 7 px a character
  if (width > 8) frame.rects.push_back({tx - 2, ty, tx + width, ty + view.text_height, pal.header, 0, {}});
  text(tx, ty, pal.exception_text, std::move(why), clip);
  frame.exception_labels.push_back({t.id, double(t.end_ns), tx});
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

}  // namespace lurk::ui::frame_detail
