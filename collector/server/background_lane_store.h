// What a cold open of `lurk view --native` leaves off its critical path
// (docs/server.md, "A cold open"): when the lane summary came from the
// profile's lane facts (lane_summary.h, lane_summary_from_facts), the URL is
// printed at once and the first frames are read from the profile's rows
// (the lazy model's lanes), while a thread of its own, on a connection of
// its own, in a read transaction of its own, makes what the pass over every
// lane makes: the lane store (lane_store.h), the whole profile's minimap and
// the summary kept in the cache with the flows and periods (the next open is
// a warm one). The flows and periods it reads first (flows_ready()) are
// taken by the view's model, which was made without them (2.5 s of CPU at
// 100M events); the store and the minimap once done()
// (FrameEndpoint::adopt_background): from then on the frames are the ones
// of a warm open, only the first ones lacked the flows and periods (said in
// their X-Lurk-Pending header) and were drawn from the rows. Its pass over
// the lanes has a second reader, on a second connection in the same state
// (lane_pass.h): on two cores the store is in in about half the time (26 s
// instead of 47 s at 100M events on a quiet machine, bench/RESULTS.md).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "core/lane_summary.h"
#include "server/lane_pass.h"
#include "server/startup_phases.h"

// (Database, ui::Minimap and ui::ProfileModel are declared by lane_pass.h.)
namespace lurk::server {

class LaneStore;
class LaneStoreWriter;
class PartialLaneStore;
class SharedReadSnapshot;

// The whole profile's minimap from a lane store already made (each lane
// taken from it, binned, dropped): what pass_over_lanes (lane_pass.h) bins, without
// reading the profile's rows. False when `stop` was set or the store could
// not give a lane (then the caller reads the rows).
bool minimap_from_store(LaneStore& store, ui::ProfileModel& model, ui::Minimap& minimap,
                        const std::atomic<bool>* stop = nullptr);

class BackgroundLaneStore {
 public:
  // Starts the thread and returns once it reads `snapshot`'s state (the
  // view's read transaction, which must stay open until then) or could not
  // (problem(), done()); its work starts at go(). `summary` is the one the
  // view's model was made from (last row ids: the committed state shown),
  // `identity` the profile's when it was opened (lane_summary_file.h).
  BackgroundLaneStore(std::filesystem::path profile, ui::LaneSummary summary, std::string identity,
                      const SharedReadSnapshot& snapshot);
  // Lets the thread work (the view's open is done: it does not slow it).
  void go();
  // Stops the thread (a view closed early: its statements end at the next
  // look at the flag, stop_flag.h, so that a lane of 10M events does not
  // hold up the exit) and waits for it.
  ~BackgroundLaneStore();

  // Tests only: called on the thread once its connection is open, before it
  // takes the view's state (a commit made there must not be what it reads).
  static inline std::function<void(const std::filesystem::path&)> before_taking_the_state_for_tests;

  bool done() const { return done_.load(std::memory_order_acquire); }
  // The flows and periods read (its first step, seconds before done()):
  // kept() holds them (flows_kept, periods_kept; read-only from then on) for
  // the view's model (ProfileModel::adopt_late_flows_and_periods).
  bool flows_ready() const { return flows_ready_.load(std::memory_order_acquire); }
  const ui::LaneSummary& kept() const { return made_; }
  // The lanes its store holds so far, for the view's frames meanwhile.
  const std::shared_ptr<PartialLaneStore>& partial() const { return partial_; }
  // The pass over the lanes' progress: events put in the store so far, of
  // how many (0 of 0 before it starts, and when a kept store is reused).
  // The total counts the instants of no thread too, which are in no lane:
  // the stored count may stop short of it (the page says at most 99%).
  int64_t events_stored() const { return events_fed_.load(std::memory_order_relaxed); }
  int64_t events_to_store() const { return events_total_.load(std::memory_order_relaxed); }
  void wait();  // until done() (tests, benchmarks)

  // Once done():
  const std::vector<std::pair<uint32_t, uint8_t>>& minimap() const { return minimap_; }
  // Why there is no store or no kept summary, "" when all went well.
  const std::string& problem() const { return problem_; }
  // Its phases (wall, and this thread's CPU).
  const StartupPhases& phases() const { return phases_; }

 private:
  void run(const SharedReadSnapshot& snapshot);

  std::filesystem::path profile_;
  ui::LaneSummary summary_;
  ui::LaneSummary made_;  // summary_ with the flows, periods and minimap, to keep
  std::string identity_;
  std::vector<std::pair<uint32_t, uint8_t>> minimap_;
  std::string problem_;
  StartupPhases phases_{true};
  std::atomic<bool> stop_{false}, flows_ready_{false}, done_{false};
  std::atomic<int64_t> events_fed_{0}, events_total_{0};
  std::shared_ptr<PartialLaneStore> partial_;
  std::mutex mutex_;  // guards the two steps below between the thread and the view
  std::condition_variable step_;
  bool joined_ = false;  // the thread reads the view's state, or could not
  bool go_ = false;
  std::thread thread_;  // last: started once the rest is in place
};

}  // namespace lurk::server
