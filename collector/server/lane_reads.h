// A lazy model's lanes (wasm-ui/core/profile_model.h) read from the
// profile's rows off the model (ProfileModel::read_*, const) and given to it
// afterwards (adopt_*), so that two threads, each on a connection of its
// own, can read the lanes one pass or one frame needs: the background's pass
// over every lane (lane_pass.h) and a cold open's frames (lane_cache.h).
// SQLite stepping each lane's index and table rows is most of either's time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <vector>

#include "core/profile_model.h"

namespace lurk {
class Database;
}

namespace lurk::server {

enum class LaneOf : uint8_t { Connection, Thread, Counter };

struct LaneKey {
  LaneOf kind;
  uint32_t index;
};

// One lane's events, read and not yet given to the model (only the arrays
// of its kind are filled).
struct ReadLane {
  ui::LaneArray<ui::PacketMark> packets[2];
  ui::ThreadLane thread;
  ui::LaneArray<ui::CounterSample> samples;
  size_t events() const {
    return packets[0].size() + packets[1].size() + thread.spans.size() + thread.running.size() +
           thread.instants.size() + samples.size();
  }
};

void read_lane(Database& db, const ui::ProfileModel& model, LaneKey lane, ReadLane& out);
// Gives the model the lane read (it then holds it as load_*() would have
// made it); returns the bytes it holds.
size_t adopt_lane(ui::ProfileModel& model, LaneKey lane, ReadLane&& read);

// Reads `lanes` into `out` (out[i]: lanes[i]) with `db` on this thread and,
// when `second` is given, with it on a thread of its own, each thread
// taking the next lane not taken; the model is only read meanwhile. An
// error of either is thrown here, once both have stopped.
void read_lanes(Database& db, Database* second, const ui::ProfileModel& model, std::span<const LaneKey> lanes,
                std::vector<ReadLane>& out);

}  // namespace lurk::server
