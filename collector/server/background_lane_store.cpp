// BackgroundLaneStore (background_lane_store.h): the lane store, the
// minimap and the kept summary of a cold open, made off the view's thread.
#include "server/background_lane_store.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

#include "core/minimap.h"
#include "core/profile_model.h"
#include "server/lane_store.h"
#include "server/lane_summary_file.h"
#include "server/partial_lane_store.h"
#include "server/shared_read_snapshot.h"
#include "server/stop_flag.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {

bool minimap_from_store(LaneStore& store, ui::ProfileModel& model, ui::Minimap& minimap,
                        const std::atomic<bool>* stop) {
  auto stopped = [&] { return stop && stop->load(std::memory_order_relaxed); };
  size_t bytes = 0;
  minimap.begin(model);
  for (uint32_t c = 0; c < model.connections().size(); ++c) {
    if (stopped() || !store.load_connection(model, c, bytes)) return false;
    minimap.add_connection(model.connections()[c]);
    model.unload_connection_lanes(c);
    store.release_connection(c);
  }
  for (uint32_t t = 0; t < model.threads().size(); ++t) {
    if (stopped() || !store.load_thread(model, t, bytes)) return false;
    minimap.add_thread(model.threads()[t]);
    model.unload_thread_events(t);
    store.release_thread(t);
  }
  minimap.finish();
  return true;
}

BackgroundLaneStore::BackgroundLaneStore(std::filesystem::path profile, ui::LaneSummary summary, std::string identity,
                                         const SharedReadSnapshot& snapshot)
    : profile_(std::move(profile)), summary_(std::move(summary)), identity_(std::move(identity)),
      partial_(std::make_shared<PartialLaneStore>()) {
  thread_ = std::thread([this, &snapshot] { run(snapshot); });
  std::unique_lock<std::mutex> lock(mutex_);
  step_.wait(lock, [&] { return joined_; });
}

void BackgroundLaneStore::go() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    go_ = true;
  }
  step_.notify_all();
}

BackgroundLaneStore::~BackgroundLaneStore() {
  // Its statements end at the progress handler's next look (stop_flag.h).
  stop_.store(true, std::memory_order_relaxed);
  go();
  if (thread_.joinable()) thread_.join();
}

void BackgroundLaneStore::wait() {
  if (thread_.joinable()) thread_.join();
}

void BackgroundLaneStore::run(const SharedReadSnapshot& snapshot) {
  // Nice 10 for this thread only (Linux: a thread's own priority): on a
  // busy machine the view's thread, answering frames, gets the CPU first.
  ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), 10);
  phases_.restart();
  auto joined = [&] {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      joined_ = true;
    }
    step_.notify_all();
  };
  try {
    std::unique_ptr<Database> db, second;
    try {
      db = open_profile_for_reading(profile_.string());
      end_statements_when(*db, &stop_);
      if (before_taking_the_state_for_tests) before_taking_the_state_for_tests(profile_);
      // The view's own state, in a read transaction of this connection:
      // what it reads is what the view's model was made from (the rows
      // themselves also stop at the summary's last ids: profile_model_lanes.cpp).
      snapshot.begin_in(*db);
      // A second reader of the same state for the pass over the lanes
      // (lane_pass.h), when it can have it; else the pass reads alone.
      try {
        second = open_profile_for_reading(profile_.string());
        end_statements_when(*second, &stop_);
        snapshot.begin_in(*second);
      } catch (const std::exception&) {
        second.reset();
      }
    } catch (...) {
      joined();
      throw;
    }
    joined();
    {
      std::unique_lock<std::mutex> lock(mutex_);
      step_.wait(lock, [&] { return go_; });
    }
    if (stop_.load(std::memory_order_relaxed)) throw StorageError("stopped before it began");
    made_ = summary_;
    // The same outline model as the view's (the same summary, the same
    // small tables), so that the store's lanes are indexed as the view's;
    // the flows and periods it reads are kept in made_ for the view's model
    // and the next open.
    ui::ProfileModel model = ui::ProfileModel::load_outline(*db, summary_, {}, &made_);
    phases_.mark("small tables loaded (outline model, flows and periods read)");
    flows_ready_.store(true, std::memory_order_release);
    ui::Minimap minimap;
    // A store of this state already in the cache (its summary was lost, or
    // not kept): only the minimap is made, from its lanes, not the rows.
    std::string unused;
    std::unique_ptr<LaneStore> kept_store = LaneStore::open(profile_, model, unused, identity_);
    if (kept_store && minimap_from_store(*kept_store, model, minimap, &stop_)) {
      phases_.mark("minimap made from the lane store already kept");
    } else {
      kept_store.reset();
      LaneStoreWriter writer(profile_, model, identity_);  // of the view's state
      writer.publish_to(partial_);
      minimap = ui::Minimap();
      events_total_.store(model.counts().packets + summary_.events, std::memory_order_relaxed);
      if (!pass_over_lanes(*db, model, writer, &minimap, &stop_, second.get(), &events_fed_)) {
        problem_ = "stopped before every lane was read";
        done_.store(true, std::memory_order_release);
        return;
      }
      problem_ = writer.finish();
      phases_.mark("every lane read (minimap) and the lane store written");
    }
    for (const ui::MinimapBin& b : minimap.bins()) minimap_.emplace_back(b.count, uint8_t(b.worst));
    db->exec("COMMIT");
    if (second) second->exec("COMMIT");
    made_.minimap = minimap_;
    std::string kept = keep_lane_summary(profile_, identity_, made_);
    if (!kept.empty()) problem_ += (problem_.empty() ? "" : "; ") + kept + " (the next view makes it again)";
    phases_.mark("lane summary kept");
  } catch (const std::exception& e) {
    problem_ = stop_.load(std::memory_order_relaxed) ? "stopped before every lane was read" : e.what();
  }
  done_.store(true, std::memory_order_release);
}

}  // namespace lurk::server
