// read_lane, adopt_lane, read_lanes (lane_reads.h).
#include "server/lane_reads.h"

#include <atomic>
#include <exception>
#include <thread>

namespace lurk::server {

void read_lane(Database& db, const ui::ProfileModel& model, LaneKey lane, ReadLane& out) {
  switch (lane.kind) {
    case LaneOf::Connection: model.read_connection_lanes(db, lane.index, out.packets); break;
    case LaneOf::Thread: model.read_thread_events(db, lane.index, out.thread); break;
    case LaneOf::Counter: out.samples = model.read_counter_samples(db, lane.index); break;
  }
}

size_t adopt_lane(ui::ProfileModel& model, LaneKey lane, ReadLane&& read) {
  switch (lane.kind) {
    case LaneOf::Connection:
      return model.adopt_connection_lanes(lane.index, std::move(read.packets[0]), std::move(read.packets[1]));
    case LaneOf::Thread:
      return model.adopt_thread_events(lane.index, std::move(read.thread.spans), std::move(read.thread.depth_begin),
                                       std::move(read.thread.running), std::move(read.thread.instants));
    case LaneOf::Counter:
      return model.adopt_counter_samples(lane.index, std::move(read.samples));
  }
  return 0;
}

void read_lanes(Database& db, Database* second, const ui::ProfileModel& model, std::span<const LaneKey> lanes,
                std::vector<ReadLane>& out) {
  out.clear();
  out.resize(lanes.size());
  std::atomic<size_t> next{0};
  auto take = [&](Database& by) {
    for (size_t k; (k = next.fetch_add(1, std::memory_order_relaxed)) < lanes.size();) read_lane(by, model, lanes[k], out[k]);
  };
  if (!second || lanes.size() < 2) return take(db);
  std::exception_ptr theirs, ours;
  std::thread helper([&] {
    try {
      take(*second);
    } catch (...) {
      theirs = std::current_exception();
      next.store(lanes.size(), std::memory_order_relaxed);  // this thread stops too
    }
  });
  try {
    take(db);
  } catch (...) {
    ours = std::current_exception();
    next.store(lanes.size(), std::memory_order_relaxed);  // the helper stops after its lane
  }
  helper.join();
  if (ours) std::rethrow_exception(ours);
  if (theirs) std::rethrow_exception(theirs);
}

}  // namespace lurk::server
