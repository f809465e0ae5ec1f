// Navigation and selection of the timeline panel: ]/[ through flagged marks,
// going to a ranked finding,
// search matches, fit, WASD, focusing a connection, the measured range's
// statistics, and what the panel reports in the snapshot.
#include <imgui.h>

#include <algorithm>
#include <tuple>

#include "app/timeline_panel.h"

#include "core/item_details.h"
#include "core/item_row.h"
#include "core/mark_merging.h"
#include "core/frame_records_text.h"
#include "core/marks_on_screen.h"
#include "core/range_counts.h"

namespace lurk::ui {

void TimelinePanel::reset(const ProfileModel& model, bool appended) {
  window_.fit(double(model.duration_ns()));
  scroll_y_ = 0;
  collapsed_.assign(model.groups().size(), false);
  counters_open_.assign(model.groups().size(), false);
  layout_.invalidate();
  // Very many groups: start folded so the first screen is an overview.
  if (model.groups().size() > 64) collapsed_.assign(model.groups().size(), true);
  relayout(model);
  if (appended) {
    findings_.append(model);
    minimap_.append(model);
  } else {
    findings_.build(model);
    minimap_.build(model);
  }
  search_.clear();
  finding_current_ = -1;
  selected_ = hovered_ = {};
  highlighted_group_.reset();
  measure_.reset();
  measure_counts_.clear();
  update_selection_ids(model);
}

void TimelinePanel::relayout(const ProfileModel& model) {
  LayoutOptions options;
  options.packed = packed_;
  options.hide_idle = hide_idle_;
  options.t0 = window_.t0();
  options.t1 = window_.t1();
  options.keep_group = highlighted_group_;
  options.counters_open = counters_open_;
  // Packed rows only: `p` (one row per thread) keeps every row readable.
  options.fit_height = packed_ ? last_rows_height_ : 0;
  layout_.build(model, collapsed_, LayoutMetrics{}, options);
  laid_out_ = {options.t0, options.t1, options.keep_group, last_rows_height_};
}

void TimelinePanel::center_on(double t_ns) {
  double half = window_.span() / 2;
  window_.set(t_ns - half, t_ns + half);
}

void TimelinePanel::update_selection_ids(const ProfileModel& model) {
  selected_connection_.reset();
  selected_frame_.reset();
  int32_t group = selected_ ? item_group(model, selected_) : -1;
  if (group < 0 && highlighted_group_) group = int32_t(*highlighted_group_);
  if (group >= 0 && model.groups()[size_t(group)].connection >= 0)
    selected_connection_ = model.connections()[size_t(model.groups()[size_t(group)].connection)].id;
  if (selected_.kind == ItemKind::Packet && item_in_model(model, selected_))
    selected_frame_ = model.connections()[selected_.lane / 2].lanes[selected_.lane % 2][selected_.index].frame;
}


void TimelinePanel::ensure_visible_row(const ProfileModel& model, const ItemRef& item) {
  int32_t group = item_group(model, item);
  if (group < 0) return;
  if (size_t(group) < collapsed_.size() && collapsed_[size_t(group)] && item.kind != ItemKind::Group) {
    collapsed_[size_t(group)] = false;
    relayout(model);
  }
  // Scrolled to when the timeline is next drawn: selecting a packet opens the
  // graphs under the timeline, so its height is only known then (and with
  // idle rows hidden, which rows show depends on the window it centers).
  item_to_reveal_ = item;
}

void TimelinePanel::reveal_pending_row(const ProfileModel& model, float rows_height) {
  if (!item_to_reveal_) return;
  // Server-backed, the selection's row is where lurk view's layout puts it
  // (with idle rows hidden, which rows show depends on events the page does
  // not hold): taken from the frame drawn for it (build_frame).
  if (remote_ && *item_to_reveal_ == selected_) return;
  std::optional<size_t> row = item_row(layout_, model, *item_to_reveal_);
  item_to_reveal_.reset();
  if (row) scroll_to_show(layout_.rows()[*row].y, layout_.rows()[*row].height, rows_height);
}

void TimelinePanel::scroll_to_show(float y, float height, float rows_height) {
  if (y < scroll_y_ || y + height > scroll_y_ + rows_height) scroll_y_ = std::max(0.0f, y - rows_height / 3);
}

void TimelinePanel::select(const ProfileModel& model, const ItemRef& item, bool center) {
  selected_ = item;
  int32_t group = item_group(model, item);
  if (group >= 0) highlighted_group_ = uint32_t(group);
  finding_current_ = findings_.find(item);
  update_selection_ids(model);
  if (!center) return;
  ensure_visible_row(model, item);
  double t = item_time(model, item);
  if (t >= 0) center_on(t);
}

void TimelinePanel::focus_connection(const ProfileModel& model, uint32_t connection) {
  const ConnectionLanes& c = model.connections()[connection];
  ItemRef group{ItemKind::Group, uint32_t(c.group), 0};
  selected_ = group;
  highlighted_group_ = uint32_t(c.group);
  update_selection_ids(model);
  if (size_t(c.group) < collapsed_.size()) collapsed_[size_t(c.group)] = false;
  // Laid out now, fitted (thin rows when it is big), so its header's place is known.
  relayout(model);
  if (auto row = layout_.group_row(uint32_t(c.group))) scroll_y_ = layout_.rows()[*row].y;
  double d = std::max<double>(double(c.last_ns - c.first_ns), 1000.0);
  window_.set(double(c.first_ns) - 0.05 * d, double(c.last_ns) + 0.05 * d);
}

void TimelinePanel::next_finding(const ProfileModel& model, bool forward) {
  double center = (window_.t0() + window_.t1()) / 2;
  int64_t current = selected_ ? findings_.find(selected_) : -1;
  int32_t group = -1;  // scope: the selected connection's group, else everything
  if (selected_connection_)
    if (int32_t c = model.connection_index(*selected_connection_); c >= 0)
      group = model.connections()[size_t(c)].group;
  // Server-backed: the outline holds no flagged packet; lurk view finds the
  // mark (its answer is taken by take_remote_mark()).
  if (remote_marks_) {
    MarkRequest request;
    request.forward = forward;
    request.t_ns = center;
    if (selected_.kind == ItemKind::Packet || selected_.kind == ItemKind::Instant ||
        selected_.kind == ItemKind::Thread)
      request.current = selected_;
    if (group >= 0) request.group = uint32_t(group);
    return remote_marks_->ask(request);
  }
  int64_t i = forward ? findings_.next(current, center, group)
                      : findings_.previous(current, center, group);
  if (i < 0) return;
  select(model, findings_.marks()[size_t(i)].item, true);
  finding_current_ = i;
}

// The mark lurk view stepped to, once it is in: selected and brought into
// view as a local step would (its time from the answer: the outline has none).
void TimelinePanel::take_remote_mark(const ProfileModel& model) {
  if (!remote_marks_) return;
  // A step that went nowhere says why over the rows a while (draw_remote_state):
  // during a cold open's first seconds a key would otherwise do nothing visible.
  if (remote_marks_->notes() != mark_notes_seen_) {
    mark_notes_seen_ = remote_marks_->notes();
    mark_note_until_ = ImGui::GetTime() + 3.0;
  }
  std::optional<std::pair<ItemRef, double>> mark = remote_marks_->take();
  if (!mark) return;
  select(model, mark->first, false);
  finding_current_ = -1;
  ensure_visible_row(model, mark->first);
  center_on(mark->second);
}

void TimelinePanel::go_to(const ProfileModel& model, const ItemRef& item,
                          std::optional<std::pair<double, double>> window) {
  if (item) select(model, item, false);
  if (item) ensure_visible_row(model, item);
  if (window) window_.set(window->first, window->second);
}

std::optional<int64_t> TimelinePanel::search_match_count() const {
  if (!search_.active()) return 0;
  if (remote_) return remote_->search_matches(search_.query());
  return int64_t(search_.hits().size());
}

double TimelinePanel::search_args_searched() const {
  if (!search_.active()) return 1;
  if (remote_) return remote_->search_args_searched(search_.query()).value_or(0);
  return search_.args_searched();
}

void TimelinePanel::step_search(const ProfileModel& model, bool forward) {
  double center = (window_.t0() + window_.t1()) / 2;
  // Server-backed: the outline holds no span nor instant; lurk view steps
  // from the selection when it is a match (GET /mark?q=, taken as a mark).
  if (remote_marks_) {
    if (!search_.active()) return;
    MarkRequest request;
    request.forward = forward;
    request.t_ns = center;
    request.search = search_.query();
    if (selected_.kind == ItemKind::Span || selected_.kind == ItemKind::Instant || selected_.kind == ItemKind::Thread)
      request.current = selected_;
    return remote_marks_->ask(request);
  }
  // From the selection when it is a match (stepped to, or clicked), else from
  // the window's centre: as lurk view steps (server/native_search.h).
  int64_t current = search_.hit_index(selected_);
  int64_t i = forward ? search_.next_after(int64_t(center), current)
                      : search_.previous_before(int64_t(center), current);
  if (i < 0) return;
  select(model, search_.hits()[size_t(i)].item, true);
}

void TimelinePanel::fit_selection(const ProfileModel& model) {
  double t0 = 0, t1 = double(model.duration_ns());
  const ItemRef& s = selected_;
  // Server-backed, lurk view said the time of an item the outline does not hold (GET /item).
  std::optional<std::pair<double, double>> extent;
  if (s.kind != ItemKind::Group) extent = item_extent(model, s);
  if (!extent && s && s.kind != ItemKind::Group && remote_items_)
    if (const ItemDetails* d = remote_items_->get(s)) extent = d->extent;
  if (extent && extent->second > extent->first) {
    std::tie(t0, t1) = *extent;
  } else if (highlighted_group_ && model.groups()[*highlighted_group_].connection >= 0 &&
             (s.kind == ItemKind::Group || !s)) {
    const ConnectionLanes& c = model.connections()[size_t(model.groups()[*highlighted_group_].connection)];
    t0 = double(c.first_ns);
    t1 = double(c.last_ns);
  } else if (extent) {  // a point: a window a hundred microseconds wide
    t0 = extent->first - 50'000;
    t1 = extent->first + 50'000;
  } else if (s) {
    return;  // its time is not known (yet): the view stays
  }
  double d = std::max(t1 - t0, TimeWindow::kMinSpanNs * 10);
  window_.set(t0 - 0.05 * d, t1 + 0.05 * d);
}

void TimelinePanel::handle_keys(const ProfileModel& model) {
  ImGuiIO& io = ImGui::GetIO();
  if (io.WantTextInput) return;
  double pan = window_.span() * 0.15;
  for (ImWchar c : io.InputQueueCharacters) {
    switch (c) {
      case ']': next_finding(model, true); break;
      case '[': next_finding(model, false); break;
      case 'f': fit_selection(model); break;
      case 'w': window_.zoom_at((window_.t0() + window_.t1()) / 2, 0.7); break;
      case 's': window_.zoom_at((window_.t0() + window_.t1()) / 2, 1 / 0.7); break;
      case 'a': window_.set(window_.t0() - pan, window_.t1() - pan); break;
      case 'd': window_.set(window_.t0() + pan, window_.t1() + pan); break;
      case '0': window_.fit(double(model.duration_ns())); break;
      case 'p': packed_ = !packed_; relayout(model); break;
      case 'i': hide_idle_ = !hide_idle_; relayout(model); break;
      default: break;
    }
    if (c == 'f' || c == 'w' || c == 's' || c == 'a' || c == 'd' || c == '0') ++view_steps_;
  }
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape))) {
    measure_.reset();
    selected_ = {};
    highlighted_group_.reset();
    update_selection_ids(model);
  }
}

void TimelinePanel::update_measure_counts(const ProfileModel& model) {
  measure_counts_.clear();
  if (!measure_) {
    if (remote_measure_) remote_measure_->clear();
    return;
  }
  double t0 = std::min(measure_->first, measure_->second), t1 = std::max(measure_->first, measure_->second);
  // Server-backed: the page's outline holds no events (nor the packets'
  // marks); lurk view counts them all (shown_measure_counts() shows them
  // once they are in).
  if (remote_measure_) return remote_measure_->ask(t0, t1);
  if (remote_) return;
  RangeCounts c = count_range(model, t0, t1);
  measure_counts_["packets"] = c.packets;
  measure_counts_["spans"] = c.spans;
  measure_counts_["instants"] = c.instants;
  std::vector<int64_t> kinds = findings_.count_by_kind(t0, t1);
  for (size_t k = size_t(MarkKind::ZeroWindow); k < kinds.size(); ++k)
    measure_counts_[mark_kind_name(MarkKind(k))] = kinds[k];
}

std::map<std::string, int64_t> TimelinePanel::shown_measure_counts(std::string* note) const {
  std::map<std::string, int64_t> counts = measure_counts_;
  if (!remote_measure_ || !measure_) return counts;
  if (const std::optional<RangeCounts>& c = remote_measure_->counts()) {
    counts["packets"] = c->packets;
    counts["spans"] = c->spans;
    counts["instants"] = c->instants;
    for (size_t k = size_t(MarkKind::ZeroWindow); k < c->marks.size(); ++k)
      counts[mark_kind_name(MarkKind(k))] = c->marks[k];
  } else if (note) {
    *note = remote_measure_->note();
  }
  return counts;
}

// The rows, the ruler, the labels and the packet lanes' density, as drawn.
void TimelinePanel::fill_layout_snapshot(const ProfileModel& model, SnapshotState& s) const {
  double origin = double(model.origin_ns());
  s.layout.packed = packed_;
  s.layout.hide_idle = hide_idle_;
  s.layout.thread_rows = int64_t(layout_.thread_row_count());
  s.layout.rows = int64_t(layout_.rows().size());
  s.layout.rows_top = last_rows_top_;
  s.layout.rows_height = last_rows_height_;
  if (std::optional<uint32_t> g = layout_.thin_group()) {
    int32_t c = model.groups()[*g].connection;
    s.layout.thin_group = c >= 0 ? model.connections()[size_t(c)].id : -1;
    s.layout.thin_row_height = layout_.thin_row_height();
  }
  if (highlighted_group_) {
    if (auto extent = layout_.group_extent(*highlighted_group_)) {
      s.layout.highlighted_top = extent->first;
      s.layout.highlighted_bottom = extent->second;
    }
    for (const LayoutRow& r : layout_.rows())
      if (r.kind == RowKind::Thread && r.group == *highlighted_group_) ++s.layout.highlighted_thread_rows;
  }
  s.layout.arrows = drawn_->arrows;
  for (const LayoutRow& r : layout_.rows()) {
    if (r.kind == RowKind::Thread) ++s.layout.thread_rows_shown;
    if (r.kind == RowKind::Counter) ++s.layout.counter_rows;
    if (r.kind == RowKind::CounterFold) ++s.layout.counter_folds;
  }
  if (remote_) {  // the rows the server laid out (its last answer)
    const FrameLayoutSummary& rl = remote_layout();
    s.layout.thread_rows = rl.thread_rows;
    s.layout.rows = rl.rows;
    s.layout.thread_rows_shown = rl.thread_rows_shown;
    s.layout.counter_rows = rl.counter_rows;
    s.layout.counter_folds = rl.counter_folds;
  }
  s.ruler.origin = drawn_->ruler_origin;
  s.ruler.prefix = drawn_->ruler_prefix;
  s.ruler.prefix_ns = origin + drawn_->ruler_prefix_ns;
  s.ruler.prefix_rel_ns = drawn_->ruler_prefix_ns;
  s.ruler.step_ns = drawn_->ruler_step_ns;
  for (const RulerTick& t : drawn_->ticks) s.ruler.ticks.push_back({origin + t.t_ns, t.t_ns, t.x, t.label});
  for (const ExceptionLabel& l : drawn_->exception_labels)
    s.exception_labels.push_back({l.thread, origin + l.t_ns, l.x});
  s.edge_indicators = drawn_->edge_indicators;
  for (const LaneDensity& d : drawn_->densities) {
    if (s.packet_density.size() >= 50) break;
    s.packet_density.push_back({d.connection, d.dir, d.columns, d.flagged_columns});
  }
}

void TimelinePanel::fill_snapshot(const ProfileModel& model, SnapshotState& s) const {
  double origin = double(model.origin_ns());
  s.selected_connection = selected_connection_;
  s.selected_frame = selected_frame_;
  if (selected_) {
    SnapshotSelection sel;
    sel.kind = item_kind_name(selected_.kind);
    sel.connection = selected_connection_;
    sel.frame = selected_frame_;
    int32_t group = item_group(model, selected_);
    if (selected_.kind != ItemKind::Group && selected_.kind != ItemKind::Packet &&
        selected_.kind != ItemKind::PacketBlock && selected_.kind != ItemKind::Counter && group >= -1 &&
        selected_.lane < model.threads().size())
      sel.thread = model.threads()[selected_.lane].id;
    double t = item_time(model, selected_);
    if (t >= 0) sel.t_ns = origin + t;
    sel.count = selected_.count;
    sel.finding = findings_.find(selected_) >= 0;
    std::optional<std::pair<float, float>> row;  // y, height
    if (remote_) {
      const FrameRequest* asked = remote_->answered_request();
      if (remote_answer_ && asked && asked->selected == selected_ && remote_answer_->selected_row_y >= 0)
        row = {remote_answer_->selected_row_y, remote_answer_->selected_row_height};
    } else if (std::optional<size_t> r = item_row(layout_, model, selected_)) {
      row = {layout_.rows()[*r].y, layout_.rows()[*r].height};
    }
    if (row) sel.row_on_screen = row->first >= scroll_y_ && row->first + row->second <= scroll_y_ + last_rows_height_;
    ItemDetails d = describe(model, selected_);
    sel.title = d.title;
    for (const DetailField& f : d.fields) sel.fields.emplace_back(f.name, f.value);
    s.selection = sel;
  }
  for (size_t g = 0; g < model.groups().size() && g < 200; ++g) {
    const LaneGroup& group = model.groups()[g];
    SnapshotGroup out;
    if (group.connection >= 0) {
      out.connection = model.connections()[size_t(group.connection)].id;
      out.label = model.connections()[size_t(group.connection)].label;
    } else {
      out.label = "threads on no connection";
    }
    out.threads = int64_t(group.threads.size());
    out.collapsed = g < collapsed_.size() && collapsed_[g];
    if (std::optional<size_t> row = layout_.group_row(uint32_t(g))) {
      const LayoutRow& r = layout_.rows()[*row];
      if (r.y >= scroll_y_ && r.y + r.height <= scroll_y_ + last_rows_height_)
        out.y = last_rows_top_ + r.y - scroll_y_ + r.height / 2;
    }
    s.groups.push_back(out);
  }
  s.group_count = int64_t(model.groups().size());
  s.search_query = search_.query();
  s.search_matches = search_match_count().value_or(-1);
  s.search_args_searched = search_args_searched();
  s.search_current = search_.hit_index(selected_);
  s.search_on_screen = drawn_->search_marked;
  s.search_blocks_on_screen = drawn_->search_marked_blocks;
  s.findings = int64_t(findings_.marks().size());
  s.finding_current = finding_current_;
  if (measure_) {
    SnapshotMeasure m;
    m.t0_ns = origin + std::min(measure_->first, measure_->second);
    m.t1_ns = origin + std::max(measure_->first, measure_->second);
    m.counts = shown_measure_counts();
    s.measure = m;
  }
  if (hovered_) s.hover = describe(model, hovered_).title;
  fill_layout_snapshot(model, s);
  s.scroll_y = scroll_y_;
  s.content_height = remote_ ? remote_layout().total_height : layout_.total_height();
  s.frame_digest = frame_records_digest(*drawn_);
  s.frame_current = !remote_ || remote_->current();
  s.visible_rows = remote_ ? remote_layout().visible_rows : visible_rows_;
  s.timeline_records = drawn_->primitives();
  s.marks_on_screen = marks_on_screen(*drawn_, light_);
  s.axis_left = last_left_;
  s.axis_width = last_width_;
  if (highlighted_group_) {
    int32_t c = model.groups()[*highlighted_group_].connection;
    s.highlighted_group = c >= 0 ? model.connections()[size_t(c)].id : -1;
  }
}

}  // namespace lurk::ui
