// window.lurkSnapshot(): the UI state tests and tools read, as JSON. Its
// fields are a stable interface (docs/ui-snapshot.md); add, never rename.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/ingest_problems.h"
#include "core/profile_model.h"
#include "core/stevens_graph.h"

namespace lurk::ui {

struct SnapshotGroup {
  std::optional<int64_t> connection;  // null: threads on no connection
  std::string label;
  int64_t threads = 0;
  bool collapsed = false;
  std::optional<double> y;            // its header's middle on the page (CSS px), if drawn
};

struct SnapshotSelection {
  std::string kind;                   // "connection", "packet", "thread", "span", ...
  std::optional<int64_t> connection;  // connection id
  std::optional<int64_t> frame;
  std::optional<int64_t> thread;      // thread id
  std::optional<double> t_ns;         // absolute
  int64_t count = 1;                  // merged blocks: items inside
  bool finding = false;               // an exception or flagged packet (n/N target)
  bool row_on_screen = false;         // its lane (or group header) is within the scrolled rows
  std::string title;
  std::vector<std::pair<std::string, std::string>> fields;
};

struct SnapshotMeasure {
  double t0_ns = 0, t1_ns = 0;        // absolute
  std::map<std::string, int64_t> counts;
};

struct SnapshotTable {
  bool shown = true;
  int64_t rows = 0;                   // after the filter
  std::string filter, sort_column;
  bool descending = false;
  std::vector<int64_t> order;         // connection ids in display order (first 200)
  // Each column header's centre on screen (CSS px; empty while the table is hidden).
  struct Header {
    std::string column;  // its link key (core/connection_rows.h)
    float x = 0, y = 0;
  };
  std::vector<Header> headers;
};

struct SnapshotFindingRow {
  int64_t rank = 0;                   // 1-based place in `lurk findings`
  std::string kind;
  int64_t severity = 0;
  std::string title, detail;
  std::optional<int64_t> connection, thread, ts_ns;  // ids; absolute ns
};

// Where something clickable was drawn last frame (CSS px on the page).
struct SnapshotPlace {
  std::string name;                   // a rank as text, or a kind
  double x = 0, y = 0;
};

// The ranked findings panel (app/findings_panel, core/findings_view).
struct SnapshotFindingsPanel {
  bool shown = false;
  std::vector<SnapshotFindingRow> rows;  // after the kind filter, first 200
  int64_t count = 0;                     // findings in the profile
  std::map<std::string, int64_t> kinds;  // findings per kind
  int64_t current = -1;                  // index in rows, -1: none (or filtered out)
  int64_t current_rank = -1;             // rank of the current finding, -1: none
  std::string filter;                    // kind, "" for all
  std::vector<SnapshotPlace> drawn_rows, drawn_kinds;  // last frame, for tests to click
};

// The timeline's rows, ruler, labels and packet-lane density as last drawn
// (docs/ui-snapshot.md, "timelineLayout", "ruler", "exceptionLabels", "packetDensity").
struct SnapshotLayout {
  bool packed = true, hide_idle = true;
  int64_t thread_rows = 0;        // thread rows of every group once packed (shown or not)
  int64_t thread_rows_shown = 0;  // thread rows in the layout now (idle ones hidden)
  int64_t rows = 0;               // all layout rows (headers, packet, thread, counter rows)
  int64_t counter_rows = 0, counter_folds = 0;
  double rows_top = 0, rows_height = 0;  // the rows area (between ruler and minimap): page y, CSS px
  // The group fitted with thin rows (connection id, -1: threads on no
  // connection; none when no group is thinned) and its rows' height.
  std::optional<int64_t> thin_group;
  double thin_row_height = 0;
  // The highlighted group's extent in content px (header top to last row
  // bottom) and its thread rows in the layout now.
  double highlighted_top = 0, highlighted_bottom = 0;
  int64_t highlighted_thread_rows = 0;
  int64_t arrows = 0;               // flow arrows drawn last frame
};

struct SnapshotTick {
  double t_ns = 0;    // absolute
  double rel_ns = 0;  // from the origin (exact)
  double x = 0;
  std::string label;
};

struct SnapshotRuler {
  std::string origin;           // "0 = 2026-11-29 20:57:19.000000000 UTC" or the trace's start
  std::string prefix;           // "" or the common prefix the tick labels are offsets from
  double prefix_ns = 0;         // absolute
  double prefix_rel_ns = 0;     // from the origin (exact)
  double step_ns = 0;
  std::vector<SnapshotTick> ticks;
};

struct SnapshotLabel {
  int64_t thread = 0;
  double t_ns = 0;  // absolute
  double x = 0;
};

struct SnapshotDensity {
  int64_t connection = 0;
  int dir = 0;
  int64_t columns = 0, flagged_columns = 0;
};

// The "Ingest problems" band (app/ingest_panel, core/ingest_problems).
struct SnapshotIngestProblems {
  static constexpr size_t kMaxRows = 200;
  bool shown = false;
  std::vector<std::string> warnings;     // the lines `lurk ingest` prints (partial, nothing to show)
  std::vector<IngestProblemRow> rows;    // ingest_errors, first kMaxRows
  int64_t total = 0;                     // rows of ingest_errors in the profile
};

// Following a growing profile (core/follow_state.h, docs/live.md).
struct SnapshotFollow {
  bool available = false;  // the server offers it (lurk view --follow)
  bool on = false;         // the toggle (L)
  bool live = false;       // on, and the server answered within FollowState::kStaleMs
  bool pinned = false;     // the window's right edge is at the profile's end
  double events_per_second = 0;
  int64_t updates = 0;     // deltas and reloads applied
  // Deltas after which the model was loaded whole from the copy, because
  // appending the new rows could not follow the change (ProfileModel::append).
  int64_t model_loads = 0;
  std::string problem;     // the last poll's problem, "" when it went well
};

struct SnapshotRemote {
  int64_t frames_asked = 0, frames_received = 0, items_asked = 0, measures_asked = 0, marks_asked = 0;
    std::string mark_note;  // why the last `]` / `[` went nowhere
  bool finding_pending = false;  // a finding's item asked of lurk view, not in yet (GET /finding)
  double last_answer_ms = 0;  // the last /frame's time from asking to answer
  std::string error;
};

struct SnapshotState {
  bool ready = false;
  std::optional<std::string> error;
  // The last open failed while a profile was shown, which stayed open.
  std::optional<std::string> open_error;
  // What the status screen (no profile shown) draws; never an error's text,
  // which the page shows.
  std::optional<std::string> status_text;
  SnapshotIngestProblems ingest_problems;
  std::optional<std::string> loading;  // name of what is loading
  double loading_fraction = 0;
  ProfileCounts counts;
  bool has_range = false;
  double visible_t0_ns = 0, visible_t1_ns = 0;  // absolute ns
  std::optional<int64_t> selected_connection;
  std::optional<int64_t> selected_frame;
  double last_frame_ms = 0;
  uint64_t frames = 0;
  int64_t primitives = 0;

  // Timeline state (filled once a profile is loaded).
  std::optional<SnapshotSelection> selection;
  std::vector<SnapshotGroup> groups;   // first 200
  int64_t group_count = 0;
  std::string search_query;
  int64_t search_matches = 0, search_current = -1;
  double search_args_searched = 1;  // TimelinePanel::search_args_searched
  // Drawn last frame: rectangles marked as matches, and merged blocks among them.
  int64_t search_on_screen = 0, search_blocks_on_screen = 0;
  bool search_focused = false;
  bool help = false;
  int64_t findings = 0, finding_current = -1;  // what ] / [ walk
  SnapshotFindingsPanel findings_panel;
  std::optional<SnapshotMeasure> measure;
  std::optional<std::string> hover;
  double scroll_y = 0, content_height = 0;
  int64_t visible_rows = 0;
  int64_t timeline_records = 0;
  // The drawn frame's records as a digest (core/frame_records_text.h), and
  // whether that frame is for the view shown (false while a remote frame for
  // a newer view is on its way).
  std::string frame_digest;
  bool frame_current = true;
  // "in-browser" (the profile's model in the page) or "native" (server-backed:
  // lurk view --native draws the timeline), with the remote frames' traffic.
  std::string mode = "in-browser";
  // In-browser: "store" when the lanes are views of the lane store the page
  // fetched (/trace.lanes), else "profile"; and why a fetched store was not used.
  std::string lanes_from = "profile", lanes_note;
  SnapshotRemote remote;
  // Rectangles of the last frame per mark colour (core/marks_on_screen.h).
  std::map<std::string, int64_t> marks_on_screen;
  double axis_left = 0, axis_width = 0;  // the time axis on the page (CSS px)
  std::optional<int64_t> highlighted_group;  // connection id (or -1: no connection)
  SnapshotTable table;
  int64_t memory_bytes = 0;
  double duration_ns = 0;
  double origin_ns = 0;

  SnapshotLayout layout;
  SnapshotRuler ruler;
  std::vector<SnapshotLabel> exception_labels;  // failed threads' texts drawn last frame
  int64_t edge_indicators = 0;
  std::vector<SnapshotDensity> packet_density;  // packet lanes drawn last frame (first 50)

  // Theme and per-connection graphs (uigraph: app/theme, app/graphs_panel).
  std::string theme;
  std::optional<GraphsSummary> graphs;
  // Every source and its clock (source_clocks.h, docs/clocks.md).
  std::vector<SourceClock> clocks;
  // The view as a link carries it (core/view_state.h, docs/sharing.md): the
  // hash text, and what of the last link opened did not apply ("" if all did).
  std::string view_hash;
  std::string view_notice;
  SnapshotFollow follow;
};

std::string snapshot_json(const SnapshotState& state);

}  // namespace lurk::ui
