// ArgsSearch (args_search.h): the args of every thread lane searched off the view's thread.
#include "server/args_search.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>

#include "server/stop_flag.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {

ArgsSearch::ArgsSearch(std::filesystem::path profile, const ui::ProfileModel& model, std::string query,
                       std::vector<uint32_t> threads, uint64_t events)
    : profile_(std::move(profile)),
      model_(model),
      folded_(ui::folded_query(query)),
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
    // keeps no "{}").
    ui::ProfileModel::ArgsMatcher matches = [this](std::string_view json) {
      return !json.empty() && json != "{}" && ui::contains_folded(json, folded_);
    };
    auto progress = [this](uint64_t events) { events_searched_.fetch_add(events, std::memory_order_relaxed); };
    for (uint32_t t : threads_) {
      if (stop_.load(std::memory_order_relaxed)) return;
      ui::ProfileModel::ArgsMatchBits bits = model_.match_thread_args(*db, t, matches, progress);
      LaneMatches m;
      m.thread = t;
      m.spans.build(bits.spans.size(), [&](size_t i) { return bool(bits.spans[i]); });
      m.instants.build(bits.instants.size(), [&](size_t i) { return bool(bits.instants[i]); });
      std::lock_guard<std::mutex> lock(mutex_);
      found_.push_back(std::move(m));
    }
  } catch (const std::exception& e) {
    if (!stop_.load(std::memory_order_relaxed)) {
      std::lock_guard<std::mutex> lock(mutex_);
      problem_ = std::string("the args could not be searched: ") + e.what();
    }
  }
  done_.store(true, std::memory_order_release);
}

ArgsSearches::Kept* ArgsSearches::find(const std::string& query) {
  for (Kept& k : kept_)
    if (k.query == query) return &k;
  return nullptr;
}

void ArgsSearches::begin(ui::SearchIndex& search, std::vector<uint32_t> threads, uint64_t events) {
  if (Kept* k = find(search.query())) {
    std::rotate(k, k + 1, kept_.data() + kept_.size());  // the query asked last goes to the end
    Kept& last = kept_.back();
    for (const ArgsSearch::LaneMatches& lane : last.found)
      if (!search.add_matches(lane.thread, lane.spans, lane.instants)) last.searched = -1;
    search.set_args_searched(last.searched);
    return;
  }
  if (threads.empty()) return;  // no span nor instant: the names were all
  Kept k;
  k.query = search.query();
  k.pass = std::make_unique<ArgsSearch>(profile_, model_, k.query, std::move(threads), events);
  kept_.push_back(std::move(k));
  if (kept_.size() > kKept) kept_.erase(kept_.begin());  // its pass stops
  search.set_args_searched(0);  // (once under way: the page asks again until it is over)
}

void ArgsSearches::absorb(ui::SearchIndex& search) {
  Kept* k = search.active() ? find(search.query()) : nullptr;
  if (!k || !k->pass) return;
  bool done = k->pass->done();  // before take(): every lane pushed by then is taken
  for (ArgsSearch::LaneMatches& lane : k->pass->take()) {
    if (!search.add_matches(lane.thread, lane.spans, lane.instants)) {
      // Not the store's lane (the profile's rows changed under it): the
      // matches so far are the names' and some args'; said, not mixed further.
      std::fprintf(stderr, "lurk: search: thread lane %u's rows are not its lane store's; args not searched further\n",
                   lane.thread);
      k->searched = -1;
      k->pass.reset();
      search.set_args_searched(-1);
      return;
    }
    k->found.push_back(std::move(lane));
  }
  k->searched = done ? k->pass->searched() : std::min(k->pass->searched(), 0.999);
  search.set_args_searched(k->searched);
  if (!done) return;
  if (k->searched < 0) std::fprintf(stderr, "lurk: search: %s\n", k->pass->problem().c_str());
  k->pass.reset();
}

void ArgsSearches::wait(const std::string& query) {
  if (Kept* k = find(query); k && k->pass) k->pass->wait();
}

}  // namespace lurk::server
