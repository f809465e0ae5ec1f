// The lanes a lazy model (wasm-ui/core/profile_model.h, load_outline) holds
// for `lurk view --native`: before each frame is built, the lanes of the
// rows it draws are read (FrameRenderer's prepare hook); the least recently
// drawn lanes are dropped once the lanes held pass a memory budget, so the
// process's memory follows the budget, not the profile. Lanes of the frame
// being drawn are never dropped, so one frame needing more than the budget
// is still drawn whole (and the budget is passed for it: see over_budget()).
// The layout's "does this lane have an event in the window" (idle rows
// hidden, asked of every lane each time the window moves) is answered for
// lanes not loaded by a binary search of the lane's array in the lane store
// (lane_store.h, no query); without a store, from each lane's first and last
// time (two index seeks the first time, then kept: 16 bytes a lane), and only
// for a window lying strictly inside those by one more index seek. With a
// lane store lanes are views of its mapping, else read from the profile:
// then a frame's lanes not held are read by two threads, each on a
// connection of its own (lane_reads.h), when a second one can be opened.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <list>
#include <optional>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/item_ref.h"
#include "core/profile_model.h"
#include "core/timeline_layout.h"
#include "server/lane_reads.h"
#include "server/lane_store.h"
#include "server/partial_lane_store.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {

class LaneCache {
 public:
  // `db`, `model` and `store` (nullptr: none) outlive the cache; installs
  // the model's activity probe.
  // `open_second`, when given, opens a second connection to the profile
  // (once, when a frame first needs two lanes from its rows), with which a
  // frame's lanes are read two at a time; it must read the rows `db` reads.
  LaneCache(Database& db, ui::ProfileModel& model, size_t budget_bytes, LaneStore* store = nullptr,
            std::function<std::unique_ptr<Database>()> open_second = {});
  // Loads the lanes of rows [first, last) of `layout`, then drops others
  // beyond the budget.
  void prepare(const ui::TimelineLayout& layout, size_t first, size_t last);
  // Loads the lane an item of a frame lies in (GET /item), when it names a
  // lane the model has; the item's index is checked by the caller.
  void hold_item(const ui::ItemRef& item);
  // Lanes are read from `store` from now on (nullptr: from the profile);
  // every lane held is dropped first, for those from the store before are
  // views of its mapping, which goes with it.
  void set_store(LaneStore* store);
  // While there is no store: lanes a cold open's background has already put
  // in the one it is making are views of it (nullptr: none). Lanes held
  // from the one before are dropped first (their views go with it).
  void set_partial(std::shared_ptr<PartialLaneStore> partial);
  ~LaneCache();
  uint64_t partial_loads() const { return partial_loads_; }  // of loads(), those the partial store gave

  size_t bytes() const { return bytes_; }
  size_t budget() const { return budget_; }
  uint64_t loads() const { return loads_; }
  uint64_t store_loads() const { return store_loads_; }  // of loads(), those the store gave
  uint64_t drops() const { return drops_; }
  size_t lanes_held() const { return lru_.size(); }
  // The most bytes held at once (above the budget when one frame needed more).
  size_t peak_bytes() const { return peak_; }

 private:
  using Kind = LaneOf;
  struct Lane {
    Kind kind;
    uint32_t index;
    bool operator==(const Lane& o) const { return kind == o.kind && index == o.index; }
  };
  struct LaneHash {
    size_t operator()(const Lane& l) const { return (size_t(l.kind) << 32) ^ l.index; }
  };
  struct Held {
    std::list<Lane>::iterator position;  // in lru_, most recent first
    size_t bytes = 0;
    uint64_t frame = 0;  // the last frame that drew it
    bool partial = false;  // a view of the partial store
  };
  void use(Lane lane);
  // Reads the lanes of `wanted` neither held nor given by the store, two at
  // a time (lane_reads.h), and holds them.
  void read_from_rows(const std::vector<Lane>& wanted);
  void hold(Lane lane, size_t bytes, bool stored, bool partial = false);
  void drop(Lane lane);
  void drop_beyond_budget();
  void unload(Lane lane);
  bool probe(ui::ProfileModel::LaneKind kind, uint32_t index, int dir, double t0, double t1);
  // First and last time (absolute) of a lane not loaded; nullopt: no rows.
  using Bounds = std::optional<std::pair<int64_t, int64_t>>;
  const Bounds& bounds(ui::ProfileModel::LaneKind kind, uint32_t index, int dir);
  // Binds the lane's key to a statement of the kind (see lane_cache.cpp) from parameter 1.
  Statement& lane_statement(ui::ProfileModel::LaneKind kind, uint32_t index, int dir, int which);
  std::vector<std::optional<Bounds>> packet_bounds_, counter_bounds_;  // [connection * 2 + dir], [counter]
  std::optional<Statement> statements_[3][3];  // [packets, thread counter, global counter][first, last, any in]

  Database& db_;
  std::function<std::unique_ptr<Database>()> open_second_;
  std::unique_ptr<Database> second_;
  ui::ProfileModel& model_;
  LaneStore* store_;
  std::shared_ptr<PartialLaneStore> partial_;
  uint64_t partial_loads_ = 0;
  size_t budget_;
  size_t bytes_ = 0, peak_ = 0;
  uint64_t frame_ = 0, loads_ = 0, store_loads_ = 0, drops_ = 0;
  std::list<Lane> lru_;
  std::unordered_map<Lane, Held, LaneHash> held_;
};

}  // namespace lurk::server
