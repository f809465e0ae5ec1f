// /frame, /item, /native and /outline.lurk of `lurk view --native` (frame_endpoint.h).
#include "server/frame_endpoint.h"

#include <time.h>

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <thread>
#include <nlohmann/json.hpp>

#include "core/finding_target.h"
#include "core/frame_request.h"
#include "core/frame_wire.h"
#include "core/item_details.h"
#include "core/mark_style.h"
#include "core/minimap.h"
#include "core/sample_wire.h"
#include "server/args_search.h"
#include "server/background_lane_store.h"
#include "server/mark_steps.h"
#include "server/native_search.h"
#include "server/outline_cache.h"
#include "server/shared_read_snapshot.h"
#include "server/stop_flag.h"
#include "server/window_download.h"
#include "storage/schema.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {
namespace {

// A JSON answer (/native, /item, /measure).
HttpResponse json_response(const nlohmann::json& j) {
  HttpResponse response;
  response.add_header("Content-Type", "application/json");
  response.add_text(j.dump());
  return response;
}

// VmRSS / VmHWM of this process in bytes (Linux), 0 when unknown.
int64_t status_bytes(const std::string& field) {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line))
    if (line.rfind(field + ":", 0) == 0) return std::atoll(line.c_str() + field.size() + 1) * 1024;
  return 0;
}

// CPU time of this thread in ms (the one that draws the frame: a cold
// open's background thread, background_lane_store.h, is not counted).
double cpu_ms() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return double(ts.tv_sec) * 1e3 + double(ts.tv_nsec) / 1e6;
}

std::vector<std::pair<uint32_t, uint8_t>> bins_of(const ui::Minimap& minimap) {
  std::vector<std::pair<uint32_t, uint8_t>> bins;
  for (const ui::MinimapBin& b : minimap.bins()) bins.emplace_back(b.count, uint8_t(b.worst));
  return bins;
}

// The open was asked to stop (page_lanes.h: the page's store no longer
// wanted): its pass ends here rather than at the last lane.
[[noreturn]] void stopped() { throw StorageError("stopped before the lane store was made"); }

}  // namespace

FrameEndpoint::FrameEndpoint(const std::filesystem::path& profile, const std::filesystem::path& temp_dir,
                             size_t lane_budget, const std::atomic<bool>* stop)
    : profile_(profile) {
  auto start = std::chrono::steady_clock::now();
  db_ = open_profile_for_reading(profile.string());
  if (stop) end_statements_when(*db_, stop);
  // A profile of schema version 1 is read from a copy upgraded in memory
  // (schema_migrations.h), which only this connection sees: a background
  // could only copy and upgrade it again, so its store is made here, by the
  // pass over every event (as for any profile written before lane facts).
  const bool upgraded = is_upgraded_copy(*db_);
  phases_.mark("profile opened (schema checked)");
  // One read transaction for the outline and the summary: a profile being
  // appended to (lurk collect) is opened as one committed state, as the
  // served snapshots are; lanes read later stop at the summary's last row
  // ids, so they show that state too.
  db_->exec("BEGIN");
  summary_ = lane_summary_for(
      *db_, profile,
      [&](ui::LaneSummary& made) {
        phases_.mark("lane summary scanned (every event, in storage order)");
        // The flows and periods read here are kept in the summary, for the next open.
        model_ = std::make_unique<ui::ProfileModel>(ui::ProfileModel::load_outline(*db_, made, {}, &made));
        phases_.mark("small tables loaded (outline model, flows and periods read)");
        ui::Minimap minimap;
        // A store of this state kept in the cache whose summary was lost:
        // the minimap is made from its lanes, the store is not made again.
        std::string unused;
        store_ = LaneStore::open(profile, *model_, unused);
        if (store_ && minimap_from_store(*store_, *model_, minimap, stop)) {
          phases_.mark("minimap made from the lane store already kept");
        } else {
          if (stop && stop->load()) stopped();
          store_.reset();
          minimap = ui::Minimap();
          LaneStoreWriter writer(profile, *model_);
          if (!pass_over_lanes(*db_, *model_, writer, &minimap, stop)) stopped();
          store_note_ = writer.finish();
          store_made_here_ = store_note_.empty();
          phases_.mark("every lane read (minimap) and the lane store written");
        }
        made.minimap = bins_of(minimap);
      },
      /*facts_first=*/!upgraded);
  phases_.mark(summary_.from_file    ? "lane summary read"
               : summary_.from_facts ? "lane summary read from the profile's lane facts"
                                     : "lane summary kept");
  if (!model_) {
    // From the lane facts: the flows and periods come from the background
    // (adopt_background); the model has their count and bounds meanwhile.
    model_ = std::make_unique<ui::ProfileModel>(
        ui::ProfileModel::load_outline(*db_, summary_.summary, {}, nullptr, summary_.from_facts));
    phases_.mark(summary_.from_facts ? "small tables loaded (outline model; flows and periods later)"
                                     : "small tables loaded (outline model)");
  }
  // The model holds the flows and periods now: the summary's copies go
  // (77 MB at 100M events); flows_kept and periods_kept stay to say where they came from.
  summary_.summary.flows = {};
  summary_.summary.periods = {};
  std::string why;
  if (!store_) {
    // From the lane facts too: a store of this state may be kept already
    // (the summary lost), and then the background makes the summary only.
    store_ = LaneStore::open(profile, *model_, why);
    if (summary_.from_facts) why.clear();  // the background makes one otherwise
    phases_.mark("lane store opened");
  }
  if (!store_ && summary_.from_file) {
    // The summary was kept but its store is gone or does not match (deleted,
    // damaged, of another lurk): made again, in the same read transaction,
    // or every later view would read its lanes from the profile's rows.
    std::string unused = why.empty() ? lane_store_path(profile).string() + ": missing" : why;
    const std::string kFallback = "; lanes are read from the profile";
    if (unused.size() > kFallback.size() && unused.ends_with(kFallback))
      unused.resize(unused.size() - kFallback.size());
    LaneStoreWriter writer(profile, *model_);
    if (!pass_over_lanes(*db_, *model_, writer, nullptr, stop)) stopped();
    std::string problem = writer.finish();
    phases_.mark("every lane read and the lane store written again");
    store_ = LaneStore::open(profile, *model_, why);
    store_made_here_ = store_ != nullptr;
    why = unused + (store_ ? "; lane store made again"
                           : "; lane store not made again (" + (problem.empty() ? why : problem) +
                                 "), lanes are read from the profile");
  }
  // What commits by others since will change (a read of the same
  // connection later compares: read_late_flows_and_periods).
  data_version_ = db_->query_int("PRAGMA data_version");
  if (summary_.from_facts) {
    // A cold open of a profile whose writer kept its lanes' facts: the
    // store, the minimap and the kept summary are made in the background
    // (background_lane_store.h), which takes this very state before this
    // transaction ends, and begins once the open is done so as not to slow
    // it; lanes are read from the rows meanwhile.
    try {
      SharedReadSnapshot state(*db_);
      background_ = std::make_unique<BackgroundLaneStore>(profile, summary_.summary, summary_.identity, state);
      if (!store_)
        store_note_ = "being made in the background (lanes are read from the profile until it is ready)";
    } catch (const StorageError& e) {
      // No background can read this state: the flows and periods are read
      // below, the lanes from the rows (or the store already kept).
      background_problem_ = e.what();
      if (!store_) why = std::string("not made (") + e.what() + "); lanes are read from the profile";
    }
  }
  db_->exec("COMMIT");
  if (!why.empty()) store_note_ = why;
  if (!background_ && model_->flows_and_periods_pending()) read_late_flows_and_periods();
  phases_.mark("read transaction ended");
  // A second connection for the frames' reads from the rows (a cold open,
  // or no store): not for an upgraded copy, which only db_ sees.
  std::function<std::unique_ptr<Database>()> open_second;
  if (!upgraded)
    open_second = [profile, stop] {
      std::unique_ptr<Database> second = open_profile_for_reading(profile.string());
      if (stop) end_statements_when(*second, stop);
      return second;
    };
  lanes_ = std::make_unique<LaneCache>(*db_, *model_, lane_budget, store_.get(), std::move(open_second));
  if (background_) lanes_->set_partial(background_->partial());
  OutlineOutcome outline = outline_for(*db_, profile, temp_dir);
  outline_ = outline.bytes;
  outline_note_ = outline.note;
  phases_.mark(outline.from_file ? "outline read from the cache" : "outline written (and kept in the cache)");
  renderer_ = std::make_unique<ui::FrameRenderer>(*model_);
  args_searches_ = std::make_unique<ArgsSearches>(profile_, *model_);
  windows_ = std::make_unique<WindowDownloads>(profile_);
  renderer_->set_prepare([this](const ui::TimelineLayout& layout, size_t first, size_t last) {
    lanes_->prepare(layout, first, last);
  });
  // A query is run over the lane store (native_search.h): until a cold open
  // made it, frames come without matches and say the count is pending. Its
  // names at once, its args by a pass of their own (args_search.h).
  renderer_->set_run_search([this](ui::SearchIndex& search, const std::string& query) {
    if (!store_ || !run_search_in_store(*store_, *model_, search, query)) return false;
    start_args_search(search);
    return true;
  });
  load_seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  phases_.mark("renderer made");
  if (background_) background_->go();
}

// The background's store and minimap, once it is done, taken between two
// requests (the server answers one at a time, so no frame is in flight).
void FrameEndpoint::adopt_background() {
  if (!background_) return;
  if (model_->flows_and_periods_pending() && !late_refused_ && background_->flows_ready() &&
      !model_->adopt_late_flows_and_periods(background_->kept())) {
    // Not this profile's (changed in place meanwhile?): frames go on without them.
    late_refused_ = true;
    std::fprintf(stderr, "lurk: the flows and periods read in the background were not taken: frames go on "
                         "without them\n");
  }
  if (!background_->done()) return;
  background_->wait();
  lanes_->set_partial(nullptr);  // the store itself from now on, or the rows
  background_phases_ = background_->phases();
  if (!background_->minimap().empty()) {
    summary_.summary.minimap = background_->minimap();
    minimap_json_.clear();
  }
  std::string problem = background_->problem();
  background_problem_ = problem;
  if (!store_) {
    std::string why;
    store_ = LaneStore::open(profile_, *model_, why, summary_.identity);  // made of the state shown
    // The lanes read from the rows so far are dropped: views of the store
    // from now on. Without a store they stay (dropping them would only read
    // them again), and frames go on being drawn from the profile's rows.
    if (store_) lanes_->set_store(store_.get());
    store_made_here_ = store_ != nullptr;
    store_note_ = store_ ? problem
                         : "not made in the background (" + (problem.empty() ? why : problem) +
                               "); lanes are read from the profile";
  } else {
    store_note_ = problem;
  }
  background_.reset();
  // Failed before the flows and periods (a SQLite error, a damaged table):
  // read here, or frames go on without them; either way not pending forever.
  if (model_->flows_and_periods_pending()) read_late_flows_and_periods();
  // Said once: the background is gone from here on.
  if (!store_note_.empty()) std::fprintf(stderr, "lurk: lane store: %s\n", store_note_.c_str());
}

// On the view's connection, in a read transaction of its own: only while the
// profile is the state the view shows (PRAGMA data_version: no commit by
// another connection since the open's transaction), else the flows could
// name other lanes than the model's.
void FrameEndpoint::read_late_flows_and_periods() {
  std::string why;
  try {
    db_->exec("BEGIN");
    if (db_->query_int("PRAGMA data_version") != data_version_) {
      why = "the profile changed since it was opened";
    } else {
      ui::LaneSummary kept = summary_.summary;  // as the background keeps them
      ui::ProfileModel::load_outline(*db_, summary_.summary, {}, &kept);
      if (!model_->adopt_late_flows_and_periods(kept)) why = "they do not fit the profile's lanes";
    }
    db_->exec("COMMIT");
  } catch (const std::exception& e) {
    sqlite3_exec(db_->raw(), "ROLLBACK", nullptr, nullptr, nullptr);
    why = e.what();
  }
  if (why.empty()) return;
  model_->forgo_late_flows_and_periods();
  background_problem_ += (background_problem_.empty() ? "" : "; ") + std::string("flows and periods not read (") +
                         why + "): frames are drawn without them";
  std::fprintf(stderr, "lurk: the flows and periods could not be read (%s): frames go on without them\n",
               why.c_str());
}

void FrameEndpoint::wait_for_flows() {
  while (background_ && !background_->flows_ready() && !background_->done())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  adopt_background();
}

void FrameEndpoint::wait_for_background() {
  if (background_) background_->wait();
  adopt_background();
}

FrameEndpoint::~FrameEndpoint() {
  args_searches_.reset();  // their threads read the model
}

void FrameEndpoint::start_args_search(ui::SearchIndex& search) {
  std::vector<uint32_t> threads;
  uint64_t events = 0;
  for (uint32_t t = 0; t < model_->threads().size(); ++t) {
    auto spans = store_->spans_of(*model_, t);
    auto instants = store_->instants_of(*model_, t);
    if (!spans || !instants || spans->size + instants->size == 0) continue;
    threads.push_back(t);
    events += spans->size + instants->size;
  }
  args_searches_->begin(search, std::move(threads), events);
}

// Between two requests (the server answers one at a time): the lanes the
// pass has searched since, OR-ed into the search the frames and steps use.
void FrameEndpoint::absorb_args_search() { args_searches_->absorb(renderer_->held_search()); }

void FrameEndpoint::wait_for_args_search() {
  args_searches_->wait(renderer_->search().query());
  absorb_args_search();
}

namespace {

// A request's parameters read by `parse` into `out`, or the 400 naming the
// one that is wrong and what was expected.
template <typename Parse, typename T>
std::optional<HttpResponse> parsed(const HttpRequest& request, Parse parse, T& out) {
  try {
    out = parse(request.query);
    return std::nullopt;
  } catch (const ui::FrameRequestError& e) {
    return text_response(400, e.what());
  }
}

}  // namespace

std::optional<HttpResponse> FrameEndpoint::answer(const HttpRequest& request) {
  if (request.path == "/frame") return frame(request);
  if (request.path == "/native") return info();
  if (request.path == "/item") return item(request);
  if (request.path == "/measure") return measure(request);
  if (request.path == "/mark") return mark(request);
  if (request.path == "/samples") return samples(request);
  if (request.path == "/finding") return finding(request);
  if (request.path == "/window.lurk") return windows_->answer(*model_, request);
  if (request.path == "/outline.lurk") {
    HttpResponse response;
    response.add_header("Content-Type", "application/vnd.sqlite3");
    response.body.push_back({outline_, nullptr, -1, 0, outline_->size()});
    return response;
  }
  return std::nullopt;
}

HttpResponse FrameEndpoint::frame(const HttpRequest& request) {
  ui::FrameRequest wanted;
  if (std::optional<HttpResponse> bad = parsed(request, ui::parse_frame_request, wanted)) return *bad;
  if (wanted.view.window.t0() > double(model_->duration_ns()) + wanted.view.window.span() ||
      wanted.view.window.t1() < -wanted.view.window.span())
    return text_response(400, "frame parameters t0/t1: the window lies more than its own width outside "
                            "the profile (0 to " + std::to_string(model_->duration_ns()) + " ns)");
  if (wanted.selected_group && *wanted.selected_group >= model_->groups().size())
    return text_response(400, "frame parameter sg: no group " + std::to_string(*wanted.selected_group) +
                                " (the profile has " + std::to_string(model_->groups().size()) + ")");
  if (wanted.keep_group && *wanted.keep_group >= model_->groups().size())
    return text_response(400, "frame parameter keep: no group " + std::to_string(*wanted.keep_group));
  HttpResponse response;
  response.add_header("Content-Type", "application/x-lurk-frame");
  double cpu0 = cpu_ms();
  adopt_background();
  check_store();
  absorb_args_search();
  auto wall0 = std::chrono::steady_clock::now();
  try {
    ui::FrameAnswer answer = renderer_->render(wanted);
    if (store_ && store_->changed()) {
      // Cut short while this frame read its lanes' views: pages past the
      // new end read as zeros (truncation_guard.h), so the frame is drawn
      // again from the profile's lanes.
      check_store();
      answer = renderer_->render(wanted);
    }
    response.add_text(ui::encode_frame_answer(answer));
    // A cold open's first frames, drawn before the background read them
    // (background_lane_store.h): what they lack.
    if (model_->flows_and_periods_pending()) response.add_header("X-Lurk-Pending", "flows, periods");
  } catch (const std::exception& e) {  // a lane that could not be read (StorageError)
    return text_response(500, std::string("a lane of the profile could not be read: ") + e.what());
  }
  // What the frame cost this process (lanes read included): CPU time does not
  // depend on how busy the machine is, wall time does (bench/native_bench.py).
  char timing[96];
  std::snprintf(timing, sizeof timing, "cpu;dur=%.3f, app;dur=%.3f", cpu_ms() - cpu0,
                std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - wall0).count());
  response.add_header("Server-Timing", timing);
  ++frames_served_;
  return response;
}

// One fstat per frame (about a microsecond). A store another lurk view made
// again meanwhile was put in place by a rename, so the one mapped here is
// unchanged and goes on being used; only a file changed in place is dropped.
void FrameEndpoint::check_store() {
  if (!store_ || !store_->changed()) return;
  lanes_->set_store(nullptr);
  store_.reset();
  renderer_->forget_search();  // its match bits were read from the store dropped
  args_searches_->clear();
  ++store_drops_;
  std::string why;
  store_ = LaneStore::open(profile_, *model_, why);
  lanes_->set_store(store_.get());  // (dropped the lanes of the old one before it went)
  const std::string kFallback = "; lanes are read from the profile";
  if (why.ends_with(kFallback)) why.resize(why.size() - kFallback.size());
  store_note_ = lane_store_path(profile_).string() + " changed while in use (cut short or rewritten in place); " +
                (store_ ? std::string("the whole store now there is used")
                        : "lanes not held are read from the profile" + (why.empty() ? "" : " (" + why + ")"));
  std::fprintf(stderr, "lurk: lane store: %s\n", store_note_.c_str());
}

// The details panel's and tooltip's text for one item of a frame this
// process drew: what describe_item says in-browser (packet header fields
// read from the profile, as the page does for a selected packet).
HttpResponse FrameEndpoint::item(const HttpRequest& request) {
  ui::ItemRef item;
  if (std::optional<HttpResponse> bad = parsed(request, ui::parse_item_request, item)) return *bad;
  adopt_background();
  check_store();
  lanes_->hold_item(item);  // a lazy model reads the item's lane first
  if (!ui::item_in_model(*model_, item))
    return text_response(404, "item " + ui::item_request_query(item) + " is not in this profile");
  ui::ItemDetails details = ui::describe_item(*model_, item, db_.get());
  nlohmann::json fields = nlohmann::json::array();
  for (const ui::DetailField& f : details.fields) fields.push_back({f.name, f.value});
  nlohmann::json j = {{"title", details.title}, {"fields", fields}};
  if (auto extent = ui::item_extent(*model_, item)) j["t0"] = extent->first, j["t1"] = extent->second;
  return json_response(j);
}

// {"packets", "spans", "instants", "marks": {kind: count}}: what the page counts in-browser
// (core/range_counts.h), from the lane store's arrays (a binary search of
// each lane: no lane read). Without the store (a cold open's first seconds,
// or none could be made) the counts would read every event of the range
// from the rows: {"pending": why} instead, and the page asks again once the
// background's state moves on.
HttpResponse FrameEndpoint::measure(const HttpRequest& request) {
  std::pair<double, double> range;
  if (std::optional<HttpResponse> bad = parsed(request, ui::parse_measure_request, range)) return *bad;
  adopt_background();
  check_store();
  std::optional<ui::RangeCounts> counts;
  if (store_) counts = store_->count_range(*model_, range.first, range.second);
  nlohmann::json j;
  if (counts) {
    nlohmann::json marks = nlohmann::json::object();
    for (size_t k = size_t(ui::MarkKind::ZeroWindow); k < counts->marks.size(); ++k)
      marks[ui::mark_kind_name(ui::MarkKind(k))] = counts->marks[k];
    j = {{"packets", counts->packets}, {"spans", counts->spans}, {"instants", counts->instants}, {"marks", marks}};
  } else {
    j = {{"pending", background_ && !background_->done() ? "counts once lurk view's lane store is made"
                                                          : "no counts: lurk view has no lane store of this profile"}};
  }
  return json_response(j);
}

// `]` / `[` (mark_steps.h): {"sel": "K.L.I.C", "t": relative ns, "kind"} of
// the mark stepped to, {"none": true} when the profile (or the group) has
// none, {"pending": why} without a lane store (as /measure).
HttpResponse FrameEndpoint::mark(const HttpRequest& request) {
  ui::MarkRequest wanted;
  if (std::optional<HttpResponse> bad = parsed(request, ui::parse_mark_request, wanted)) return *bad;
  if (wanted.group && *wanted.group >= model_->groups().size())
    return text_response(400, "mark parameter g: no group " + std::to_string(*wanted.group));
  adopt_background();
  check_store();
  if (!wanted.search.empty()) return search_step(wanted);
  int32_t group = wanted.group ? int32_t(*wanted.group) : -1;
  std::optional<ui::FindingMark> stepped;
  bool none = false;
  if (store_) {
    MarkCursor cursor;
    cursor.t_ns = wanted.t_ns;
    if (wanted.current)
      if (std::optional<ui::FindingMark> current = mark_of(*store_, *model_, wanted.current))
        if (group < 0 || current->group == uint32_t(group)) cursor.current = ui::MarkKey::of(*current);
    stepped = step_mark(*store_, *model_, cursor, wanted.forward, group, none);
  }
  if (stepped) {
    std::string sel = ui::item_request_query(stepped->item).substr(4);  // without "sel="
    return json_response({{"sel", sel}, {"t", double(stepped->t_ns)}, {"kind", ui::mark_kind_name(stepped->kind)}});
  }
  if (none) return json_response({{"none", true}});
  return json_response({{"pending", background_ && !background_->done()
                                        ? "marks once lurk view's lane store is made"
                                        : "no marks: lurk view has no lane store of this profile"}});
}

// One connection's packets for its graphs (the page holds none): what the
// page reads from its profile in-browser (ConnectionSeries::read_samples),
// by the packets' index on (connection, time).
HttpResponse FrameEndpoint::samples(const HttpRequest& request) {
  int64_t id = 0;
  if (std::optional<HttpResponse> bad = parsed(request, ui::parse_samples_request, id)) return *bad;
  int32_t c = model_->connection_index(id);
  if (c < 0) return text_response(404, "no connection " + std::to_string(id));
  // The page holds the samples a few times over while it builds the graphs
  // (fetch buffer, file, decoded copy): past a million packets (42 MB on the
  // wire) it would run out of its memory; it says so instead.
  if (int64_t packets = model_->connections()[size_t(c)].packets; packets > kMaxGraphPackets)
    return text_response(501, "this connection has " + std::to_string(packets) +
                                  " packets; graphs in server-backed viewing read at most " +
                                  std::to_string(kMaxGraphPackets));
  HttpResponse response;
  try {
    response.add_text(ui::encode_tcp_samples(ui::ConnectionSeries::read_samples(*db_, id, model_->origin_ns())));
  } catch (const std::exception& e) {
    return text_response(500, std::string("the connection's packets could not be read: ") + e.what());
  }
  response.add_header("Content-Type", "application/x-lurk-samples");
  return response;
}

// A finding clicked or stepped to (n): the item it selects and the window it
// fits, worked out by finding_target as in-browser, with the lanes it reads
// (its connection's packets, its thread's instants) held first.
HttpResponse FrameEndpoint::finding(const HttpRequest& request) {
  int64_t id = 0;
  if (std::optional<HttpResponse> bad = parsed(request, ui::parse_finding_request, id)) return *bad;
  adopt_background();
  check_store();
  if (!findings_) findings_ = ui::FindingList::load(*db_);
  const auto& rows = findings_->rows();
  auto row = std::find_if(rows.begin(), rows.end(), [&](const ui::FindingRow& f) { return f.id == id; });
  if (row == rows.end()) return text_response(404, "no finding " + std::to_string(id));
  ui::FindingLane lane = ui::finding_lane(*model_, *row);
  if (lane.thread >= 0) lanes_->hold_item({ui::ItemKind::Thread, uint32_t(lane.thread), 0});
  if (lane.connection >= 0) lanes_->hold_item({ui::ItemKind::Packet, uint32_t(lane.connection) * 2, 0});
  ui::FindingTarget target = ui::finding_target(*model_, *row);
  nlohmann::json j = nlohmann::json::object();
  j["sel"] = target.item ? nlohmann::json(ui::item_request_query(target.item).substr(4)) : nlohmann::json();
  if (target.has_window) j["t0"] = target.t0_ns, j["t1"] = target.t1_ns;
  return json_response(j);
}

// Enter / shift+Enter: the next / previous match of the query (the frames'
// search, run again only when the query changed: native_search.h).
HttpResponse FrameEndpoint::search_step(const ui::MarkRequest& wanted) {
  const ui::SearchIndex* search = store_ ? renderer_->search_for(wanted.search) : nullptr;
  absorb_args_search();
  bool none = false;
  std::optional<SearchStep> stepped;
  if (search) stepped = step_search(*store_, *model_, *search, wanted.current, wanted.t_ns, wanted.forward, none);
  if (stepped) {
    std::string sel = ui::item_request_query(stepped->item).substr(4);  // without "sel="
    return json_response({{"sel", sel}, {"t", double(stepped->t_ns)}, {"kind", "search"}});
  }
  if (none) return json_response({{"none", true}});
  return json_response({{"pending", background_ && !background_->done()
                                        ? "matches once lurk view's lane store is made"
                                        : "no matches: lurk view has no lane store of this profile"}});
}

// What the page's outline lacks for laying its rows out as this model
// does (ProfileModel::adopt_lane_shapes): threads' span depths, counter lanes.
nlohmann::json FrameEndpoint::lane_shapes_json() const {
  nlohmann::json depths = nlohmann::json::array(), counters = nlohmann::json::array();
  for (const ui::ThreadLane& t : model_->threads())
    if (t.depth_count() > 0) depths.push_back({t.id, t.depth_count()});
  for (const ui::CounterLane& c : model_->counters()) counters.push_back({c.name, c.key, c.min, c.max});
  return {{"depths", depths}, {"counters", counters}};
}

// [[name, wall s, CPU s], ...] in order (startup_phases.h).
nlohmann::json FrameEndpoint::phases_json() const {
  nlohmann::json out = nlohmann::json::array();
  for (const StartupPhase& p : phases_.phases()) out.push_back({p.name, p.wall_seconds, p.cpu_seconds});
  for (const StartupPhase& p : background_phases_.phases())
    out.push_back({"background: " + p.name, p.wall_seconds, p.cpu_seconds});
  return out;
}

HttpResponse FrameEndpoint::info() {
  adopt_background();
  if (minimap_json_.empty()) {
    nlohmann::json bins = nlohmann::json::array();
    for (const auto& [events, worst] : summary_.summary.minimap) bins.push_back({events, int(worst)});
    minimap_json_ = bins.dump();
  }
  const ui::ProfileCounts& c = model_->counts();
  nlohmann::json j = {{"native", true},
                      {"counts", {{"connections", c.connections}, {"packets", c.packets},
                                  {"threads", c.threads}, {"events", c.events}}},
                      {"originNs", double(model_->origin_ns())},
                      // Exact (a double holds ns since 1970 only to ~256 ns):
                      // the page's model takes this origin (profile_model_remote.cpp).
                      {"originNsText", std::to_string(model_->origin_ns())},
                      {"durationNs", double(model_->duration_ns())},
                      {"groups", model_->groups().size()},
                      {"loadSeconds", load_seconds_},
                      {"loadPhases", phases_json()},
                      {"modelBytes", model_->memory_bytes()},
                      {"summarySeconds", summary_.seconds},
                      {"summaryFromFile", summary_.from_file},
                      {"laneBytes", lanes_->bytes()},
                      {"laneBudgetBytes", lanes_->budget()},
                      {"lanePeakBytes", lanes_->peak_bytes()},
                      {"lanesHeld", lanes_->lanes_held()},
                      {"laneLoads", lanes_->loads()},
                      {"laneStoreLoads", lanes_->store_loads()},
                      // Of laneLoads, those read back from the store a cold
                      // open's background is making (partial_lane_store.h).
                      {"laneHandedLoads", lanes_->partial_loads()},
                      {"laneStoreBytes", store_ ? store_->file_bytes() : 0},
                      {"laneDrops", lanes_->drops()},
                      {"laneStoreDrops", store_drops_},
                      {"rssBytes", status_bytes("VmRSS")},
                      {"peakRssBytes", status_bytes("VmHWM")},
                      {"outlineBytes", outline_->size()},
                      {"framesServed", frames_served_},
                      // A cold open's lane store and minimap still being made
                      // (background_lane_store.h): the minimap is empty until
                      // then; ask again.
                      {"backgroundPending", background_ != nullptr},
                      // Its pass over the lanes so far: [events in the store, of how many].
                      {"backgroundEvents", background_ ? nlohmann::json::array({background_->events_stored(),
                                                                                background_->events_to_store()})
                                                       : nlohmann::json::array()},
                      // Why the background made no store or summary, once
                      // it is over ("" when all went well): the page says it.
                      {"backgroundProblem", background_problem_},
                      {"flowsPending", model_->flows_and_periods_pending()},
                      {"laneShapes", lane_shapes_json()},
                      {"minimap", nlohmann::json::parse(minimap_json_)}};
  return json_response(j);
}

int64_t profile_event_count(const std::filesystem::path& profile) {
  // The file as it is, even one of schema version 1: the four tables are in
  // every version, and an upgraded copy (open_profile_for_reading) would cost
  // a copy of the whole profile for four numbers.
  Database db(profile.string(), Database::Mode::ReadOnly);
  if (std::string problem = schema_problem(db); !problem.empty())
    throw StorageError(profile.string() + ": " + problem);
  int64_t total = 0;
  // max(rowid) is a lookup at the end of each table's b-tree, where count(*)
  // would read a 100M-row table; rows are appended, so it is the count (or
  // a little more after deletions, which is fine for a threshold).
  for (const char* table : {"packets", "spans", "instants", "counters"})
    total += db.query_int(std::string("SELECT coalesce(max(rowid), 0) FROM ") + table);
  return total;
}

}  // namespace lurk::server
