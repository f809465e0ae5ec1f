// pass_over_lanes (lane_pass.h): lanes claimed in the pass's order by one
// or two readers, fed to the model, the minimap and the store in that order.
#include "server/lane_pass.h"

#include <condition_variable>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "core/minimap.h"
#include "core/profile_model.h"
#include "server/lane_reads.h"
#include "server/lane_store.h"

namespace lurk::server {
namespace {

// The lanes in the pass's order: the groups' in display order (a group's
// connection, its threads, its counters), then any lane no group shows.
// The top of the timeline is what a cold open's page shows first: its lanes
// are in the store soonest (partial_lane_store.h reads them back meanwhile).
class LaneOrder {
 public:
  explicit LaneOrder(const ui::ProfileModel& model) {
    std::vector<bool> seen[3] = {std::vector<bool>(model.connections().size()),
                                 std::vector<bool>(model.threads().size()),
                                 std::vector<bool>(model.counters().size())};
    auto add = [&](LaneOf kind, int64_t index) {
      auto& taken = seen[int(kind)];
      if (index < 0 || size_t(index) >= taken.size() || taken[size_t(index)]) return;
      taken[size_t(index)] = true;
      lanes_.push_back({kind, uint32_t(index)});
    };
    for (const ui::LaneGroup& g : model.groups()) {
      add(LaneOf::Connection, g.connection);
      for (uint32_t t : g.threads) add(LaneOf::Thread, t);
      for (uint32_t c : g.counters) add(LaneOf::Counter, c);
    }
    for (LaneOf kind : {LaneOf::Connection, LaneOf::Thread, LaneOf::Counter})
      for (size_t i = 0; i < seen[int(kind)].size(); ++i) add(kind, int64_t(i));
  }
  size_t size() const { return lanes_.size(); }
  LaneKey operator[](size_t k) const { return lanes_[k]; }

 private:
  std::vector<LaneKey> lanes_;
};

// Lanes read ahead of the one being fed, at most: memory stays a few lanes.
constexpr size_t kReadAhead = 4;

// What the caller's thread and the second reader share.
struct Claims {
  std::mutex mutex;
  std::condition_variable changed;
  size_t next = 0;                   // lanes below are claimed (by either reader)
  std::map<size_t, ReadLane> ready;  // read, not yet fed
  std::exception_ptr error;          // the second reader's
  bool quit = false;                 // the caller is done or leaving
};

void second_reader(Database& db, const ui::ProfileModel& model, const LaneOrder& order, Claims& claims) {
  for (;;) {
    size_t k;
    {
      std::unique_lock<std::mutex> lock(claims.mutex);
      claims.changed.wait(lock, [&] {
        return claims.quit || claims.next >= order.size() || claims.ready.size() < kReadAhead;
      });
      if (claims.quit || claims.next >= order.size()) return;
      k = claims.next++;
    }
    ReadLane lane;
    try {
      read_lane(db, model, order[k], lane);
    } catch (...) {
      std::lock_guard<std::mutex> lock(claims.mutex);
      claims.error = std::current_exception();
      claims.changed.notify_all();
      return;
    }
    {
      std::lock_guard<std::mutex> lock(claims.mutex);
      claims.ready.emplace(k, std::move(lane));
    }
    claims.changed.notify_all();
  }
}

// The second reader, stopped and joined however the pass ends.
class SecondReader {
 public:
  SecondReader(Database* db, const ui::ProfileModel& model, const LaneOrder& order, Claims& claims)
      : claims_(claims) {
    if (db) thread_ = std::thread([db, &model, &order, &claims] { second_reader(*db, model, order, claims); });
  }
  ~SecondReader() {
    {
      std::lock_guard<std::mutex> lock(claims_.mutex);
      claims_.quit = true;
    }
    claims_.changed.notify_all();
    if (thread_.joinable()) thread_.join();
  }

 private:
  Claims& claims_;
  std::thread thread_;
};

}  // namespace

bool pass_over_lanes(Database& db, ui::ProfileModel& model, LaneStoreWriter& store, ui::Minimap* minimap,
                     const std::atomic<bool>* stop, Database* second, std::atomic<int64_t>* events_fed) {
  auto stopped = [&] { return stop && stop->load(std::memory_order_relaxed); };
  const LaneOrder order(model);
  Claims claims;
  SecondReader helper(second, model, order, claims);  // before any lane is fed; joined before `claims` goes
  if (minimap) minimap->begin(model);
  for (size_t w = 0; w < order.size(); ++w) {
    if (stopped()) return false;
    ReadLane lane;
    for (;;) {  // lane w: read already, or claimed and read here, or awaited from the second reader
      std::unique_lock<std::mutex> lock(claims.mutex);
      if (auto it = claims.ready.find(w); it != claims.ready.end()) {
        lane = std::move(it->second);
        claims.ready.erase(it);
        break;
      }
      if (claims.error) std::rethrow_exception(claims.error);
      // Lane w unclaimed (then it is the next), or room to read ahead.
      if (claims.next == w || (claims.next < order.size() && claims.ready.size() < kReadAhead)) {
        size_t k = claims.next++;
        lock.unlock();
        ReadLane mine;
        read_lane(db, model, order[k], mine);
        if (k == w) {
          lane = std::move(mine);
          break;
        }
        lock.lock();
        claims.ready.emplace(k, std::move(mine));
        continue;
      }
      claims.changed.wait(lock);  // the second reader has it
    }
    claims.changed.notify_all();  // room to read ahead again
    const size_t events = lane.events();
    const LaneKey key = order[w];
    adopt_lane(model, key, std::move(lane));
    switch (key.kind) {
      case LaneOf::Connection:
        if (minimap) minimap->add_connection(model.connections()[key.index]);
        store.add_connection(key.index);
        model.unload_connection_lanes(key.index);
        break;
      case LaneOf::Thread:
        if (minimap) minimap->add_thread(model.threads()[key.index]);
        store.add_thread(key.index);
        model.unload_thread_events(key.index);
        break;
      case LaneOf::Counter:
        store.add_counter(key.index);
        model.unload_counter_samples(key.index);
        break;
    }
    if (events_fed) events_fed->fetch_add(int64_t(events), std::memory_order_relaxed);
  }
  if (minimap) minimap->finish();
  return true;
}

}  // namespace lurk::server
