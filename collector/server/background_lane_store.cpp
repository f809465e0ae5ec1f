// BackgroundLaneStore (background_lane_store.h): the lane store, the
// minimap and the kept summary of a cold open, made off the view's thread.
#include "server/background_lane_store.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdio>

#include <sqlite3.h>

#include "core/minimap.h"
#include "core/profile_model.h"
#include "server/lane_store.h"
#include "server/lane_summary_file.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {

bool pass_over_lanes(Database& db, ui::ProfileModel& model, LaneStoreWriter& store, ui::Minimap* minimap,
                     const std::atomic<bool>* stop) {
  auto stopped = [&] { return stop && stop->load(std::memory_order_relaxed); };
  if (minimap) minimap->begin(model);
  for (uint32_t c = 0; c < model.connections().size(); ++c) {
    if (stopped()) return false;
    model.load_connection_lanes(db, c);
    if (minimap) minimap->add_connection(model.connections()[c]);
    store.add_connection(c);
    model.unload_connection_lanes(c);
  }
  for (uint32_t t = 0; t < model.threads().size(); ++t) {
    if (stopped()) return false;
    model.load_thread_events(db, t);
    if (minimap) minimap->add_thread(model.threads()[t]);
    store.add_thread(t);
    model.unload_thread_events(t);
  }
  for (uint32_t c = 0; c < model.counters().size(); ++c) {
    if (stopped()) return false;
    model.load_counter_samples(db, c);
    store.add_counter(c);
    model.unload_counter_samples(c);
  }
  if (minimap) minimap->finish();
  return true;
}

BackgroundLaneStore::BackgroundLaneStore(std::filesystem::path profile, ui::LaneSummary summary, std::string identity)
    : profile_(std::move(profile)), summary_(std::move(summary)), identity_(std::move(identity)) {
  thread_ = std::thread([this] { run(); });
}

BackgroundLaneStore::~BackgroundLaneStore() {
  stop_.store(true, std::memory_order_relaxed);
  {
    // The statement being stepped returns SQLITE_INTERRUPT (a StorageError
    // in the thread, which then ends); sqlite3_interrupt may be called from
    // any thread while the connection is open.
    std::lock_guard<std::mutex> lock(db_mutex_);
    if (db_) sqlite3_interrupt(db_->raw());
  }
  if (thread_.joinable()) thread_.join();
}

void BackgroundLaneStore::wait() {
  if (thread_.joinable()) thread_.join();
}

void BackgroundLaneStore::run() {
  // Nice 10 for this thread only (Linux: a thread's own priority): on a
  // busy machine the view's thread, answering frames, gets the CPU first.
  ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), 10);
  phases_.restart();
  try {
    std::unique_ptr<Database> db = open_profile_for_reading(profile_.string());
    {
      std::lock_guard<std::mutex> lock(db_mutex_);
      db_ = db.get();
    }
    struct Forget {  // db_ is cleared before the connection closes, however run() leaves
      BackgroundLaneStore& self;
      ~Forget() {
        std::lock_guard<std::mutex> lock(self.db_mutex_);
        self.db_ = nullptr;
      }
    } forget{*this};
    // Its own read transaction; the rows it reads stop at the summary's
    // last ids, so it sees the state the view shows even if rows were
    // appended since (lanes are read up to those ids: profile_model_lanes.cpp).
    db->exec("BEGIN");
    made_ = summary_;
    // The same outline model as the view's (the same summary, the same
    // small tables), so that the store's lanes are indexed as the view's;
    // the flows and periods it reads are kept in made_ for the view's model
    // and the next open.
    ui::ProfileModel model = ui::ProfileModel::load_outline(*db, summary_, {}, &made_);
    phases_.mark("small tables loaded (outline model, flows and periods read)");
    flows_ready_.store(true, std::memory_order_release);
    LaneStoreWriter writer(profile_, model);
    ui::Minimap minimap;
    if (!pass_over_lanes(*db, model, writer, &minimap, &stop_)) {
      problem_ = "stopped before every lane was read";
      done_.store(true, std::memory_order_release);
      return;
    }
    for (const ui::MinimapBin& b : minimap.bins()) minimap_.emplace_back(b.count, uint8_t(b.worst));
    problem_ = writer.finish();
    phases_.mark("every lane read (minimap) and the lane store written");
    db->exec("COMMIT");
    made_.minimap = minimap_;
    std::string kept = keep_lane_summary(profile_, identity_, made_);
    if (!kept.empty()) problem_ += (problem_.empty() ? "" : "; ") + kept + " (the next view makes it again)";
    phases_.mark("lane summary kept");
  } catch (const std::exception& e) {
    problem_ = e.what();
  }
  done_.store(true, std::memory_order_release);
}

}  // namespace lurk::server
