// Server-backed viewing (`lurk view --native`, docs/server.md): the profile
// stays in this process, opened as a lazy model (wasm-ui/core/profile_model.h,
// load_outline: its small tables and a per-lane summary, lane_summary_file.h)
// whose lanes are read when a frame first draws them and dropped beyond a
// memory budget (lane_cache.h), and the browser asks for the visible window
// of every lane already merged to the pixel:
//   GET /frame?t0=..&t1=..&...  the timeline's draw records for one view
//                               (core/frame_request.h; core/frame_wire.h
//                               bytes), 400 naming a bad parameter;
//   GET /native                 JSON: that this server renders frames, and
//                               the profile's counts, load time and memory;
//   GET /item?sel=K.L.I.C       one item's details (title, fields) as JSON;
//   GET /measure?t0=..&t1=..    the events of every lane in a measured range,
//                               counted in the lane store, as JSON;
//   GET /mark?dir=..&t=..       the finding mark `]` / `[` steps to, as JSON;
//   GET /outline.lurk           the profile without its bulk rows, for the
//                               page's small panels (profile_outline.h).
// The same access rules as every other path apply (trace_server.cpp checks
// Host and token before routing here).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <optional>
#include <nlohmann/json.hpp>
#include <string>

#include "core/finding_list.h"
#include "core/frame_source.h"
#include "core/profile_model.h"
#include "server/http_request.h"
#include "server/background_lane_store.h"
#include "server/http_response.h"
#include "server/lane_cache.h"
#include "server/lane_store.h"
#include "server/lane_summary_file.h"
#include "server/startup_phases.h"

namespace lurk {
class Database;
}

namespace lurk::server {

class ArgsSearches;
class WindowDownloads;

class FrameEndpoint {
 public:
  // Opens the profile (its lane summary made or read, lane_summary_file.h)
  // and writes its outline into `temp_dir` (private); lanes held stay under
  // `lane_budget` bytes but for one frame's own. Throws lurk::StorageError
  // with a readable message.
  // `stop` (may be null): once set, the open's statements and passes end
  // (a StorageError), so that an open nobody waits for any more does not
  // run to its end (page_lanes.h; stop_flag.h).
  FrameEndpoint(const std::filesystem::path& profile, const std::filesystem::path& temp_dir,
                size_t lane_budget = kDefaultLaneBudget, const std::atomic<bool>* stop = nullptr);
  static constexpr size_t kDefaultLaneBudget = size_t(1) << 30;  // 1 GiB
  ~FrameEndpoint();
  // Answers /frame, /item, /measure, /mark, /samples, /finding, /native,
  // /window.lurk (window_download.h) and /outline.lurk; nullopt for any other path.
  std::optional<HttpResponse> answer(const HttpRequest& request);

  const ui::ProfileModel& model() const { return *model_; }
  double load_seconds() const { return load_seconds_; }
  // The open's phases, timed (`lurk view --timings`, /native's loadPhases).
  const StartupPhases& phases() const { return phases_; }
  const LaneSummaryOutcome& summary() const { return summary_; }
  const LaneCache& lanes() const { return *lanes_; }
  // Why lanes are read from the profile rather than the lane store
  // (lane_store.h), "" when the store is used or there was nothing to say.
  const std::string& store_note() const { return store_note_; }
  bool has_store() const { return store_ != nullptr; }
  // The store was written by this endpoint (its pass or its background),
  // not found in the cache: what `lurk view` says it did.
  bool store_made_here() const { return store_made_here_; }
  // A cold open from the lane facts: whether the lane store and minimap are
  // still being made in the background; wait_for_background blocks until
  // they are and takes them (tests, benchmarks).
  bool background_pending() const { return background_ != nullptr; }
  // Whether that work is over (then wait_for_background does not block).
  bool background_done() const { return !background_ || background_->done(); }
  void wait_for_background();
  // Until the model has the flows and periods the background reads first.
  void wait_for_flows();
  // Tests: until the search's pass over the args (args_search.h) is over, its matches taken.
  void wait_for_args_search();
  // Why the outline kept in the cache was not used or not kept (outline_cache.h), "" when all went well.
  const std::string& outline_note() const { return outline_note_; }

 private:
  HttpResponse frame(const HttpRequest& request);
  HttpResponse info();
  // A cold open's background work (background_lane_store.h) taken once done.
  void adopt_background();
  // The flows and periods a failed background did not give (adopt_background).
  void read_late_flows_and_periods();
  nlohmann::json phases_json() const;
  nlohmann::json lane_shapes_json() const;
  HttpResponse item(const HttpRequest& request);
  HttpResponse measure(const HttpRequest& request);
  HttpResponse mark(const HttpRequest& request);
  HttpResponse search_step(const ui::MarkRequest& wanted);
  // A query's args searched by a pass of their own (args_search.h), its
  // lanes taken into the frames' search before each request.
  void start_args_search(ui::SearchIndex& search);
  void absorb_args_search();
  HttpResponse samples(const HttpRequest& request);
  HttpResponse finding(const HttpRequest& request);
  std::optional<ui::FindingList> findings_;  // read at the first GET /finding
  static constexpr int64_t kMaxGraphPackets = 1'000'000;  // GET /samples (samples())
  // Before each frame and item: a lane store changed under its mapping
  // (cut short or rewritten in place by another process) is dropped, and
  // the store now at its path used when it is whole, else lanes are read
  // from the profile; said once on stderr (lane_store.h, changed()).
  void check_store();

  std::filesystem::path profile_;
  std::unique_ptr<Database> db_;
  LaneSummaryOutcome summary_;
  std::unique_ptr<ui::ProfileModel> model_;
  std::unique_ptr<LaneStore> store_;  // before lanes_, which reads from it
  std::unique_ptr<LaneCache> lanes_;
  std::string store_note_;
  std::string outline_note_;
  uint64_t store_drops_ = 0;  // stores dropped because they changed under the mapping
  std::unique_ptr<ui::FrameRenderer> renderer_;
  std::shared_ptr<const std::string> outline_;  // the outline's bytes
  double load_seconds_ = 0;
  StartupPhases phases_;
  uint64_t frames_served_ = 0;
  // The minimap's bins over the whole profile, as JSON ([[count, worst
  // mark kind], ...]), built on the first /native (the page's minimap).
  std::string minimap_json_;
  StartupPhases background_phases_{true};
  bool store_made_here_ = false;
  bool late_refused_ = false;  // the background's flows and periods were not this profile's
  std::string background_problem_;  // why the background fell short, once over (/native)
  int64_t data_version_ = 0;  // PRAGMA data_version in the open's read transaction
  std::unique_ptr<ArgsSearches> args_searches_;  // the last few queries' passes over the args
  std::unique_ptr<WindowDownloads> windows_;     // GET /window.lurk (window_download.h)
  // Last: its thread stops before the rest goes.
  std::unique_ptr<BackgroundLaneStore> background_;
};

// Events at or above which `lurk view` keeps a profile in the native process
// instead of sending it to the browser (docs/server.md): the browser's model
// holds about 30 bytes per event and opens about 0.35 s per million events
// past the first (bench/RESULTS.md, "Browser UI": 1M drawn in 0.84 s, 10M in
// 4.1 s), so from about 7M events it would take more than issue 15's 3 s.
constexpr int64_t kNativeViewEvents = 7'000'000;

// Events in a profile, counted from its tables without loading it (cheap:
// SQLite's row counts of the bulk tables).
int64_t profile_event_count(const std::filesystem::path& profile);

}  // namespace lurk::server
