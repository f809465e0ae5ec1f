#include "core/timeline_layout.h"

#include <algorithm>

namespace lurk::ui {

void TimelineLayout::build(const ProfileModel& model, const std::vector<bool>& collapsed,
                           const LayoutMetrics& metrics) {
  metrics_ = metrics;
  rows_.clear();
  group_rows_.assign(model.groups().size(), -1);
  thread_rows_.assign(model.threads().size(), -1);
  float y = 0;
  auto add = [&](RowKind kind, uint32_t group, uint32_t index, float height) {
    rows_.push_back({kind, group, index, y, height});
    y += height;
  };
  for (size_t g = 0; g < model.groups().size(); ++g) {
    const LaneGroup& group = model.groups()[g];
    if (group.connection >= 0 && !model.connections()[size_t(group.connection)].shown()) continue;
    group_rows_[g] = int32_t(rows_.size());
    add(RowKind::GroupHeader, uint32_t(g), 0, metrics.header);
    if (g < collapsed.size() && collapsed[g]) {
      y += metrics.gap;
      continue;
    }
    // A connection a trace showed by its promises alone has no packets: no
    // empty packet lanes above its threads.
    if (group.connection >= 0 && model.connections()[size_t(group.connection)].packets > 0) {
      add(RowKind::Packets, uint32_t(g), 0, metrics.packet_lane);
      add(RowKind::Packets, uint32_t(g), 1, metrics.packet_lane);
    }
    for (uint32_t t : group.threads) {
      int depths = std::clamp(model.threads()[t].depth_count(), 1, metrics.max_depth_rows);
      thread_rows_[t] = int32_t(rows_.size());
      add(RowKind::Thread, uint32_t(g), t, metrics.thread_marks + float(depths) * metrics.span_row);
    }
    for (uint32_t c : group.counters) add(RowKind::Counter, uint32_t(g), c, metrics.counter_lane);
    y += metrics.gap;
  }
  total_height_ = y;
}

std::pair<size_t, size_t> TimelineLayout::visible(float y0, float y1) const {
  auto first = std::upper_bound(rows_.begin(), rows_.end(), y0,
                                [](float y, const LayoutRow& r) { return y < r.y + r.height; });
  auto last = std::lower_bound(first, rows_.end(), y1,
                               [](const LayoutRow& r, float y) { return r.y < y; });
  return {size_t(first - rows_.begin()), size_t(last - rows_.begin())};
}

std::optional<size_t> TimelineLayout::row_at(float y) const {
  auto [first, last] = visible(y, y + 0.001f);
  if (first < last && y >= rows_[first].y && y < rows_[first].y + rows_[first].height)
    return first;
  return std::nullopt;
}

std::optional<size_t> TimelineLayout::group_row(uint32_t group) const {
  if (group >= group_rows_.size() || group_rows_[group] < 0) return std::nullopt;
  return size_t(group_rows_[group]);
}

std::optional<size_t> TimelineLayout::thread_row(uint32_t thread) const {
  if (thread >= thread_rows_.size() || thread_rows_[thread] < 0) return std::nullopt;
  return size_t(thread_rows_[thread]);
}

std::optional<size_t> TimelineLayout::packet_row(uint32_t group, int dir) const {
  std::optional<size_t> header = group_row(group);
  if (!header) return std::nullopt;
  size_t row = *header + 1 + size_t(dir);
  if (row < rows_.size() && rows_[row].kind == RowKind::Packets && rows_[row].group == group)
    return row;
  return std::nullopt;
}

}  // namespace lurk::ui
