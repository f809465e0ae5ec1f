// LaneCache (lane_cache.h): which lanes a frame's rows draw, an LRU of the
// lanes read, and the index probes for lanes not held.
#include "server/lane_cache.h"

#include <cmath>

#include "net/time_arith.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {
namespace {

// A relative time bound (double ns, as the layout asks) as the absolute
// integer bound of the rows: the first integer at or after `t` (ceil) or at
// or before it, plus `offset`, saturated.
int64_t absolute_bound(double t, bool ceiling, int64_t offset) {
  double whole = ceiling ? std::ceil(t) : std::floor(t);
  whole = std::clamp(whole, -9.0e18, 9.0e18);
  return saturating_add(int64_t(whole), offset);
}

}  // namespace

LaneCache::LaneCache(Database& db, ui::ProfileModel& model, size_t budget_bytes)
    : db_(db), model_(model), budget_(budget_bytes) {
  model_.set_activity_probe([this](ui::ProfileModel::LaneKind kind, uint32_t index, int dir, double t0,
                                   double t1) { return probe(kind, index, dir, t0, t1); });
}

void LaneCache::prepare(const ui::TimelineLayout& layout, size_t first, size_t last) {
  ++frame_;
  const auto& groups = model_.groups();
  for (size_t i = first; i < last && i < layout.rows().size(); ++i) {
    const ui::LayoutRow& row = layout.rows()[i];
    switch (row.kind) {
      case ui::RowKind::Packets:
        use({Kind::Connection, uint32_t(groups[row.group].connection)});
        break;
      case ui::RowKind::Thread:
        for (uint32_t t : layout.slot(row.index).threads) use({Kind::Thread, t});
        break;
      case ui::RowKind::Counter:
        for (uint32_t c : layout.family(row.index).counters) use({Kind::Counter, c});
        break;
      case ui::RowKind::GroupHeader:
      case ui::RowKind::CounterFold:
        break;
    }
  }
  drop_beyond_budget();
}

void LaneCache::use(Lane lane) {
  auto it = held_.find(lane);
  if (it != held_.end()) {
    lru_.splice(lru_.begin(), lru_, it->second.position);
    it->second.frame = frame_;
    return;
  }
  size_t bytes = 0;
  switch (lane.kind) {
    case Kind::Connection: bytes = model_.load_connection_lanes(db_, lane.index); break;
    case Kind::Thread: bytes = model_.load_thread_events(db_, lane.index); break;
    case Kind::Counter: bytes = model_.load_counter_samples(db_, lane.index); break;
  }
  ++loads_;
  lru_.push_front(lane);
  held_[lane] = {lru_.begin(), bytes, frame_};
  bytes_ += bytes;
  peak_ = std::max(peak_, bytes_);
}

void LaneCache::drop_beyond_budget() {
  while (bytes_ > budget_ && !lru_.empty()) {
    Lane lane = lru_.back();
    Held& h = held_[lane];
    if (h.frame == frame_) break;  // everything older is gone: the rest is this frame's
    switch (lane.kind) {
      case Kind::Connection: model_.unload_connection_lanes(lane.index); break;
      case Kind::Thread: model_.unload_thread_events(lane.index); break;
      case Kind::Counter: model_.unload_counter_samples(lane.index); break;
    }
    bytes_ -= h.bytes;
    held_.erase(lane);
    lru_.pop_back();
    ++drops_;
  }
}

// One index seek: is there a row of the lane in the window?
bool LaneCache::probe(ui::ProfileModel::LaneKind kind, uint32_t index, int dir, double t0, double t1) {
  if (t1 < t0) return false;
  const int64_t origin = model_.origin_ns();
  if (kind == ui::ProfileModel::LaneKind::Packets) {
    const ui::ConnectionLanes& c = model_.connections()[index];
    int64_t offset = saturating_sub(origin, c.display_shift_ns);
    Statement q = db_.prepare(
        "SELECT 1 FROM packets WHERE connection_id = ? AND ts_ns BETWEEN ? AND ? AND dir = ? "
        "AND id <= ? LIMIT 1");
    q.bind(1, c.id).bind(2, absolute_bound(t0, true, offset)).bind(3, absolute_bound(t1, false, offset));
    q.bind(4, int64_t(dir ? 1 : 0)).bind(5, model_.last_row_ids().packets);
    return q.step();
  }
  const ui::CounterLane& c = model_.counters()[index];
  int64_t offset = saturating_sub(origin, c.display_shift_ns);
  Statement q = db_.prepare(
      c.key > 0 ? "SELECT 1 FROM counters WHERE name = ? AND thread_id = ? AND ts_ns BETWEEN ? AND ? "
                  "AND id <= ? LIMIT 1"
                : "SELECT 1 FROM counters WHERE name = ? AND thread_id IS NULL AND ts_ns BETWEEN ? AND ? "
                  "AND -coalesce(source_id, 0) = ? AND id <= ? LIMIT 1");
  q.bind(1, int64_t(c.name));
  if (c.key > 0) {
    q.bind(2, c.key).bind(3, absolute_bound(t0, true, offset)).bind(4, absolute_bound(t1, false, offset));
  } else {
    q.bind(2, absolute_bound(t0, true, offset)).bind(3, absolute_bound(t1, false, offset)).bind(4, c.key);
  }
  q.bind(5, model_.last_row_ids().counters);
  return q.step();
}

}  // namespace lurk::server
