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

LaneCache::LaneCache(Database& db, ui::ProfileModel& model, size_t budget_bytes, LaneStore* store,
                     std::function<std::unique_ptr<Database>()> open_second)
    : db_(db), open_second_(std::move(open_second)), model_(model), store_(store), budget_(budget_bytes) {
  model_.set_activity_probe([this](ui::ProfileModel::LaneKind kind, uint32_t index, int dir, double t0,
                                   double t1) { return probe(kind, index, dir, t0, t1); });
}

void LaneCache::prepare(const ui::TimelineLayout& layout, size_t first, size_t last) {
  ++frame_;
  const auto& groups = model_.groups();
  std::vector<Lane> wanted;
  for (size_t i = first; i < last && i < layout.rows().size(); ++i) {
    const ui::LayoutRow& row = layout.rows()[i];
    switch (row.kind) {
      case ui::RowKind::Packets:
        wanted.push_back({Kind::Connection, uint32_t(groups[row.group].connection)});
        break;
      case ui::RowKind::Thread:
        for (uint32_t t : layout.slot(row.index).threads) wanted.push_back({Kind::Thread, t});
        break;
      case ui::RowKind::Counter:
        for (uint32_t c : layout.family(row.index).counters) wanted.push_back({Kind::Counter, c});
        break;
      case ui::RowKind::GroupHeader:
      case ui::RowKind::CounterFold:
        break;
    }
  }
  if (!store_) read_from_rows(wanted);
  for (const Lane& lane : wanted) use(lane);
  drop_beyond_budget();
}

void LaneCache::read_from_rows(const std::vector<Lane>& wanted) {
  std::vector<LaneKey> missing;
  for (const Lane& lane : wanted) {
    if (held_.count(lane)) continue;
    LaneKey key{lane.kind, lane.index};
    if (partial_ && partial_->has(key)) continue;  // use() reads it back from there
    bool seen = false;  // a lane wanted twice is read once
    for (const LaneKey& m : missing) seen = seen || (m.kind == key.kind && m.index == key.index);
    if (!seen) missing.push_back(key);
  }
  if (missing.size() < 2) return;  // use() reads it
  if (!second_ && open_second_) {
    try {
      second_ = open_second_();
    } catch (const std::exception&) {
      open_second_ = nullptr;  // read alone from now on
    }
  }
  std::vector<ReadLane> read;
  read_lanes(db_, second_.get(), model_, missing, read);
  for (size_t i = 0; i < missing.size(); ++i)
    hold({missing[i].kind, missing[i].index}, adopt_lane(model_, missing[i], std::move(read[i])), false);
}

void LaneCache::hold_item(const ui::ItemRef& item) {
  using ui::ItemKind;
  switch (item.kind) {
    case ItemKind::Packet:
    case ItemKind::PacketBlock:
      if (item.lane / 2 < model_.connections().size()) use({Kind::Connection, item.lane / 2});
      break;
    case ItemKind::Thread:
    case ItemKind::Span:
    case ItemKind::SpanBlock:
    case ItemKind::Running:
    case ItemKind::Instant:
    case ItemKind::InstantBlock:
      if (item.lane < model_.threads().size()) use({Kind::Thread, item.lane});
      break;
    case ItemKind::Counter:
      if (item.lane < model_.counters().size()) use({Kind::Counter, item.lane});
      break;
    default:
      break;
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
  bool stored = false;
  if (store_) {
    switch (lane.kind) {
      case Kind::Connection: stored = store_->load_connection(model_, lane.index, bytes); break;
      case Kind::Thread: stored = store_->load_thread(model_, lane.index, bytes); break;
      case Kind::Counter: stored = store_->load_counter(model_, lane.index, bytes); break;
    }
  }
  if (!store_ && partial_ && partial_->load(model_, {lane.kind, lane.index}, bytes)) {
    ++partial_loads_;
    return hold(lane, bytes, false, true);
  }
  if (!stored) {
    switch (lane.kind) {
      case Kind::Connection: bytes = model_.load_connection_lanes(db_, lane.index); break;
      case Kind::Thread: bytes = model_.load_thread_events(db_, lane.index); break;
      case Kind::Counter: bytes = model_.load_counter_samples(db_, lane.index); break;
    }
  }
  hold(lane, bytes, stored);
}

void LaneCache::hold(Lane lane, size_t bytes, bool stored, bool partial) {
  ++loads_;
  if (stored) ++store_loads_;
  lru_.push_front(lane);
  held_[lane] = {lru_.begin(), bytes, frame_, partial};
  bytes_ += bytes;
  peak_ = std::max(peak_, bytes_);
}

void LaneCache::set_store(LaneStore* store) {
  for (const Lane& lane : lru_) unload(lane);
  lru_.clear();
  held_.clear();
  bytes_ = 0;
  store_ = store;
}

LaneCache::~LaneCache() { set_partial(nullptr); }

void LaneCache::set_partial(std::shared_ptr<PartialLaneStore> partial) {
  if (partial_ != partial) {
    std::vector<Lane> viewed;
    for (const Lane& lane : lru_)
      if (held_[lane].partial) viewed.push_back(lane);
    for (const Lane& lane : viewed) drop(lane);
  }
  partial_ = std::move(partial);
}

// A lane viewed in the store gives back its pages too (lane_store.h).
void LaneCache::unload(Lane lane) {
  auto it = held_.find(lane);
  bool viewed_in_partial = partial_ && it != held_.end() && it->second.partial;
  switch (lane.kind) {
    case Kind::Connection:
      model_.unload_connection_lanes(lane.index);
      if (store_) store_->release_connection(lane.index);
      break;
    case Kind::Thread:
      model_.unload_thread_events(lane.index);
      if (store_) store_->release_thread(lane.index);
      break;
    case Kind::Counter:
      model_.unload_counter_samples(lane.index);
      if (store_) store_->release_counter(lane.index);
      break;
  }
  if (viewed_in_partial) partial_->release({lane.kind, lane.index});
}

void LaneCache::drop_beyond_budget() {
  while (bytes_ > budget_ && !lru_.empty()) {
    Lane lane = lru_.back();
    Held& h = held_[lane];
    if (h.frame == frame_) break;  // everything older is gone: the rest is this frame's
    drop(lane);
    ++drops_;
  }
}

void LaneCache::drop(Lane lane) {
  auto it = held_.find(lane);
  if (it == held_.end()) return;
  unload(lane);
  bytes_ -= it->second.bytes;
  lru_.erase(it->second.position);
  held_.erase(it);
}

// The statements of a lane kind: its first time, its last time, and whether
// it has a row in [?, ?] (each one index seek); the lane's key is bound from
// parameter 1, the window after it.
Statement& LaneCache::lane_statement(ui::ProfileModel::LaneKind kind, uint32_t index, int dir, int which) {
  static const char* const kKey[3] = {
      "FROM packets WHERE connection_id = ?1 AND dir = ?2 AND id <= ?3",
      "FROM counters WHERE name = ?1 AND thread_id = ?2 AND id <= ?3",
      "FROM counters WHERE name = ?1 AND thread_id IS NULL AND -coalesce(source_id, 0) = ?2 AND id <= ?3"};
  int lane = 0;
  const ui::CounterLane* counter = nullptr;
  if (kind == ui::ProfileModel::LaneKind::Counter) {
    counter = &model_.counters()[index];
    lane = counter->key > 0 ? 1 : 2;
  }
  std::optional<Statement>& st = statements_[lane][which];
  if (!st) {
    std::string key = kKey[lane];
    st.emplace(db_.prepare(which == 0   ? "SELECT ts_ns " + key + " ORDER BY ts_ns LIMIT 1"
                           : which == 1 ? "SELECT ts_ns " + key + " ORDER BY ts_ns DESC LIMIT 1"
                                        : "SELECT 1 " + key + " AND ts_ns BETWEEN ?4 AND ?5 LIMIT 1"));
  }
  st->reset();
  if (counter) {
    st->bind(1, int64_t(counter->name)).bind(2, counter->key).bind(3, model_.last_row_ids().counters);
  } else {
    st->bind(1, model_.connections()[index].id).bind(2, int64_t(dir ? 1 : 0)).bind(3, model_.last_row_ids().packets);
  }
  return *st;
}

const LaneCache::Bounds& LaneCache::bounds(ui::ProfileModel::LaneKind kind, uint32_t index, int dir) {
  bool packets = kind == ui::ProfileModel::LaneKind::Packets;
  std::vector<std::optional<Bounds>>& all = packets ? packet_bounds_ : counter_bounds_;
  size_t slot = packets ? size_t(index) * 2 + size_t(dir ? 1 : 0) : size_t(index);
  if (all.size() <= slot) all.resize(packets ? model_.connections().size() * 2 : model_.counters().size());
  std::optional<Bounds>& b = all[slot];
  if (!b) {
    Statement& first = lane_statement(kind, index, dir, 0);
    if (!first.step()) {
      b = Bounds();
    } else {
      int64_t t_first = first.column_int(0);
      Statement& last = lane_statement(kind, index, dir, 1);
      b = last.step() ? Bounds(std::make_pair(t_first, last.column_int(0))) : Bounds();
    }
  }
  return *b;
}

// Is there a row of the lane in the window? With a store, a binary search of
// the lane's array in its mapping answers; else the lane's bounds answer most
// windows, and one inside them takes an index seek.
bool LaneCache::probe(ui::ProfileModel::LaneKind kind, uint32_t index, int dir, double t0, double t1) {
  if (t1 < t0) return false;
  if (store_) {  // a binary search in the store's mapping, no query
    std::optional<bool> in = kind == ui::ProfileModel::LaneKind::Packets ? store_->packets_in(model_, index, dir, t0, t1)
                                                                         : store_->samples_in(model_, index, t0, t1);
    if (in) return *in;
  }
  int64_t shift = kind == ui::ProfileModel::LaneKind::Packets ? model_.connections()[index].display_shift_ns
                                                              : model_.counters()[index].display_shift_ns;
  int64_t offset = saturating_sub(model_.origin_ns(), shift);
  int64_t lo = absolute_bound(t0, true, offset), hi = absolute_bound(t1, false, offset);
  if (hi < lo) return false;
  const Bounds& b = bounds(kind, index, dir);
  if (!b || hi < b->first || lo > b->second) return false;
  if (lo <= b->first || hi >= b->second) return true;  // the window holds an end
  Statement& any = lane_statement(kind, index, dir, 2);
  any.bind(4, lo).bind(5, hi);
  return any.step();
}

}  // namespace lurk::server
