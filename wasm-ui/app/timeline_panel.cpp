// Drawing and pointer input of the timeline panel (navigation, selection and
// the snapshot are in timeline_navigation.cpp).
#include "app/timeline_panel.h"

#include <imgui.h>

#include <algorithm>
#include <cmath>
#include <span>

#include "core/item_details.h"
#include "core/mark_style.h"
#include "core/ruler_ticks.h"

namespace lurk::ui {

struct TimelinePanel::Areas {
  ImVec2 origin;
  float width = 0, height = 0;
  float ruler_height = 40, minimap_height = 34;
  float label_width = 280;
  float left() const { return origin.x + label_width; }
  float axis_width() const { return std::max(1.0f, width - label_width); }
  float rows_top() const { return origin.y + ruler_height; }
  float rows_height() const { return std::max(1.0f, height - ruler_height - minimap_height); }
  float minimap_top() const { return rows_top() + rows_height(); }
  bool in_ruler(ImVec2 p) const { return p.y >= origin.y && p.y < rows_top(); }
  bool in_minimap(ImVec2 p) const { return p.y >= minimap_top() && p.y < origin.y + height; }
};

TimelinePanel::Areas TimelinePanel::areas() const {
  Areas a;
  a.origin = ImGui::GetCursorScreenPos();
  ImVec2 avail = ImGui::GetContentRegionAvail();
  a.width = std::max(avail.x, 100.0f);
  a.height = std::max(avail.y, 120.0f);
  a.label_width = label_width_;
  return a;
}

void TimelinePanel::draw(const ProfileModel& model) {
  Areas a = areas();
  last_left_ = a.left();
  last_width_ = a.axis_width();
  last_rows_height_ = a.rows_height();
  last_rows_top_ = a.rows_top();
  // Hiding idle rows: which rows show follows the window (and the highlighted
  // group, always shown), so lay out again when either moved since the last
  // layout; the highlighted group is fitted to the rows area (thin rows), so
  // also when it or the area's height changed.
  bool moved = hide_idle_ && (window_.t0() != laid_out_.t0 || window_.t1() != laid_out_.t1);
  if (moved || highlighted_group_ != laid_out_.keep_group || a.rows_height() != laid_out_.rows_height) {
    bool refit = highlighted_group_ != laid_out_.keep_group;
    relayout(model);
    // A click that highlighted a big group thinned its rows: the clicked row stays in view.
    if (refit && selected_ && selected_.kind != ItemKind::Group && !item_to_reveal_) item_to_reveal_ = selected_;
  }
  reveal_pending_row(model, a.rows_height());
  // Remote: the rows' height is the server's layout's (last answer).
  float total_height = remote_ ? remote_layout_.total_height : layout_.total_height();
  float max_scroll = std::max(0.0f, total_height - a.rows_height());
  scroll_y_ = std::clamp(scroll_y_, 0.0f, max_scroll);

  ImGui::InvisibleButton("timeline", ImVec2(a.width, a.height), ImGuiButtonFlags_MouseButtonLeft);
  handle_pointer(model, a);

  FrameView view;
  view.window = window_;
  view.label_left = a.origin.x;
  view.label_width = a.label_width;
  view.left = a.left();
  view.width = a.axis_width();
  view.ruler_top = a.origin.y;
  view.ruler_height = a.ruler_height;
  view.top = a.rows_top();
  view.height = a.rows_height();
  view.scroll_y = scroll_y_;
  view.light = light_;
  view.text_height = ImGui::GetTextLineHeight();
  build_frame(model, view);

  ImDrawList* draw = ImGui::GetWindowDrawList();
  draw->PushClipRect(a.origin, ImVec2(a.origin.x + a.width, a.origin.y + a.height), true);
  draw->PushClipRect(ImVec2(a.origin.x, a.rows_top()), ImVec2(a.origin.x + a.width, a.minimap_top()), true);
  draw_records(draw, *drawn_, false);
  draw->PopClipRect();
  draw->PushClipRect(a.origin, ImVec2(a.origin.x + a.width, a.minimap_top()), true);
  draw_records(draw, *drawn_, true);
  draw->PopClipRect();
  draw_remote_state(draw, a);
  draw_measure_label(draw, a);
  draw_graph_cursor(draw, a);
  draw_minimap(draw, model, a);
  draw->PopClipRect();

  hovered_ = {};
  ImVec2 mouse = ImGui::GetIO().MousePos;
  if (ImGui::IsItemHovered() && drag_ == Drag::None && mouse.y >= a.rows_top() &&
      mouse.y < a.minimap_top()) {
    hovered_ = drawn_->hit_test(mouse.x, mouse.y);
    if (hovered_ && hovered_.kind != ItemKind::Group) draw_tooltip(model, hovered_);
  }
}

// The frame for `view`: built here from the model, or (server-backed) the
// remote source's answer, the last one received while this view's is on
// its way (drawing never waits for the network).
void TimelinePanel::build_frame(const ProfileModel& model, const FrameView& view) {
  if (!remote_) {
    FrameHighlights hl;
    hl.selected_group = highlighted_group_;
    hl.selected = selected_;
    hl.search = search_.active() ? &search_ : nullptr;
    hl.measure = measure_;
    hl.collapsed = collapsed_;
    frame_ = build_timeline_frame(model, layout_, view, hl);
    drawn_ = &frame_;
    auto [first, last] = layout_.visible(scroll_y_, scroll_y_ + view.height);
    visible_rows_ = int64_t(last - first);
    return;
  }
  FrameRequest request;
  request.view = view;
  request.packed = packed_;
  request.hide_idle = hide_idle_;
  request.keep_group = highlighted_group_;
  request.counters_open = counters_open_;
  request.collapsed = collapsed_;
  request.selected_group = highlighted_group_;
  request.selected = selected_;
  request.measure = measure_;
  // lurk view searches its lane store (collector/server/native_search.h):
  // the frame comes with the query's matches outlined and counted.
  request.search = search_.query();
  const FrameAnswer* answer = remote_->frame(request);
  frame_ = TimelineFrame();
  drawn_ = answer ? &answer->frame : &frame_;
  remote_answer_ = answer;
  if (answer) remote_layout_ = answer->layout;
  visible_rows_ = remote_layout_.visible_rows;
  // The selection stepped to, its row where lurk view laid it out in the
  // frame drawn for this very view (reveal_pending_row): scrolled to now,
  // the next frame asked at that scroll.
  if (item_to_reveal_ && *item_to_reveal_ == selected_ && answer && remote_->current()) {
    if (answer->selected_row_y >= 0) scroll_to_show(answer->selected_row_y, answer->selected_row_height, view.height);
    item_to_reveal_.reset();
  }
}

// Server-backed: a line at the rows' top while the first frame is on its way
// or when lurk view could not answer.
void TimelinePanel::draw_remote_state(ImDrawList* draw, const Areas& a) const {
  if (!remote_) return;
  std::string text;
  ImU32 color = light_ ? IM_COL32(60, 70, 90, 255) : IM_COL32(190, 200, 215, 255);
  if (!remote_->error().empty()) {
    text = remote_->error();
    color = IM_COL32(240, 150, 40, 255);
  } else if (drawn_ == &frame_) {
    text = "Asking lurk view for the first frame\xe2\x80\xa6";
  } else if (remote_marks_ && ImGui::GetTime() < mark_note_until_ && !remote_marks_->note().empty()) {
    text = remote_marks_->note();
    color = IM_COL32(240, 200, 60, 255);
  }
  if (text.empty()) return;
  // On a plate: the line sits over the rows' own texts.
  ImVec2 at(a.left() + 8, a.rows_top() + 8), size = ImGui::CalcTextSize(text.c_str());
  draw->AddRectFilled(ImVec2(at.x - 4, at.y - 2), ImVec2(at.x + size.x + 4, at.y + size.y + 2),
                      light_ ? IM_COL32(250, 250, 245, 235) : IM_COL32(25, 28, 36, 235), 3.0f);
  draw->AddText(at, color, text.c_str());
}

ItemDetails TimelinePanel::describe(const ProfileModel& model, const ItemRef& item) const {
  // In server-backed viewing only a group is described here: the outline
  // lacks a thread's spans, a packet's mark... the server has them all.
  if (!remote_items_ || !item || item.kind == ItemKind::Group) return describe_item(model, item, nullptr);
  if (const ItemDetails* d = remote_items_->get(item)) return *d;
  ItemDetails d;
  d.title = std::string(item_kind_name(item.kind)) + ": asking lurk view\xe2\x80\xa6";
  return d;
}

void TimelinePanel::draw_records(ImDrawList* draw, const TimelineFrame& frame, bool ruler) const {
  ImFont* font = ImGui::GetFont();
  float size = ImGui::GetFontSize();
  auto part = [ruler](const auto& v, size_t split) {
    using T = typename std::decay_t<decltype(v)>::value_type;
    return ruler ? std::span<const T>(v.data() + split, v.size() - split) : std::span<const T>(v.data(), split);
  };
  for (const DrawRect& r : part(frame.rects, frame.ruler_rects)) {
    if (r.color >> 24) draw->AddRectFilled(ImVec2(r.x0, r.y0), ImVec2(r.x1, r.y1), r.color);
    if (r.outline)
      draw->AddRect(ImVec2(r.x0 - 1.5f, r.y0 - 1), ImVec2(r.x1 + 1.5f, r.y1 + 1), r.outline, 0, 0, 2);
  }
  for (const DrawLine& l : part(frame.lines, frame.ruler_lines)) {
    draw->AddLine(ImVec2(l.x0, l.y0), ImVec2(l.x1, l.y1), l.color, l.thickness);
    if (l.arrow) {
      float dx = l.x1 - l.x0, dy = l.y1 - l.y0, len = std::sqrt(dx * dx + dy * dy);
      if (len > l.head) {
        dx /= len;
        dy /= len;
        ImVec2 tip(l.x1, l.y1);
        float h = l.head, w = l.head / 2;
        draw->AddTriangleFilled(tip, ImVec2(tip.x - h * dx + w * dy, tip.y - h * dy - w * dx),
                                ImVec2(tip.x - h * dx - w * dy, tip.y - h * dy + w * dx), l.color);
      }
    }
  }
  for (const DrawText& t : part(frame.texts, frame.ruler_texts)) {
    ImVec4 clip(t.x - 2, t.y - 2, t.clip_x1, t.y + size + 4);
    draw->AddText(font, size, ImVec2(t.x, t.y), t.color, t.text.c_str(), nullptr, 0, &clip);
  }
}

void TimelinePanel::draw_minimap(ImDrawList* draw, const ProfileModel& model, const Areas& a) const {
  (void)model;
  float top = a.minimap_top() + 3, bottom = a.origin.y + a.height - 2;
  float left = a.left(), width = a.axis_width();
  draw->AddRectFilled(ImVec2(a.origin.x, top - 3), ImVec2(a.origin.x + a.width, bottom + 2),
                      light_ ? IM_COL32(225, 228, 235, 255) : IM_COL32(30, 33, 40, 255));
  draw->AddText(ImVec2(a.origin.x + 8, top + 6), IM_COL32(150, 155, 165, 255), "whole trace");
  const auto& bins = minimap_.bins();
  float max = float(std::max<uint32_t>(1, minimap_.max_count()));
  // Bins are a power of two of ns wide (minimap.h): those up to the end fill the width.
  double span = minimap_.end_ns() - minimap_.start_ns();
  float per_bin = float(double(width) * minimap_.bin_ns() / span);
  for (size_t i = 0; i < bins.size(); ++i) {
    if (!bins[i].count) continue;
    float h = (bottom - top) * std::max(0.15f, std::log1p(float(bins[i].count)) / std::log1p(max));
    bool flagged = bins[i].worst > MarkKind::WindowUpdate;
    ImU32 color = flagged ? mark_color(bins[i].worst, light_) : IM_COL32(110, 140, 190, 200);
    float x0 = left + float(i) * per_bin;
    if (x0 >= left + width) break;
    float x1 = std::min(x0 + std::max(per_bin, 1.0f), left + width);
    draw->AddRectFilled(ImVec2(x0, flagged ? top : bottom - h), ImVec2(x1, bottom), color);
  }
  // The visible window, draggable.
  float x0 = left + float((window_.t0() - minimap_.start_ns()) / span) * width;
  float x1 = left + float((window_.t1() - minimap_.start_ns()) / span) * width;
  x0 = std::clamp(x0, left, left + width);
  x1 = std::clamp(std::max(x1, x0 + 2), left, left + width);
  draw->AddRectFilled(ImVec2(x0, top - 2), ImVec2(x1, bottom + 1), IM_COL32(120, 170, 255, 50));
  draw->AddRect(ImVec2(x0, top - 2), ImVec2(x1, bottom + 1), IM_COL32(120, 170, 255, 220), 0, 0, 1.5f);
}

// The duration, then the events counted (packets, spans, instants), then the
// marks by kind; the parts wrapped onto more lines when they do not fit the
// timeline's width (at 100M events the counts are long).
void TimelinePanel::draw_measure_label(ImDrawList* draw, const Areas& a) const {
  if (!measure_) return;
  double t0 = std::min(measure_->first, measure_->second), t1 = std::max(measure_->first, measure_->second);
  std::string note;
  std::map<std::string, int64_t> counts = shown_measure_counts(&note);
  std::vector<std::string> parts = {"\xe2\x86\x94 " + format_duration(t1 - t0)};
  for (const char* name : {"packets", "spans", "instants"}) {
    auto it = counts.find(name);
    if (it != counts.end() && it->second) parts.push_back(std::to_string(it->second) + " " + name);
    if (it != counts.end()) counts.erase(it);
  }
  for (const auto& [name, count] : counts)
    if (count) parts.push_back(std::to_string(count) + " " + name);
  if (!note.empty()) parts.push_back(note);
  const float room = std::max(40.0f, a.axis_width() - 8);
  std::vector<std::string> lines(1);
  for (const std::string& part : parts) {
    std::string longer = lines.back().empty() ? part : lines.back() + "  \xc2\xb7  " + part;
    if (!lines.back().empty() && ImGui::CalcTextSize(longer.c_str()).x > room) lines.push_back(part);
    else lines.back() = longer;
  }
  float width = 0, line_height = ImGui::GetTextLineHeight();
  for (const std::string& line : lines) width = std::max(width, ImGui::CalcTextSize(line.c_str()).x);
  float x = float(window_.x_of((t0 + t1) / 2, a.left(), a.axis_width())) - width / 2;
  x = std::max(a.left(), std::min(x, a.origin.x + a.width - width - 4));
  ImVec2 p(x, a.rows_top() + 4);
  draw->AddRectFilled(ImVec2(p.x - 4, p.y - 2), ImVec2(p.x + width + 4, p.y + line_height * float(lines.size()) + 2),
                      IM_COL32(20, 40, 80, 230), 3);
  for (size_t i = 0; i < lines.size(); ++i)
    draw->AddText(ImVec2(p.x, p.y + line_height * float(i)), IM_COL32(230, 240, 255, 255), lines[i].c_str());
}

// The pointer's time over the graphs, carried up through the rows and the
// ruler, with its time, so a graph's feature can be read against the threads.
void TimelinePanel::draw_graph_cursor(ImDrawList* draw, const Areas& a) const {
  if (!graph_cursor_ || *graph_cursor_ < window_.t0() || *graph_cursor_ > window_.t1()) return;
  float x = float(window_.x_of(*graph_cursor_, a.left(), a.axis_width()));
  ImU32 color = light_ ? IM_COL32(40, 40, 60, 200) : IM_COL32(230, 230, 255, 200);
  draw->AddLine(ImVec2(x, a.origin.y), ImVec2(x, a.minimap_top()), color);
  std::string text = format_duration(*graph_cursor_);
  ImVec2 size = ImGui::CalcTextSize(text.c_str());
  ImVec2 p(std::min(x + 4, a.origin.x + a.width - size.x - 4), a.rows_top() + 2);
  draw->AddRectFilled(ImVec2(p.x - 2, p.y - 1), ImVec2(p.x + size.x + 2, p.y + size.y + 1),
                      light_ ? IM_COL32(255, 255, 255, 220) : IM_COL32(20, 22, 28, 220), 2);
  draw->AddText(p, color, text.c_str());
}

void TimelinePanel::draw_tooltip(const ProfileModel& model, const ItemRef& item) const {
  ItemDetails d = describe(model, item);
  ImGui::BeginTooltip();
  ImGui::TextUnformatted(d.title.c_str());
  size_t shown = 0;
  for (const DetailField& f : d.fields) {
    if (++shown > 6) break;
    ImGui::TextDisabled("%s", f.name.c_str());
    ImGui::SameLine(110);
    ImGui::TextUnformatted(f.value.c_str());
  }
  bool block = item.kind == ItemKind::SpanBlock || item.kind == ItemKind::InstantBlock;
  if (block && search_.active() && !remote_)  // remote: the outline has no spans to count
    ImGui::Text("%u matching \"%s\"", search_.matches_in(model, item), search_.query().c_str());
  ImGui::EndTooltip();
}

void TimelinePanel::handle_pointer(const ProfileModel& model, const Areas& a) {
  ImGuiIO& io = ImGui::GetIO();
  auto t_at = [&](float x) { return window_.t_of(x, a.left(), a.axis_width()); };
  if (ImGui::IsItemHovered() && io.MouseWheel != 0) {
    if (io.KeyShift || io.MousePos.x < a.left()) {
      scroll_y_ -= io.MouseWheel * 3 * layout_.metrics().span_row;
    } else {
      window_.zoom_at(t_at(io.MousePos.x), std::pow(0.8, double(io.MouseWheel)));
    }
  }
  if (ImGui::IsItemActivated()) {
    ImVec2 p = io.MouseClickedPos[ImGuiMouseButton_Left];
    if (a.in_ruler(p) && p.x >= a.left()) {
      drag_ = Drag::Measure;
      measure_.reset();
    } else if (a.in_minimap(p)) {
      drag_ = Drag::Minimap;
    } else {
      drag_ = Drag::Pan;
    }
  }
  bool dragging = ImGui::IsItemActive() && ImGui::IsMouseDragging(ImGuiMouseButton_Left, 2.0f);
  if (drag_ == Drag::Pan && dragging) {
    window_.pan_pixels(io.MouseDelta.x, a.axis_width());
    scroll_y_ -= io.MouseDelta.y;
  } else if (drag_ == Drag::Measure && dragging) {
    measure_ = {t_at(io.MouseClickedPos[ImGuiMouseButton_Left].x), t_at(io.MousePos.x)};
  } else if (drag_ == Drag::Minimap && ImGui::IsItemActive()) {
    // The window follows the pointer: its center goes where the minimap is pressed.
    double f = (io.MousePos.x - a.left()) / a.axis_width();
    center_on(minimap_.start_ns() + f * (minimap_.end_ns() - minimap_.start_ns()));
  }
  if (ImGui::IsItemDeactivated()) {
    bool was_click = io.MouseDragMaxDistanceSqr[ImGuiMouseButton_Left] < 4.0f;
    if (drag_ == Drag::Measure && measure_) update_measure_counts(model);
    if (drag_ == Drag::Measure && was_click) measure_.reset();
    if (drag_ == Drag::Pan && was_click) click(model, io.MouseClickedPos[ImGuiMouseButton_Left]);
    drag_ = Drag::None;
  }
}

void TimelinePanel::click(const ProfileModel& model, ImVec2 p) {
  ItemRef hit = drawn_->hit_test(p.x, p.y);
  if (hit.kind == ItemKind::Group && hit.index == 1) {  // "▸ N counters": fold or unfold them
    if (hit.lane >= counters_open_.size()) counters_open_.resize(hit.lane + 1, false);
    counters_open_[hit.lane] = !counters_open_[hit.lane];
    relayout(model);
    return;
  }
  if (hit.kind == ItemKind::Group) {
    // A click on a group header folds or unfolds it, and highlights it.
    if (hit.lane >= collapsed_.size()) collapsed_.resize(hit.lane + 1, false);
    collapsed_[hit.lane] = !collapsed_[hit.lane];
    relayout(model);
  }
  if (!hit) {
    selected_ = {};
    highlighted_group_.reset();
    update_selection_ids(model);
    return;
  }
  select(model, hit, false);
}

}  // namespace lurk::ui
