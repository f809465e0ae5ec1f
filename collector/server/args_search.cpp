// ArgsSearch (args_search.h): the args of every thread lane searched off the view's thread.
#include "server/args_search.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

#include "server/stop_flag.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {

ArgsSearch::ArgsSearch(std::filesystem::path profile, const ui::ProfileModel& model, std::string query,
                       std::vector<uint32_t> threads, uint64_t events)
    : profile_(std::move(profile)),
      model_(model),
      query_(std::move(query)),
      folded_(ui::folded_query(query_)),
      threads_(std::move(threads)),
      events_(events) {
  thread_ = std::thread([this] { run(); });
}

ArgsSearch::~ArgsSearch() {
  stop_.store(true, std::memory_order_relaxed);
  if (thread_.joinable()) thread_.join();
}

void ArgsSearch::wait() {
  if (thread_.joinable()) thread_.join();
}

std::vector<ArgsSearch::LaneMatches> ArgsSearch::take() {
  std::lock_guard<std::mutex> lock(mutex_);
  return std::move(found_);
}

double ArgsSearch::searched() const {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!problem_.empty()) return -1;
  }
  if (done()) return 1;
  // Below 1 until done: the last lane's matches are taken only then.
  double f = events_ ? double(events_searched_.load(std::memory_order_relaxed)) / double(events_) : 0;
  return std::min(f, 0.999);
}

std::string ArgsSearch::problem() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return problem_;
}

void ArgsSearch::run() {
  // Nice 10, as the background's lane pass (background_lane_store.cpp):
  // the view's thread, answering frames, gets the CPU first.
  ::setpriority(PRIO_PROCESS, pid_t(::syscall(SYS_gettid)), 10);
  try {
    std::unique_ptr<Database> db = open_profile_for_reading(profile_.string());
    end_statements_when(*db, &stop_);
    // The args text as the page matches it in-browser (ProfileModel::add_args
    // keeps no "{}"): the record's args field says whether it matches.
    ui::ProfileModel::ArgsSink mark = [this](std::string_view json, uint32_t& index) {
      index = !json.empty() && json != "{}" && ui::contains_folded(json, folded_);
      return true;
    };
    for (uint32_t t : threads_) {
      if (stop_.load(std::memory_order_relaxed)) return;
      ui::ThreadLane lane;
      model_.read_thread_events_with_args(*db, t, lane, mark);
      LaneMatches m;
      m.thread = t;
      m.spans.build(lane.spans.size(), [&](size_t i) { return lane.spans[i].args != 0; });
      m.instants.build(lane.instants.size(), [&](size_t i) { return lane.instants[i].args != 0; });
      {
        std::lock_guard<std::mutex> lock(mutex_);
        found_.push_back(std::move(m));
      }
      events_searched_.fetch_add(lane.spans.size() + lane.instants.size(), std::memory_order_relaxed);
    }
  } catch (const std::exception& e) {
    if (!stop_.load(std::memory_order_relaxed)) {
      std::lock_guard<std::mutex> lock(mutex_);
      problem_ = std::string("the args could not be searched: ") + e.what();
    }
  }
  done_.store(true, std::memory_order_release);
}

}  // namespace lurk::server
