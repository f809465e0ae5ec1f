// Counter rows of the timeline frame: one graph row per counter family,
// and the "▸ N counters" row they fold under.
#include "core/timeline_frame_builder.h"

#include <cmath>
#include <cstdio>

namespace lurk::ui::frame_detail {

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

}  // namespace lurk::ui::frame_detail
