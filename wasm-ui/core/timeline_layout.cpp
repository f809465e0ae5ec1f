#include "core/timeline_layout.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "core/mark_merging.h"
#include "core/thread_packer.h"

namespace lurk::ui {
namespace {

bool thread_active(const ThreadLane& t, double t0, double t1) {
  return double(t.start_ns) <= t1 && double(t.end_ns) >= t0;
}

bool family_active(const ProfileModel& model, const CounterFamily& f, double t0, double t1) {
  for (uint32_t c : f.counters)
    if (model.samples_in(c, t0, t1)) return true;
  return false;
}

}  // namespace

bool slot_active(const ProfileModel& model, const ThreadSlot& slot, double t0, double t1) {
  const auto& threads = model.threads();
  const auto& ids = slot.threads;
  // Disjoint lifetimes sorted by start have sorted ends: the first ending at
  // or after t0 is the only candidate that can reach into the range first.
  size_t i = lod_detail::first_at_or_after(ids.size(), t0,
                                           [&](size_t k) { return threads[ids[k]].end_ns; });
  return i < ids.size() && thread_active(threads[ids[i]], t0, t1);
}

void TimelineLayout::pack(const ProfileModel& model, bool packed) {
  if (packed_threads_ == model.threads().size() && packed_mode_ == packed) return;
  packed_threads_ = model.threads().size();
  packed_mode_ = packed;
  const auto& threads = model.threads();
  slots_.clear();
  group_slots_.assign(model.groups().size(), {});
  thread_slot_.assign(threads.size(), 0);
  families_.clear();
  group_families_.assign(model.groups().size(), {});
  std::vector<int32_t> local(threads.size(), -1);
  for (size_t g = 0; g < model.groups().size(); ++g) {
    const LaneGroup& group = model.groups()[g];
    std::vector<PackThread> input;
    for (size_t k = 0; k < group.threads.size(); ++k) local[group.threads[k]] = int32_t(k);
    for (uint32_t t : group.threads) {
      const ThreadLane& lane = threads[t];
      // Links to threads of another group are not followed (-1 there).
      input.push_back({lane.start_ns, lane.end_ns, lane.parent >= 0 ? local[size_t(lane.parent)] : -1,
                       lane.became >= 0 ? local[size_t(lane.became)] : -1});
    }
    ThreadPacking packing;
    if (packed) {
      packing = pack_threads(input);
    } else {
      packing.rows = uint32_t(input.size());
      for (uint32_t k = 0; k < input.size(); ++k) packing.row_of.push_back(k);
    }
    size_t base = slots_.size();
    slots_.resize(base + packing.rows);
    for (uint32_t r = 0; r < packing.rows; ++r) group_slots_[g].push_back(uint32_t(base + r));
    for (size_t k = 0; k < group.threads.size(); ++k) {
      uint32_t t = group.threads[k];
      size_t s = base + packing.row_of[k];
      slots_[s].threads.push_back(t);
      thread_slot_[t] = uint32_t(s);
    }
    for (uint32_t t : group.threads) local[t] = -1;
    // Families: one per counter name, in first-seen order.
    std::map<uint32_t, uint32_t> by_name;
    for (uint32_t c : group.counters) {
      const CounterLane& lane = model.counters()[c];
      auto [it, fresh] = by_name.emplace(lane.name, uint32_t(families_.size()));
      if (fresh) {
        families_.push_back({lane.name, {}, lane.min, lane.max});
        group_families_[g].push_back(it->second);
      }
      CounterFamily& f = families_[it->second];
      f.counters.push_back(c);
      f.min = std::min(f.min, lane.min);
      f.max = std::max(f.max, lane.max);
    }
  }
  for (ThreadSlot& s : slots_) {
    std::sort(s.threads.begin(), s.threads.end(), [&](uint32_t a, uint32_t b) {
      return threads[a].start_ns != threads[b].start_ns ? threads[a].start_ns < threads[b].start_ns : a < b;
    });
    s.failed_before.assign(1, 0);
    for (uint32_t t : s.threads) {
      s.depths = std::max(s.depths, threads[t].depth_count());
      s.failed_before.push_back(s.failed_before.back() + (threads[t].failed ? 1 : 0));
    }
  }
}

bool TimelineLayout::group_active(const ProfileModel& model, uint32_t g,
                                  const LayoutOptions& o) const {
  const LaneGroup& group = model.groups()[g];
  if (group.connection >= 0) {
    for (int dir = 0; dir < 2; ++dir)
      if (model.packets_in(uint32_t(group.connection), dir, o.t0, o.t1)) return true;
  }
  for (uint32_t s : group_slots_[g])
    if (slot_active(model, slots_[s], o.t0, o.t1)) return true;
  for (uint32_t f : group_families_[g])
    if (family_active(model, families_[f], o.t0, o.t1)) return true;
  return false;
}

void TimelineLayout::build(const ProfileModel& model, const std::vector<bool>& collapsed,
                           const LayoutMetrics& metrics, const LayoutOptions& options) {
  pack(model, options.packed);
  metrics_ = metrics;
  rows_.clear();
  group_rows_.assign(model.groups().size(), -1);
  thread_rows_.assign(model.threads().size(), -1);
  thin_group_.reset();
  thin_height_ = 0;
  const double t0 = options.t0, t1 = options.t1;
  const bool idle = options.hide_idle;
  counters_open_ = options.counters_open;
  // The groups shown, and their thread rows shown (idle ones dropped).
  std::vector<uint32_t> groups;
  std::vector<std::vector<uint32_t>> shown(model.groups().size());
  size_t shown_rows = 0;
  for (uint32_t g = 0; g < model.groups().size(); ++g) {
    const LaneGroup& group = model.groups()[g];
    if (group.connection >= 0 && !model.connections()[size_t(group.connection)].shown()) continue;
    if (idle && options.keep_group != g && !group_active(model, g, options)) continue;
    groups.push_back(g);
    if (g < collapsed.size() && collapsed[g]) continue;
    for (uint32_t s : group_slots_[g])
      if (!idle || slot_active(model, slots_[s], t0, t1)) shown[g].push_back(s);
    shown_rows += shown[g].size();
  }
  // Many rows shown in all: rows without spans become dense lines (names every
  // other row) in every group, so a screen holds as many threads as it can.
  const float line = shown_rows > metrics.dense_over ? metrics.thread_dense : metrics.thread_line;
  float y = 0;
  for (uint32_t g : groups) {
    bool folded = g < collapsed.size() && collapsed[g];
    size_t first = rows_.size();
    float top = y;
    y = add_group(model, g, shown[g], folded, line, options, y);
    if (folded || options.keep_group != g || options.fit_height <= 0) continue;
    // The highlighted group does not fit the rows area: its compact rows thin
    // down so that it does (1 px line + 1 px gap at the thinnest).
    float extent = y - metrics.gap - top;
    if (extent <= options.fit_height) continue;
    size_t compact = 0;
    for (uint32_t s : shown[g]) compact += slots_[s].depths == 0 ? 1 : 0;
    if (compact == 0) continue;
    float fixed = extent - float(compact) * line;
    float thin = std::max(metrics.thread_thin_min, std::floor((options.fit_height - fixed) / float(compact)));
    if (thin >= line) continue;
    rows_.resize(first);
    y = add_group(model, g, shown[g], folded, thin, options, top);
    thin_group_ = g;
    thin_height_ = thin;
  }
  total_height_ = y;
}

// Lays out one group from `y` (compact thread rows `line` tall); returns the y after it.
float TimelineLayout::add_group(const ProfileModel& model, uint32_t g, const std::vector<uint32_t>& shown,
                                bool folded, float line, const LayoutOptions& options, float y) {
  const double t0 = options.t0, t1 = options.t1;
  const bool idle = options.hide_idle;
  auto add = [&](RowKind kind, uint32_t index, float height) {
    rows_.push_back({kind, g, index, y, height});
    y += height;
  };
  const LaneGroup& group = model.groups()[g];
  group_rows_[g] = int32_t(rows_.size());
  add(RowKind::GroupHeader, 0, metrics_.header);
  if (folded) return y + metrics_.gap;
  // A connection a trace showed by its promises alone has no packets: no
  // empty packet lanes above its threads.
  if (group.connection >= 0 && model.connections()[size_t(group.connection)].packets > 0) {
    for (uint32_t dir = 0; dir < 2; ++dir) {
      if (idle && !model.packets_in(uint32_t(group.connection), int(dir), t0, t1)) continue;
      add(RowKind::Packets, dir, metrics_.packet_lane);
    }
  }
  for (uint32_t s : shown) {
    const ThreadSlot& slot = slots_[s];
    for (uint32_t t : slot.threads) thread_rows_[t] = int32_t(rows_.size());
    int depths = std::min(slot.depths, metrics_.max_depth_rows);
    add(RowKind::Thread, s, depths == 0 ? line : metrics_.thread_marks + float(depths) * metrics_.span_row);
  }
  const auto& families = group_families_[g];
  bool foldable = families.size() > metrics_.fold_counters_over;
  bool open = !foldable || (g < options.counters_open.size() && options.counters_open[g]);
  if (foldable) add(RowKind::CounterFold, uint32_t(families.size()), metrics_.counter_fold);
  if (open) {
    for (uint32_t f : families) {
      if (idle && !family_active(model, families_[f], t0, t1)) continue;
      add(RowKind::Counter, f, metrics_.counter_lane);
    }
  }
  return y + metrics_.gap;
}

std::optional<std::pair<float, float>> TimelineLayout::group_extent(uint32_t group) const {
  std::optional<size_t> header = group_row(group);
  if (!header) return std::nullopt;
  size_t last = *header;
  while (last + 1 < rows_.size() && rows_[last + 1].group == group) ++last;
  return std::make_pair(rows_[*header].y, rows_[last].y + rows_[last].height);
}

size_t TimelineLayout::group_thread_rows(uint32_t group) const {
  return group < group_slots_.size() ? group_slots_[group].size() : 0;
}

size_t TimelineLayout::counter_family_count(uint32_t group) const {
  return group < group_families_.size() ? group_families_[group].size() : 0;
}

bool TimelineLayout::counters_folded(uint32_t group) const {
  return counter_family_count(group) > metrics_.fold_counters_over &&
         !(group < counters_open_.size() && counters_open_[group]);
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
  for (size_t row = *header + 1; row < rows_.size() && row <= *header + 2; ++row)
    if (rows_[row].kind == RowKind::Packets && rows_[row].group == group && rows_[row].index == uint32_t(dir))
      return row;
  return std::nullopt;
}

}  // namespace lurk::ui
