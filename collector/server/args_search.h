// `/` search of args in server-backed viewing (docs/server.md, "Search").
// The lane store keeps no args text, so the names are searched there at
// once (native_search.h), and this pass then reads every thread lane's rows
// again with their args, on a thread and a connection of its own, through
// the lanes' own index walk (ProfileModel::match_thread_args: a bit per
// item in the store's lanes' order, a row at a time, so the pass holds a
// bit an event whatever a lane's size). It marks the spans and instants
// whose args text contains the query, as the page does in-browser
// (contains_folded over the args as stored, "{}" being none).
// The view takes each lane's matches as they come (take()) into its
// SearchIndex: the count grows and frames outline them while the pass goes
// on; the page asks again until all args are searched. Reading every row
// is the profile's whole size (~300 ns an event: half a minute at 100M
// events), so a new query, or the view's end, stops it at once
// (stop_flag.h).
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "core/profile_model.h"
#include "core/search_index.h"

namespace lurk::server {

class ArgsSearch {
 public:
  struct LaneMatches {
    uint32_t thread = 0;
    ui::MatchBits spans, instants;  // sized as the lane's spans and instants
  };

  // Starts the pass over `threads` (lane indices, in the order given) of
  // `model`, which must outlive it; `events`: their spans and instants in
  // all (its progress).
  ArgsSearch(std::filesystem::path profile, const ui::ProfileModel& model, std::string query,
             std::vector<uint32_t> threads, uint64_t events);
  // Stops the pass (the statement reading ends at its next look at the flag) and waits for it.
  ~ArgsSearch();
  ArgsSearch(const ArgsSearch&) = delete;
  ArgsSearch& operator=(const ArgsSearch&) = delete;

  // The lanes searched since the last call, in the pass's order.
  std::vector<LaneMatches> take();
  // How much is searched: events of the lanes searched over all (1 once
  // done), -1 when the pass failed (problem() says why).
  double searched() const;
  bool done() const { return done_.load(std::memory_order_acquire); }
  std::string problem() const;
  void wait();  // tests: until done

 private:
  void run();

  std::filesystem::path profile_;
  const ui::ProfileModel& model_;
  std::string folded_;  // the query, as contains_folded takes it
  std::vector<uint32_t> threads_;
  uint64_t events_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> done_{false};
  std::atomic<uint64_t> events_searched_{0};
  mutable std::mutex mutex_;
  std::vector<LaneMatches> found_;  // taken by take()
  std::string problem_;
  std::thread thread_;  // last: started once the rest is set
};

// The args passes of the last few queries, each with the lanes it found so
// far. A page asks its view again twice a second while its query's pass
// goes on: two pages searching for different things would otherwise stop
// each other's pass at every frame, for good; a query asked again gets its
// matches so far back at once and its pass goes on where it was.
class ArgsSearches {
 public:
  ArgsSearches(std::filesystem::path profile, const ui::ProfileModel& model)
      : profile_(std::move(profile)), model_(model) {}
  // `search` was just run by names (native_search.h) for its query: the
  // matches its pass found so far are added, and the pass started when
  // there is none; `threads` and `events` as ArgsSearch's.
  void begin(ui::SearchIndex& search, std::vector<uint32_t> threads, uint64_t events);
  // Before each request: the lanes the pass of `search`'s query found
  // since, added to it, and how much of the args is searched said.
  void absorb(ui::SearchIndex& search);
  void wait(const std::string& query);  // tests: until that query's pass is over
  void clear() { kept_.clear(); }       // (what they were run over changed)

 private:
  struct Kept {
    std::string query;
    std::unique_ptr<ArgsSearch> pass;  // null once over
    std::vector<ArgsSearch::LaneMatches> found;
    double searched = 0;  // ArgsSearch::searched, as last taken
  };
  static constexpr size_t kKept = 4;
  Kept* find(const std::string& query);
  std::filesystem::path profile_;
  const ui::ProfileModel& model_;
  std::vector<Kept> kept_;  // the query asked last at the end
};

}  // namespace lurk::server
