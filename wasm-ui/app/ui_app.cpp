#include "app/ui_app.h"

#include <imgui.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <vector>

#include "app/help_overlay.h"
#include "app/theme.h"
#include "core/finding_target.h"
#include "core/frame_records_text.h"
#include "core/lane_store_format.h"
#include "ingest/ingest.h"
#include "ingest/outcome_text.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

// What the ingest of a drop said: an error (then nothing opens), or the
// lines `lurk ingest` would print for its partial or empty inputs.
struct DropIngest {
  std::string error;
  std::vector<std::string> warnings;
};

// Raw captures and traces dropped on the page are ingested by the same core
// as the CLI uses, into one profile in the module's memory file system (as
// `lurk view a.pcap b.ctf` does: each a source, then joined).
DropIngest ingest_in_memory(const std::vector<std::string>& paths,
                            const std::vector<std::string>& names, const std::string& profile_path) {
  DropIngest result;
  std::remove(profile_path.c_str());
  Database db(profile_path, Database::Mode::ReadWriteCreate);
  for (size_t i = 0; i < paths.size(); ++i) {
    std::ifstream in(paths[i], std::ios::binary);
    std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    SourceOutcome outcome = ingest_buffer(db, names[i], bytes.data(), bytes.size());
    if (outcome.status == SourceOutcome::Status::Rejected) {
      result.error = outcome.messages.empty() ? names[i] + ": not a format lurk reads"
                                              : outcome.messages.front();
      return result;
    }
    if (outcome.status == SourceOutcome::Status::Partial || outcome.nothing_shown)
      for (std::string& line : outcome_lines(outcome)) result.warnings.push_back(std::move(line));
  }
  return result;
}

}  // namespace

UiApp::UiApp() = default;
UiApp::~UiApp() = default;

void UiApp::set_loading(const std::string& name, double fraction) {
  loading_ = name;
  loading_fraction_ = fraction;
}

void UiApp::set_error(const std::string& message) {
  if (model_) open_error_ = message;
  else error_ = message;
  loading_.reset();
}

std::string UiApp::fail_open(const std::string& message) {
  set_error(message);
  return message;
}

std::string UiApp::open_file(const std::string& path, const std::string& display_name) {
  return open_files({path}, {display_name});
}

// The model from the lane store when the page fetched one that is this
// profile's, else from the profile's rows.
ProfileModel UiApp::load_model(Database& db, const std::shared_ptr<const char>& lanes, uint64_t lanes_size) {
  lanes_from_ = "profile";
  lanes_note_.clear();
  if (!lanes) return ProfileModel::load(db);
  LaneStoreReader reader;
  std::string why;
  if (reader.parse(lanes.get(), lanes_size, nullptr, why)) {
    if (std::optional<ProfileModel> model = ProfileModel::load_with_store(db, reader, why)) {
      lanes_from_ = "store";
      return std::move(*model);
    }
  }
  lanes_note_ = "the lane store was not used (" + why + "): lanes read from the profile";
  std::fprintf(stderr, "lurk: %s\n", lanes_note_.c_str());  // the console (printErr)
  return ProfileModel::load(db);
}

void UiApp::read_args_for(const ItemRef& item) {
  if (!model_ || !db_ || timeline_.remote() || !item) return;
  if (item.kind != ItemKind::Span && item.kind != ItemKind::Running && item.kind != ItemKind::Instant) return;
  if (item.lane < model_->threads().size()) model_->load_thread_args(*db_, item.lane);
}

void UiApp::read_args_for_search(const char* query) {
  if (model_ && db_ && !timeline_.remote() && query[0] != '\0') model_->load_all_args(*db_);
}

std::string UiApp::open_files(const std::vector<std::string>& paths, const std::vector<std::string>& names,
                              std::shared_ptr<const char> lanes, uint64_t lanes_size) {
  loading_.reset();
  std::string display_name;
  for (const std::string& n : names) display_name += (display_name.empty() ? "" : " + ") + n;
  std::string profile_path = paths.empty() ? "" : paths.front();
  std::string ingested_path;  // the in-memory profile this drop made, if any
  try {
    bool profile = paths.size() == 1 && is_sqlite_file(paths.front());
    for (size_t i = 0; i < paths.size() && paths.size() > 1; ++i)
      if (is_sqlite_file(paths[i]))
        return fail_open(names[i] + ": a .lurk profile opens on its own; drop it alone "
                                    "(captures and traces can be combined)");
    DropIngest ingest;
    if (!profile) {
      // A new file per drop: the profile shown may be the last drop's, and
      // stays open (and whole) if this one fails.
      ingested_path = profile_path = "/ingested-" + std::to_string(++ingest_count_) + ".lurk";
      ingest = ingest_in_memory(paths, names, profile_path);
      if (!ingest.error.empty()) {
        std::remove(ingested_path.c_str());
        return fail_open(ingest.error);
      }
    }
    // A profile of an earlier schema version is upgraded in a copy in memory.
    std::unique_ptr<Database> db = open_profile_for_reading(profile_path);
    clocks_.reset();
    ProfileModel model = load_model(*db, profile ? lanes : nullptr, lanes_size);
    FindingList findings = FindingList::load(*db);
    IngestProblems problems = IngestProblems::load(*db);
    bool said = !ingest.warnings.empty();  // this drop was partial or yielded nothing
    problems.warnings = std::move(ingest.warnings);
    db_ = std::move(db);
    timeline_.set_remote(nullptr, nullptr, nullptr, nullptr);  // open_native sets them again
    remote_frames_.reset();
    remote_items_.reset();
    remote_measure_.reset();
    remote_marks_.reset();
    graphs_.set_remote(nullptr);
    remote_samples_.reset();
    remote_findings_.reset();
    if (!shown_ingest_path_.empty()) std::remove(shown_ingest_path_.c_str());
    shown_ingest_path_ = ingested_path;
    model_ = std::move(model);
    lane_bytes_ = lanes_from_ == "store" ? std::move(lanes) : nullptr;  // after the model it served went
    findings_ = std::move(findings);
    follow_cursor_.clear();  // computed when the page asks (follow_cursor)
    name_ = display_name;
    error_.reset();
    open_error_.reset();
    timeline_.reset(*model_);
    table_.reset();
    table_.update_rows(*model_);
    findings_panel_.reset(findings_);
    ingest_panel_.reset(std::move(problems), said);
    details_.reset();
    search_buf_[0] = 0;
    graphs_.reset();
    start_view_history();
    return "";
  } catch (const std::exception& e) {
    if (!ingested_path.empty()) std::remove(ingested_path.c_str());
    return fail_open(display_name + ": " + e.what());
  }
}

namespace {

// /native's minimap ([[events, worst mark kind], ...]); bins that are not
// such pairs are left out.
std::vector<MinimapBin> minimap_bins(const std::string& minimap_json) {
  std::vector<MinimapBin> bins;
  nlohmann::json j = nlohmann::json::parse(minimap_json, nullptr, false);
  if (j.is_array())
    for (const nlohmann::json& b : j)
      if (b.is_array() && b.size() == 2 && b[0].is_number_unsigned() && b[1].is_number_integer() &&
          b[1].get<int>() >= 0 && b[1].get<int>() <= int(MarkKind::Exception))
        bins.push_back({b[0].get<uint32_t>(), MarkKind(b[1].get<int>())});
  return bins;
}

}  // namespace

std::string UiApp::open_native(const std::string& path, const std::string& display_name, int64_t origin_ns,
                               int64_t duration_ns, const ProfileCounts& counts, size_t groups,
                               const std::string& minimap_json, const std::string& lane_shapes_json,
                               NativeChannels channels) {
  std::string problem = open_files({path}, {display_name});
  if (!problem.empty()) return problem;
  if (!model_->adopt_lane_shapes(lane_shapes_json))
    return fail_open(display_name + ": lurk view's lane shapes (/native laneShapes) could not be read");
  model_->adopt_extent(origin_ns, duration_ns, counts, groups);
  model_->adopt_connection_flag_counts(*db_);
  // Groups are named by index in frame requests and answers: they must be the server's.
  if (model_->groups().size() != groups)
    return fail_open(display_name + ": the outline has " + std::to_string(model_->groups().size()) +
                     " groups of lanes, lurk view " + std::to_string(groups));
  remote_frames_ = std::make_unique<RemoteFrameSource>(std::move(channels.frame));
  auto asking = [ask = channels.ask](std::string path) {
    return [ask, path](const std::string& query) { ask(path, query); };
  };
  remote_items_ = std::make_unique<RemoteItemDetails>(asking("item"));
  remote_measure_ = std::make_unique<RemoteMeasure>(asking("measure"));
  remote_marks_ = std::make_unique<RemoteMarkSteps>(asking("mark"));
  remote_samples_ = std::make_unique<RemoteConnectionSamples>(asking("samples"));
  remote_findings_ = std::make_unique<RemoteFindingTarget>(asking("finding"));
  graphs_.set_remote(remote_samples_.get());
  remote_frames_received_ = 0;
  timeline_.reset(*model_);  // on the whole profile's axis
  timeline_.set_remote(remote_frames_.get(), remote_items_.get(), remote_measure_.get(), remote_marks_.get());
  // The minimap's bins come from lurk view (the outline has no events).
  timeline_.adopt_minimap(minimap_bins(minimap_json), double(duration_ns));
  start_view_history();
  return "";
}

void UiApp::native_update(const std::string& minimap_json) {
  if (!remote_frames_) return;
  std::vector<MinimapBin> bins = minimap_bins(minimap_json);
  if (!bins.empty()) timeline_.adopt_minimap(bins, double(model_->duration_ns()));
  remote_frames_->refresh();
  remote_measure_->refresh();  // counts lurk view could not give before (its store not made yet)
}

void UiApp::frame_received(uint64_t serial, const std::string& body, double answer_ms) {
  if (!remote_frames_) return;
  if (remote_frames_->receive(serial, body).empty()) {
    ++remote_frames_received_;
    remote_last_answer_ms_ = answer_ms;
  }
}

void UiApp::frame_failed(uint64_t serial, const std::string& message) {
  if (remote_frames_) remote_frames_->fail(serial, "lurk view could not draw this view: " + message);
}

void UiApp::remote_answer(const std::string& path, const std::string& query, bool ok, const std::string& body) {
  RemoteAnswers* asked = nullptr;
  if (path == "item") asked = remote_items_.get();
  else if (path == "measure") asked = remote_measure_.get();
  else if (path == "mark") asked = remote_marks_.get();
  else if (path == "samples") asked = remote_samples_.get();
  else if (path == "finding") asked = remote_findings_.get();
  if (!asked) return;  // no longer server-backed, or not a path the page asks
  if (ok) asked->receive(query, body);
  else asked->fail(query, body);
}

std::string UiApp::frame_records() const { return frame_records_text(timeline_.drawn_frame()); }

void UiApp::record_frame_time(double ms, int64_t primitives) {
  last_frame_ms_ = ms;
  primitives_ = primitives;
  ++frames_;
}

void UiApp::set_window(double t0_ns, double t1_ns) {
  if (model_ && t1_ns > t0_ns) timeline_.set_window(t0_ns, t1_ns);
}

std::optional<int64_t> UiApp::graphed_connection() const {
  std::optional<int64_t> id = timeline_.selected_connection();
  // (Server-backed, the packets come from lurk view: GraphsPanel::set_remote.)
  if (!id || !model_) return std::nullopt;
  int32_t c = model_->connection_index(*id);
  if (c < 0 || model_->connections()[size_t(c)].packets == 0) return std::nullopt;
  return id;
}

SnapshotState UiApp::snapshot() const {
  SnapshotState s;
  s.ready = model_.has_value() && !error_ && frames_ > 0;
  s.error = error_;
  s.open_error = open_error_;
  s.status_text = status_text();
  s.loading = loading_;
  s.loading_fraction = loading_fraction_;
  if (model_) {
    s.counts = model_->counts();
    s.has_range = true;
    s.visible_t0_ns = double(model_->origin_ns()) + timeline_.window().t0();
    s.visible_t1_ns = double(model_->origin_ns()) + timeline_.window().t1();
    s.selected_connection = timeline_.selected_connection();
    s.selected_frame = timeline_.selected_frame();
    timeline_.fill_snapshot(*model_, s);
    table_.fill_snapshot(s.table);
    findings_panel_.fill_snapshot(findings_, s.findings_panel);
    s.search_focused = search_focused_;
    s.memory_bytes = int64_t(model_->memory_bytes());
    s.lanes_from = lanes_from_;
    s.lanes_note = lanes_note_;
    s.duration_ns = double(model_->duration_ns());
    s.origin_ns = double(model_->origin_ns());
    s.clocks = model_->sources();
    ingest_panel_.fill_snapshot(s.ingest_problems);
  }
  if (remote_frames_) {
    s.mode = "native";
    s.remote.frames_asked = int64_t(remote_frames_->requests_sent());
    s.remote.frames_received = remote_frames_received_;
    s.remote.items_asked = int64_t(remote_items_->requests_sent());
    s.remote.measures_asked = int64_t(remote_measure_->requests_sent());
    s.remote.marks_asked = int64_t(remote_marks_->requests_sent());
    s.remote.mark_note = remote_marks_->note();
    s.remote.finding_pending = remote_findings_ && remote_findings_->pending();
    s.remote.last_answer_ms = remote_last_answer_ms_;
    s.remote.error = remote_frames_->error();
  }
  s.help = help_;
  s.last_frame_ms = last_frame_ms_;
  s.frames = frames_;
  s.primitives = primitives_;
  s.theme = app_theme().name();
  // The graphs show only while a connection with packets is selected (they
  // close with the selection).
  if (model_ && graphed_connection()) s.graphs = graphs_.summary();
  if (model_) s.view_hash = view_to_hash(current_view(), opening_view_);
  s.view_notice = notice_;
  s.follow.available = follow_.available();
  s.follow.on = follow_.on();
  s.follow.live = follow_.live(follow_now_ms_);
  s.follow.events_per_second = follow_.events_per_second(follow_now_ms_);
  s.follow.updates = int64_t(follow_.updates());
  s.follow.model_loads = follow_model_loads_;
  s.follow.problem = follow_.problem();
  if (model_)
    s.follow.pinned = FollowState::is_pinned(timeline_.window().t0(), timeline_.window().t1(),
                                             double(model_->duration_ns()));
  return s;
}

// What the status screen says when no profile is shown. An error is not
// repeated here: the page shows it (lurk-page.js showError), once.
std::optional<std::string> UiApp::status_text() const {
  if (model_ || error_) return std::nullopt;
  if (loading_) return "Loading " + *loading_;
  return "No trace loaded.";
}

void UiApp::draw_status_screen() {
  std::optional<std::string> text = status_text();
  if (!text) return;
  ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(std::min(640.0f, viewport->Size.x * 0.9f), 0));
  ImGui::Begin("status", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_AlwaysAutoResize |
                   ImGuiWindowFlags_NoMove | ImGuiWindowFlags_NoSavedSettings);
  ImGui::TextUnformatted(text->c_str());
  if (loading_) ImGui::ProgressBar(float(loading_fraction_), ImVec2(-1, 0));
  ImGui::End();
}

// The next header item on the same line when it fits left of the page's
// buttons (web/lurk-share.js's toolbar, `header_reserve_` px wide), else on
// the next line.
void UiApp::same_line_if_fits(float width) {
  ImGui::SameLine();
  if (ImGui::GetCursorPosX() + width > ImGui::GetWindowContentRegionMax().x - header_reserve_)
    ImGui::NewLine();
}

void UiApp::draw_header() {
  const ProfileCounts& c = model_->counts();
  ImGui::Text("lurk  \xc2\xb7  %s  \xc2\xb7  %lld connections, %lld packets, %lld threads, %lld events",
              name_.c_str(), (long long)model_->shown_connection_count(), (long long)c.packets,
              (long long)c.threads, (long long)c.events);
  same_line_if_fits(240 + 110);  // the search box and its match count
  draw_search_box();
  same_line_if_fits(ImGui::CalcTextSize("? keys").x + 8);
  if (ImGui::SmallButton("? keys")) help_ = !help_;
  if (ingest_panel_.problems().any()) {
    same_line_if_fits(ImGui::CalcTextSize("! 99 ingest problems").x + 8);
    ingest_panel_.draw_button();
  }
  same_line_if_fits(ImGui::CalcTextSize("clocks: 10 of 10 moved").x + 8);
  if (auto by_hand = clocks_.draw(model_->sources())) {
    // Moved by hand, for display: the lanes are rebuilt with the new shifts.
    model_ = ProfileModel::load(*db_, *by_hand);
    lanes_from_ = "profile";
    timeline_.reset(*model_);
    graphs_.reset();
  }
}

// `/` search: typing searches as you go; Enter / shift+Enter step through the
// matches, Escape leaves the box.
void UiApp::draw_search_box() {
  SearchIndex& search = timeline_.search();
  if (focus_search_) {
    ImGui::SetKeyboardFocusHere();
    focus_search_ = false;
  }
  ImGui::SetNextItemWidth(240);
  // Escape leaves the box with the query kept (ImGui would restore the text
  // the box had when it took the keyboard): the matches stay highlighted and
  // Enter / n work on the timeline.
  bool escape = search_focused_ && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
  std::string query_before_escape = escape ? std::string(search_buf_) : std::string();
  bool enter = ImGui::InputTextWithHint("##search", "/ search names, labels, args", search_buf_,
                                        sizeof search_buf_, ImGuiInputTextFlags_EnterReturnsTrue);
  // One step a press: ImGui repeats a key held past its repeat delay, and a
  // press whose key-up the page takes a slow frame late looked held (a
  // step was skipped on a loaded machine).
  if (enter && !ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) &&
      !ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false))
    enter = false;
  if (search_type_ahead_.take_enter()) enter = true;  // pressed before the box had the keyboard
  if (escape)
    std::snprintf(search_buf_, sizeof search_buf_, "%s", query_before_escape.c_str());
  search_focused_ = ImGui::IsItemActive();
  if (search.query() != search_buf_) {
    read_args_for_search(search_buf_);
    search.run(*model_, search_buf_);
  }
  if (enter) {
    timeline_.step_search(*model_, !ImGui::GetIO().KeyShift);
    ImGui::SetKeyboardFocusHere(-1);  // keep typing / pressing Enter
  }
  if (search.active()) {
    // Server-backed, lurk view counts the matches in its lane store, by
    // name only (docs/server.md), and the outline has nothing to step to.
    std::optional<int64_t> matches = timeline_.search_match_count();
    ImGui::SameLine();
    ImVec4 yellow(1.0f, 0.9f, 0.3f, 1.0f);
    if (!matches) ImGui::TextColored(yellow, "searching\xe2\x80\xa6");
    else if (*matches < 0) ImGui::TextColored(yellow, "search: once lurk view has made its lane store");
    else if (timeline_.remote()) {
      // lurk view searches names and labels at once, then reads every
      // event's args in a pass of its own (docs/server.md, "Search"): the
      // count grows meanwhile, asked again twice a second.
      double args = timeline_.search_args_searched();
      if (args >= 1) {
        ImGui::TextColored(yellow, "%lld matches", (long long)*matches);
      } else if (args < 0) {
        // The pass stopped (its terminal says why) before the end or at
        // its start: the count holds the names and whatever args it read.
        ImGui::TextColored(yellow, "%lld matches (args not all searched)", (long long)*matches);
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("lurk view could not search every event's args (its terminal says why): "
                            "names, thread labels and the args it read before it stopped");
      } else {
        ImGui::TextColored(yellow, "%lld matches so far, args %d%% searched", (long long)*matches, int(args * 100));
        if (ImGui::IsItemHovered())
          ImGui::SetTooltip("lurk view searched names and thread labels; it is reading every event's args (docs/server.md)");
        if (ImGui::GetTime() - args_asked_at_ >= 0.5) {
          args_asked_at_ = ImGui::GetTime();
          remote_frames_->refresh();
        }
      }
    } else {
      ImGui::TextColored(yellow, "%lld matches", (long long)*matches);
    }
  }
}

// Backspace and Enter pressed after `/` before the search box has the
// keyboard (type_ahead.h): the box's, once it takes the characters held.
void UiApp::hold_typed_ahead_keys() {
  if (!search_type_ahead_.holding()) return;
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Backspace))) search_type_ahead_.backspace();
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Enter), false) ||
      ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_KeyPadEnter), false))
    search_type_ahead_.enter();
}

// Keys that are not the timeline's: help, search, the table, the findings.
void UiApp::handle_app_keys() {
  ImGuiIO& io = ImGui::GetIO();
  if (help_ && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) help_ = false;
  search_type_ahead_.frame(io.InputQueueCharacters, search_focused_);
  hold_typed_ahead_keys();
  if (io.WantTextInput) return;
  for (int i = 0; i < io.InputQueueCharacters.Size; ++i) {
    ImWchar c = io.InputQueueCharacters[i];
    if (c == '?') help_ = !help_;
    if (c == '/') {
      // What follows is the query: no key of the page sees it.
      focus_search_ = true;
      search_type_ahead_.start(io.InputQueueCharacters, size_t(i));
      hold_typed_ahead_keys();
      break;
    }
    if (c == 'c') table_.toggle();
    if (c == 'F') findings_panel_.view().toggle();
    if (c == 'n' || c == 'N') {
      int64_t row = findings_panel_.view().step(c == 'n');
      if (row >= 0) {
        go_to_finding(uint32_t(row));
        findings_panel_.reveal_current();
      }
    }
  }
}

void UiApp::go_to_finding(uint32_t row) {
  findings_panel_.view().set_current(row);
  FindingTarget target = finding_target(*model_, findings_.rows()[row]);
  // Server-backed, the outline holds no packet nor exception instant: the
  // window is fitted now, the item comes from lurk view (take_finding_target).
  if (remote_findings_) remote_findings_->ask(findings_.rows()[row].id);
  go_to_target(target);
}

void UiApp::go_to_target(const FindingTarget& target) {
  std::optional<std::pair<double, double>> window;
  if (target.has_window) window = std::make_pair(target.t0_ns, target.t1_ns);
  timeline_.go_to(*model_, target.item, window);
}

// Above the timeline: the ranked findings (first, on the left) and the
// connections table, each shown or hidden by its key (F, c).
void UiApp::draw_top_band() {
  bool table = table_.shown() && !model_->connections().empty();
  bool findings = findings_panel_.view().shown();
  if (!table && !findings) return;
  float height = std::clamp(ImGui::GetContentRegionAvail().y * 0.22f, 90.0f, 220.0f);
  if (findings) {
    // The table keeps the band's right part (its filter line and rows).
    float band = height + ImGui::GetFrameHeightWithSpacing();
    float width = table ? std::floor(ImGui::GetContentRegionAvail().x * 0.55f) : 0.0f;
    ImGui::BeginChild("findings-panel", ImVec2(width, band), false);
    if (auto clicked = findings_panel_.draw(findings_, band, app_theme().light()))
      go_to_finding(*clicked);
    ImGui::EndChild();
    if (table) ImGui::SameLine();
  }
  if (table) {
    if (findings) ImGui::BeginChild("connections-table", ImVec2(0, height + ImGui::GetFrameHeightWithSpacing()), false);
    if (auto picked = table_.draw(*model_, timeline_.selected_connection(), height))
      timeline_.focus_connection(*model_, *picked);
    if (findings) ImGui::EndChild();
  }
  ImGui::Separator();
}

void UiApp::build_frame() {
  if (!model_ || error_) {
    draw_status_screen();
    return;
  }
  if (remote_findings_)
    if (std::optional<FindingTarget> target = remote_findings_->take()) go_to_target(*target);
  handle_app_keys();
  handle_follow_keys();
  timeline_.handle_keys(*model_);
  timeline_.take_remote_mark(*model_);
  timeline_.set_light(app_theme().light());
  ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->WorkPos);
  ImGui::SetNextWindowSize(viewport->WorkSize);
  ImGui::Begin("lurk", nullptr,
               ImGuiWindowFlags_NoDecoration | ImGuiWindowFlags_NoMove |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoBringToFrontOnFocus);
  draw_header();
  draw_follow_controls();
  same_line_if_fits(ImGui::CalcTextSize("light theme").x + 8);
  app_theme().draw_toggle();
  draw_notice();
  ImGui::Separator();
  ingest_panel_.draw_band(std::clamp(ImGui::GetContentRegionAvail().y * 0.2f, 80.0f, 180.0f));
  draw_top_band();
  const float details_width = std::min(360.0f, ImGui::GetContentRegionAvail().x * 0.3f);
  ImGui::BeginChild("main-left", ImVec2(-details_width, 0), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  // The selected connection's graphs (graphs_panel.*) go under the timeline,
  // on the same time axis; the timeline gets the rest of the height. A
  // connection without packets (one a trace showed by its promises alone) has
  // nothing to graph: its threads keep the height.
  std::optional<int64_t> graphed = graphed_connection();
  float graphs_height = graphs_.wanted_height(graphed, ImGui::GetContentRegionAvail().y);
  ImGui::BeginChild("timeline-area", ImVec2(0, graphs_height > 0 ? -graphs_height : 0), false,
                    ImGuiWindowFlags_NoScrollbar | ImGuiWindowFlags_NoScrollWithMouse);
  timeline_.set_graph_cursor(graphed ? graphs_.cursor() : std::nullopt);
  timeline_.draw(*model_);
  ImGui::EndChild();
  if (graphs_height > 0 && graphed)
    graphs_.draw(*db_, model_->origin_ns(), timeline_.window(), *graphed,
                 timeline_.label_width());
  ImGui::EndChild();
  ImGui::SameLine();
  ImGui::BeginChild("details", ImVec2(0, 0), true);
  if (timeline_.remote()) details_.draw(timeline_.selected(), timeline_.describe(*model_, timeline_.selected()));
  else {
    read_args_for(timeline_.selected());
    details_.draw(*model_, db_.get(), timeline_.selected());
  }
  ImGui::EndChild();
  ImGui::End();
  draw_help_overlay(help_);
}

}  // namespace lurk::ui
