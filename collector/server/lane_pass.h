// The pass over every lane of a lazy model that makes the lane store (and,
// on a cold open, the whole profile's minimap): each lane read from the
// profile's rows, put in the store, binned, dropped. Reading the rows is
// most of its cost (SQLite stepping a lane's index and table rows, ~300 ns
// an event: 30 s of CPU at 100M events, bench/RESULTS.md), and a cold open
// draws its frames from the rows until the store is done; so, given a
// second connection in the same read state, a second thread reads lanes
// too (on two cores the pass takes about half the time). The store, the
// minimap and the model are still fed on the caller's thread, lane after
// lane in the pass's order (the timeline's groups from the top, so that a
// cold open's first screen is stored first): the store's bytes and the
// minimap are the one-reader pass's.
#pragma once

#include <atomic>
#include <cstdint>

namespace lurk {
class Database;
}

namespace lurk::ui {
class Minimap;
class ProfileModel;
}  // namespace lurk::ui

namespace lurk::server {

class LaneStoreWriter;

// Every lane of a lazy model read and dropped in turn (memory: a few
// lanes), each put in the lane store, counters too, so that no later view
// reads a lane from the profile's rows; and, when `minimap` is given,
// binned into the whole profile's minimap, whose bins are exactly the ones
// the in-browser page builds from its whole model. `second`, when given, is
// another connection to the same profile in the same read transaction state
// as `db` (shared_read_snapshot.h), used by a second thread at nice 10 for
// the lanes it claims first; its statements must end at `stop` as db's do
// (stop_flag.h). False when `stop` was set before the last lane (the store
// is then not to be finished); a read's error is thrown on the caller's
// thread, the second reader stopped first. `events_fed`, when given, is
// raised by each lane's events (packets, spans, instants, samples) as the
// lane is put in the store: the pass's progress (the page shows it).
bool pass_over_lanes(Database& db, ui::ProfileModel& model, LaneStoreWriter& store, ui::Minimap* minimap,
                     const std::atomic<bool>* stop = nullptr, Database* second = nullptr,
                     std::atomic<int64_t>* events_fed = nullptr);

}  // namespace lurk::server
