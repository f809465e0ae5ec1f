// The timeline: the time ruler (drag on it to measure), one group per
// connection (plus threads on no connection) with packet, thread and counter
// lanes, and the minimap of the whole trace. Owns the visible window, the
// vertical scroll, collapsed groups and the selection; each frame it asks
// core/timeline_frame for draw records, emits them, and hit-tests them for
// hover and clicks. Keys: see help_overlay.cpp.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/finding_marks.h"
#include "core/frame_source.h"
#include "core/item_details.h"
#include "core/item_ref.h"
#include "core/minimap.h"
#include "core/profile_model.h"
#include "core/remote_item_details.h"
#include "core/remote_mark_steps.h"
#include "core/remote_measure.h"
#include "core/search_index.h"
#include "core/snapshot.h"
#include "core/time_window.h"
#include "core/timeline_frame.h"
#include "core/timeline_layout.h"
#include "core/view_state.h"

struct ImDrawList;
struct ImVec2;

namespace lurk::ui {

class TimelinePanel {
 public:
  // A new model: the view fitted, the minimap and finding marks built. With
  // `appended`, the same model after ProfileModel::append() said yes (a
  // follow update): the minimap and marks grow by its delta instead.
  void reset(const ProfileModel& model, bool appended = false);
  void draw(const ProfileModel& model);
  // Keys that act on the timeline (]/[, f, WASD, Escape); typed characters.
  void handle_keys(const ProfileModel& model);

  const TimeWindow& window() const { return window_; }
  void set_window(double t0_ns, double t1_ns) { window_.set(t0_ns, t1_ns); }
  // The rows' scroll position, kept across a follow update (ui_app_follow.cpp).
  float scroll_y() const { return scroll_y_; }
  void set_scroll_y(float y) { scroll_y_ = y; }
  // The graphs' cursor (relative ns), drawn on through the timeline's rows.
  void set_graph_cursor(std::optional<double> t_ns) { graph_cursor_ = t_ns; }
  float label_width() const { return label_width_; }
  void set_light(bool light) { light_ = light; }
  // Connection of the selection (or the highlighted group), if any.
  std::optional<int64_t> selected_connection() const { return selected_connection_; }
  std::optional<int64_t> selected_frame() const { return selected_frame_; }
  const ItemRef& selected() const { return selected_; }

  // Selects an item, scrolls to its lane and centers it in time.
  void select(const ProfileModel& model, const ItemRef& item, bool center);
  // Highlights a connection's group, scrolls to it and shows its time range.
  void focus_connection(const ProfileModel& model, uint32_t connection);
  // ] / [: the next / previous exception or flagged packet in time, within
  // the selected connection's group when a connection is selected.
  void next_finding(const ProfileModel& model, bool forward);
  // Selects `item` (if any), scrolls its lane into view and shows the window
  // [t0, t1] (relative ns) when given: where a ranked finding points.
  void go_to(const ProfileModel& model, const ItemRef& item,
             std::optional<std::pair<double, double>> window);
  void fit_selection(const ProfileModel& model);
  SearchIndex& search() { return search_; }
  // The query's matches in the whole profile; nullopt while lurk view's
  // count is on its way, -1 when it cannot search yet (server-backed).
  std::optional<int64_t> search_match_count() const;
  // How much of the args the count covers (SearchIndex::args_searched): 1
  // in-browser; server-backed, lurk view's pass over them goes on below 1
  // (0 until its first answer), -1 when it could not run.
  double search_args_searched() const;
  void step_search(const ProfileModel& model, bool forward);

  // The timeline's part of a link's view (core/view_state.h, timeline_view.cpp):
  // range, selection, folded groups, row layout. Restoring says in
  // `problems` what of the view does not apply to this profile.
  void capture_view(const ProfileModel& model, ViewState& view) const;
  void restore_view(const ProfileModel& model, const ViewState& view, std::vector<std::string>& problems);
  // Moves the user made by key (zoom, pan and fit steps), counted: each
  // makes a new history entry, where a drag or the wheel only replaces one.
  uint64_t view_steps() const { return view_steps_; }

  // Server-backed viewing (docs/server.md): frames come from `frames` (GET
  // /frame of lurk view --native) and items not in the page's model (the
  // profile's outline) are described by `items` (GET /item), a measured
  // range's events are counted by `measure` (GET /measure), `]` / `[` step
  // to the marks `marks` is told of (GET /mark). Null: in-browser.
  void set_remote(RemoteFrameSource* frames, RemoteItemDetails* items, RemoteMeasure* measure,
                  RemoteMarkSteps* marks) {
    remote_ = frames;
    remote_items_ = items;
    remote_measure_ = measure;
    remote_marks_ = marks;
    drawn_ = &frame_;
    remote_answer_ = nullptr;
    remote_layout_ = {};
  }
  bool remote() const { return remote_ != nullptr; }
  void adopt_minimap(const std::vector<MinimapBin>& bins, double duration_ns) { minimap_.adopt(bins, duration_ns); }
  // What the details panel and tooltips say about `item` (from the server
  // in server-backed viewing; "asking..." until its answer is in).
  ItemDetails describe(const ProfileModel& model, const ItemRef& item) const;
  // The last frame drawn (local or received).
  const TimelineFrame& drawn_frame() const { return *drawn_; }

  void fill_snapshot(const ProfileModel& model, SnapshotState& s) const;
  void fill_layout_snapshot(const ProfileModel& model, SnapshotState& s) const;

  // Server-backed: the mark or search match lurk view stepped to, once it
  // is in, selected and its row brought into view. Called before the frame
  // lays out the graphs under the timeline, which the selection opens: the
  // row is then scrolled to within the rows' height it will have, as a
  // step in-browser is (in the same frame as its key).
  void take_remote_mark(const ProfileModel& model);

 private:
  struct Areas;
  Areas areas() const;
  void handle_pointer(const ProfileModel& model, const Areas& a);
  void click(const ProfileModel& model, ImVec2 p);
  void draw_records(ImDrawList* draw, const TimelineFrame& frame, bool ruler) const;
  void draw_minimap(ImDrawList* draw, const ProfileModel& model, const Areas& a) const;
  void draw_tooltip(const ProfileModel& model, const ItemRef& item) const;
  void draw_measure_label(ImDrawList* draw, const Areas& a) const;
  void draw_graph_cursor(ImDrawList* draw, const Areas& a) const;
  void ensure_visible_row(const ProfileModel& model, const ItemRef& item);
  void reveal_pending_row(const ProfileModel& model, float rows_height);
  void scroll_to_show(float y, float height, float rows_height);
  void relayout(const ProfileModel& model);
  void center_on(double t_ns);
  void update_selection_ids(const ProfileModel& model);
  void update_measure_counts(const ProfileModel& model);

  TimeWindow window_;
  float scroll_y_ = 0;
  float label_width_ = 300;  // the graphs panel lines up with it (ui_app.cpp)
  bool light_ = false;
  std::vector<bool> collapsed_;
  TimelineLayout layout_;
  TimelineFrame frame_;  // built here (in-browser), or empty
  const TimelineFrame* drawn_ = &frame_;  // what was drawn: frame_ or a remote answer's
  RemoteFrameSource* remote_ = nullptr;
  RemoteItemDetails* remote_items_ = nullptr;
  RemoteMeasure* remote_measure_ = nullptr;
  RemoteMarkSteps* remote_marks_ = nullptr;
  uint64_t mark_notes_seen_ = 0;  // RemoteMarkSteps::notes() when last looked at
  double mark_note_until_ = 0;    // ImGui time until which its note shows
  FrameLayoutSummary remote_layout_;  // of the last remote answer drawn
  // The remote source's answer (updated in place as answers arrive, so the
  // snapshot reports the layout of the records it reports).
  const FrameAnswer* remote_answer_ = nullptr;
  const FrameLayoutSummary& remote_layout() const {
    return remote_answer_ ? remote_answer_->layout : remote_layout_;
  }
  void build_frame(const ProfileModel& model, const FrameView& view);
  void draw_remote_state(ImDrawList* draw, const Areas& a) const;
  FindingMarks findings_;
  Minimap minimap_;
  SearchIndex search_;
  int64_t finding_current_ = -1;
  ItemRef selected_;
  ItemRef hovered_;
  std::optional<uint32_t> highlighted_group_;
  std::optional<int64_t> selected_connection_;
  std::optional<int64_t> selected_frame_;
  std::optional<std::pair<double, double>> measure_;
  std::map<std::string, int64_t> measure_counts_;
  // measure_counts_ with, in server-backed viewing, the events lurk view
  // counted (once in); `note` says why they are not (yet).
  std::map<std::string, int64_t> shown_measure_counts(std::string* note = nullptr) const;
  enum class Drag { None, Pan, Measure, Minimap } drag_ = Drag::None;
  // Geometry of the last frame, for the snapshot and key handling.
  float last_left_ = 300, last_width_ = 1000, last_rows_height_ = 600, last_rows_top_ = 0;
  std::optional<ItemRef> item_to_reveal_;  // whose row ensure_visible_row() asked for
  // Thread layout: packed rows (else one per thread), idle rows folded away,
  // counter families unfolded per group (keys t and i; a click on "▸ N counters").
  std::optional<double> graph_cursor_;
  bool packed_ = true;
  bool hide_idle_ = true;
  // What the layout was last built for (hiding idle rows depends on it).
  struct LaidOut {
    double t0 = 0, t1 = 0;
    std::optional<uint32_t> keep_group;
    float rows_height = 0;  // the rows area's height (the highlighted group is fitted in it)
  } laid_out_;
  std::vector<bool> counters_open_;
  int64_t visible_rows_ = 0;
  uint64_t view_steps_ = 0;
};

}  // namespace lurk::ui
