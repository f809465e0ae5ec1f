// FrameRenderer and the local and remote frame sources (frame_source.h).
#include "core/frame_source.h"

#include <algorithm>

#include "core/frame_wire.h"
#include "core/item_row.h"

namespace lurk::ui {
namespace {

// Whether two requests need the same row layout (timeline_layout.h): the
// window matters only when idle rows are hidden.
bool same_layout(const FrameRequest& a, const FrameRequest& b) {
  if (a.packed != b.packed || a.hide_idle != b.hide_idle || a.keep_group != b.keep_group ||
      a.collapsed != b.collapsed || a.counters_open != b.counters_open)
    return false;
  // Packed rows fit the highlighted group to the rows area's height.
  if (a.packed && a.view.height != b.view.height) return false;
  return !a.hide_idle ||
         (a.view.window.t0() == b.view.window.t0() && a.view.window.t1() == b.view.window.t1());
}

}  // namespace

FrameLayoutSummary summarize_layout(const TimelineLayout& layout, const FrameView& view) {
  FrameLayoutSummary s;
  s.total_height = layout.total_height();
  s.rows = int64_t(layout.rows().size());
  s.thread_rows = int64_t(layout.thread_row_count());
  for (const LayoutRow& r : layout.rows()) {
    if (r.kind == RowKind::Thread) ++s.thread_rows_shown;
    if (r.kind == RowKind::Counter) ++s.counter_rows;
    if (r.kind == RowKind::CounterFold) ++s.counter_folds;
  }
  auto [first, last] = layout.visible(view.scroll_y, view.scroll_y + view.height);
  s.visible_rows = int64_t(last - first);
  return s;
}

FrameAnswer FrameRenderer::render(const FrameRequest& request) {
  if (!laid_out_ || !same_layout(*laid_out_, request)) {
    LayoutOptions options;
    options.packed = request.packed;
    options.hide_idle = request.hide_idle;
    options.t0 = request.view.window.t0();
    options.t1 = request.view.window.t1();
    options.keep_group = request.keep_group;
    options.counters_open = request.counters_open;
    // As the panel does (timeline_panel relayout): the highlighted group is
    // fitted to the rows area, with packed rows only.
    options.fit_height = request.packed ? request.view.height : 0;
    // Groups past the flags sent are unfolded (the flags' trailing zeros are
    // not sent); flags past the groups are ignored.
    std::vector<bool> collapsed = request.collapsed;
    collapsed.resize(model_.groups().size(), false);
    options.counters_open.resize(model_.groups().size(), false);
    layout_.build(model_, collapsed, LayoutMetrics{}, options);
    laid_out_ = request;
  }
  search_for(request.search);
  FrameHighlights hl;
  hl.selected_group = request.selected_group;
  hl.selected = request.selected;
  hl.search = search_.active() ? &search_ : nullptr;
  hl.measure = request.measure;
  hl.collapsed = request.collapsed;
  hl.collapsed.resize(model_.groups().size(), false);
  FrameView view = request.view;
  // The scroll the panel asked for, kept within the rows (as the panel does).
  view.scroll_y = std::clamp(view.scroll_y, 0.0f, std::max(0.0f, layout_.total_height() - view.height));
  if (prepare_) {
    auto [first, last] = layout_.visible(view.scroll_y, view.scroll_y + view.height);
    prepare_(layout_, first, last);
  }
  FrameAnswer answer;
  answer.frame = build_timeline_frame(model_, layout_, view, hl);
  answer.layout = summarize_layout(layout_, view);
  answer.search_matches = request.search.empty() ? 0 : search_.active() ? int64_t(search_.match_count()) : -1;
  answer.search_args_searched = search_.active() ? search_.args_searched() : 1;
  if (std::optional<size_t> row = request.selected ? item_row(layout_, model_, request.selected) : std::nullopt) {
    answer.selected_row_y = layout_.rows()[*row].y;
    answer.selected_row_height = layout_.rows()[*row].height;
  }
  return answer;
}

const SearchIndex* FrameRenderer::search_for(const std::string& query) {
  if (query != search_.query()) {
    if (query.empty()) search_.clear();
    else if (!run_search_) search_.run(model_, query);
    else if (!run_search_(search_, query)) search_.clear();
  }
  return search_.active() ? &search_ : nullptr;
}

const FrameAnswer* LocalFrameSource::frame(const FrameRequest& request) {
  answer_ = renderer_.render(request);
  return &answer_;
}

const FrameAnswer* RemoteFrameSource::frame(const FrameRequest& request) {
  if (!wanted_ || !(*wanted_ == request)) {
    wanted_ = request;
    ++wanted_serial_;
  }
  // One request in flight at a time: a newer view waits for the answer in
  // flight and is then sent (views skipped meanwhile are never asked for).
  if (!in_flight_ && !(answered_ && answered_serial_ == wanted_serial_) && failed_serial_ != wanted_serial_)
    send_wanted();
  return answered_ ? &answer_ : nullptr;
}

void RemoteFrameSource::send_wanted() {
  in_flight_ = wanted_serial_;
  in_flight_request_ = wanted_;
  ++sent_;
  send_(frame_request_query(*wanted_), wanted_serial_);
}

std::string RemoteFrameSource::receive(uint64_t serial, const std::string& body) {
  if (!in_flight_ || *in_flight_ != serial) return "an answer to a request not in flight";
  in_flight_.reset();
  std::string problem;
  std::optional<FrameAnswer> decoded = decode_frame_answer(body, problem);
  if (!decoded) {
    error_ = "the frame from lurk view could not be read: " + problem;
    failed_serial_ = serial;
    return error_;
  }
  answer_ = std::move(*decoded);
  answered_ = true;
  answered_serial_ = serial;
  answered_search_ = in_flight_request_ ? in_flight_request_->search : std::string();
  if (in_flight_request_) answered_request_ = *in_flight_request_;
  error_.clear();
  if (wanted_serial_ != serial) send_wanted();
  return "";
}

std::optional<int64_t> RemoteFrameSource::search_matches(const std::string& query) const {
  if (!answered_ || answered_search_ != query) return std::nullopt;
  return answer_.search_matches;
}

std::optional<double> RemoteFrameSource::search_args_searched(const std::string& query) const {
  if (!answered_ || answered_search_ != query) return std::nullopt;
  return answer_.search_args_searched;
}

void RemoteFrameSource::refresh() {
  // A new serial for the same view: frame() sees it unanswered and sends it
  // (after the answer in flight, if any); the last frame is drawn meanwhile.
  if (wanted_) ++wanted_serial_;
}

void RemoteFrameSource::fail(uint64_t serial, const std::string& message) {
  if (in_flight_ && *in_flight_ == serial) in_flight_.reset();
  error_ = message;
  // Not retried at once: the next frame() with a changed view asks again.
  failed_serial_ = serial;
}

}  // namespace lurk::ui
