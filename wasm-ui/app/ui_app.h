// The lurk UI as one object the platform layer drives: it is told what is
// loading or failed, opens files, and builds one ImGui frame at a time.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "app/clocks_panel.h"
#include "app/connections_table.h"
#include "app/details_panel.h"
#include "app/findings_panel.h"
#include "app/graphs_panel.h"
#include "app/ingest_panel.h"
#include "app/timeline_panel.h"
#include "core/finding_list.h"
#include "core/follow_state.h"
#include "core/profile_model.h"
#include "core/remote_finding_target.h"
#include "core/remote_samples.h"
#include "core/snapshot.h"
#include "core/type_ahead.h"
#include "core/view_state.h"
#include "export/anonymizer.h"

namespace lurk {
class Database;
}

namespace lurk::ui {

class UiApp {
 public:
  UiApp();
  ~UiApp();

  void set_loading(const std::string& name, double fraction);
  // A message for the user (the page shows it, lurk-page.js): with a profile
  // open it is a failed open and the profile stays; without, the error screen.
  void set_error(const std::string& message);
  // Opens a .lurk profile, or ingests a raw capture/trace in memory first.
  // Returns "" on success, else the message shown to the user.
  std::string open_file(const std::string& path, const std::string& display_name);
  // What a server-backed page asks lurk view for, through functions the
  // platform gives: frames (their answers come back through frame_received
  // / frame_failed), and the rest by path ("item": an item's details,
  // "measure": a measured range's counts, "mark": `]` / `[` and Enter
  // steps, "samples": the graphed connection's packets, "finding": where a
  // finding takes the timeline), whose answers come back through
  // remote_answer() with the same path and query.
  struct NativeChannels {
    RemoteFrameSource::Send frame;
    std::function<void(const std::string& path, const std::string& query)> ask;
  };
  // Server-backed viewing (lurk view --native, docs/server.md): opens the
  // profile's outline at `path` (GET /outline.lurk), on the whole profile's
  // time axis and counts (GET /native), with the lanes' shapes its rows are
  // laid out by (/native's laneShapes, ProfileModel::adopt_lane_shapes); the
  // rest is asked through `channels`.
  std::string open_native(const std::string& path, const std::string& display_name, int64_t origin_ns,
                          int64_t duration_ns, const ProfileCounts& counts, size_t groups,
                          const std::string& minimap_json, const std::string& lane_shapes_json,
                          NativeChannels channels);
  // lurk view has more for the view (a cold open's background work:
  // /native's minimap, the flows and periods): the minimap is taken when
  // given (a JSON array as open_native's), and the shown view asked again.
  void native_update(const std::string& minimap_json);
  void frame_received(uint64_t serial, const std::string& body, double answer_ms);
  void frame_failed(uint64_t serial, const std::string& message);
  // lurk view's answer to the GET of `path` with `query` (its body), or
  // with `ok` false the problem: handed to the part of the page that asked.
  void remote_answer(const std::string& path, const std::string& query, bool ok, const std::string& body);
  // The drawn frame's records as text (core/frame_records_text.h), for tests.
  std::string frame_records() const;
  // Several raw captures and traces at once: ingested into one profile.
  // `lanes`: the profile's lane store as the page fetched it (/trace.lanes,
  // core/lane_store_format.h; `lanes_size` bytes, null: none): the model's
  // lanes are then views of it (ProfileModel::load_with_store), unless it
  // is refused (then read from the profile, and said on the console).
  std::string open_files(const std::vector<std::string>& paths, const std::vector<std::string>& names,
                         std::shared_ptr<const char> lanes = nullptr, uint64_t lanes_size = 0);

  // Builds the ImGui frame (between NewFrame and Render).
  void build_frame();
  void record_frame_time(double ms, int64_t primitives);
  SnapshotState snapshot() const;
  // Shows [t0, t1] (ns from the profile's origin, exact where absolute
  // doubles are not) on the timeline: window.lurkSetWindow(), for tests and
  // tools that need an exact range.
  void set_window(double t0_ns, double t1_ns);

  // Links (ui_app_view.cpp, docs/sharing.md). The whole view as a value.
  ViewState current_view() const;
  // Opens a link's view (URL hash text); returns the notice naming what did
  // not apply ("" when all of it did), also shown under the header.
  std::string apply_view_hash(const std::string& hash);
  // For the page's history: the hash when the view changed since last asked,
  // and whether the user chose it (a new entry) or it is a move (replaces
  // the entry); nullopt when unchanged.
  struct ViewUpdate {
    std::string hash;
    bool push = false;
  };
  std::optional<ViewUpdate> take_view_update();
  // Writes the open profile as a .lurk file at `path` (sqlite3_serialize of
  // the open database: a profile built from dropped files too). Returns ""
  // or the problem.
  std::string save_profile(const std::string& path) const;
  // The same, anonymised as `lurk export --anonymize` does (an in-memory
  // copy anonymised and written with VACUUM INTO, collector/export): the
  // same rows as the CLI writes for the same profile and key. The open
  // profile stays as it is. Returns "" or the problem.
  std::string save_anonymized_profile(const std::string& path, const AnonymizeOptions& options) const;
  // Following a growing profile (ui_app_follow.cpp, docs/live.md); the page
  // polls the server (web/lurk-follow.js). The server offers it:
  void set_follow_available(bool available) { follow_.set_available(available); }
  bool follow_wanted() const { return model_.has_value() && follow_.on(); }
  // The open copy's state for the server ("" with no profile open).
  const std::string& follow_cursor();
  // Applies the delta database at `path`: "" (applied), "more" (applied, ask
  // again at once), "reset" (the page fetches the profile whole: follow_reopen),
  // or the problem.
  std::string follow_apply(const std::string& path, double now_ms);
  // The profile fetched whole again after a reset, opened keeping the view.
  std::string follow_reopen(const std::string& path, double now_ms);
  void follow_polled(double now_ms);  // answered "nothing new"
  void follow_problem(double now_ms, const std::string& problem);
  // Width the page's own buttons take at the header's right (CSS px).
  void set_header_reserve(float px) { header_reserve_ = px; }

 private:
  std::optional<std::string> status_text() const;
  void draw_notice();
  void start_view_history();
  // A link's clock offsets set by hand: the model is reloaded with them when
  // they differ; sources the profile lacks (or its reference) are problems.
  void apply_clock_shifts(const std::map<int64_t, int64_t>& wanted, std::vector<std::string>& problems);
  void draw_status_screen();
  // A failed open: said once (returned to the page, which shows it); the
  // profile shown, if any, stays open.
  std::string fail_open(const std::string& message);
  void draw_header();
  void same_line_if_fits(float width);
  void draw_search_box();
  void handle_app_keys();
  void hold_typed_ahead_keys();
  void draw_top_band();
  // The selected connection when it has packets to graph (graphs_panel.h).
  std::optional<int64_t> graphed_connection() const;
  // Makes ranked finding `row` current and takes the timeline to it.
  void go_to_finding(uint32_t row);
  void go_to_target(const FindingTarget& target);
  // Follow (ui_app_follow.cpp): the copy changed, the model is rebuilt from
  // it keeping the view (moved to the end when it was pinned there).
  void reload_keeping_view();
  void draw_follow_controls();
  void handle_follow_keys();
  void pin_to_now();

  std::unique_ptr<Database> db_;
  // The lane store the model's lanes are views of (null: none); outlives
  // every model made from it (replaced only after model_ is).
  std::shared_ptr<const char> lane_bytes_;
  std::string lanes_from_ = "profile";  // "store" when the lanes are views of lane_bytes_
  std::string lanes_note_;              // why a fetched store was not used
  ProfileModel load_model(Database& db, const std::shared_ptr<const char>& lanes, uint64_t lanes_size);
  // Args are read per thread from the profile for a model made from a
  // store (load_thread_args): the selected item's, and every one before a search.
  void read_args_for(const ItemRef& item);
  void read_args_for_search(const char* query);
  // Server-backed viewing: where frames and items' details come from.
  std::unique_ptr<RemoteFrameSource> remote_frames_;
  std::unique_ptr<RemoteItemDetails> remote_items_;
  std::unique_ptr<RemoteMeasure> remote_measure_;
  std::unique_ptr<RemoteMarkSteps> remote_marks_;
  std::unique_ptr<RemoteConnectionSamples> remote_samples_;
  std::unique_ptr<RemoteFindingTarget> remote_findings_;
  int64_t remote_frames_received_ = 0;
  double remote_last_answer_ms_ = 0;
  double args_asked_at_ = 0;  // ImGui time the frame was last asked again for the args' pass
  std::optional<ProfileModel> model_;
  FindingList findings_;  // the ranked findings, as `lurk findings` lists them
  std::string name_;
  std::optional<std::string> error_;       // nothing can be shown (no profile open)
  std::optional<std::string> open_error_;  // the last open failed; the profile shown stayed
  int ingest_count_ = 0;                   // names the in-memory profile of each drop
  std::string shown_ingest_path_;          // the in-memory profile shown ("" for a .lurk)
  std::optional<std::string> loading_;
  double loading_fraction_ = 0;
  TimelinePanel timeline_;
  ConnectionsTable table_;
  FindingsPanel findings_panel_;
  DetailsPanel details_;
  bool help_ = false;
  bool focus_search_ = false, search_focused_ = false;
  TypeAhead search_type_ahead_;  // what was typed after `/` before the box had the keyboard
  char search_buf_[128] = {};
  GraphsPanel graphs_;  // per-connection graphs under the timeline
  ClocksPanel clocks_;  // the sources' clocks, in the header
  IngestPanel ingest_panel_;  // partial or empty inputs, ingest_errors rows
  ViewState opening_view_;    // the view a profile opens with: links leave it out
  ViewState published_view_;  // the view the page's history last heard of
  uint64_t published_steps_ = 0;
  std::string notice_;        // what of the last link opened did not apply
  float header_reserve_ = 0;
  FollowState follow_;
  std::string follow_cursor_;   // the copy's cursor, after the last open or delta
  double follow_now_ms_ = 0;    // the page's clock at the last poll
  int64_t follow_model_loads_ = 0;  // deltas after which the model was loaded whole
  double last_frame_ms_ = 0;
  uint64_t frames_ = 0;
  int64_t primitives_ = 0;
};

}  // namespace lurk::ui
