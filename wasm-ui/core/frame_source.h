// The seam between the timeline panel and where its draw records come from.
// A FrameSource answers a FrameRequest (core/frame_request.h) with a frame
// and the layout's summary:
//  - LocalFrameSource renders from the model in this process (the profile
//    loaded in the browser's memory, or natively for tests and the server);
//  - RemoteFrameSource sends the request to `lurk view --native` (GET /frame)
//    through a function the platform gives it, and answers with the last
//    frame received while the next is in flight, so the page never blocks.
// Both run the same code in the end (FrameRenderer: timeline_layout,
// timeline_frame*, mark_merging), here or in the native process, so the
// panel does not fork and the two modes draw the same records.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/frame_request.h"
#include "core/profile_model.h"
#include "core/search_index.h"
#include "core/timeline_frame.h"
#include "core/timeline_layout.h"

namespace lurk::ui {

// What the panel needs of the layout besides the frame: how far it can
// scroll, and the row counts the snapshot reports (docs/ui-snapshot.md).
struct FrameLayoutSummary {
  float total_height = 0;
  int64_t rows = 0, thread_rows = 0, thread_rows_shown = 0, counter_rows = 0, counter_folds = 0;
  int64_t visible_rows = 0;
};

struct FrameAnswer {
  TimelineFrame frame;
  FrameLayoutSummary layout;
  // The request's `/` query: its matches in the whole profile (the box's
  // count); 0 without a query, -1 when it could not be run yet (lurk view
  // searches its lane store, which a cold open is still making).
  int64_t search_matches = 0;
  // How much of the args those matches cover (SearchIndex::args_searched:
  // 1 all; [0, 1) while lurk view's pass over them goes on, the page asks
  // again; -1 names and labels only).
  double search_args_searched = 1;
  // The selected item's row in this frame's layout (item_row.h; y from the
  // rows' top, not scrolled), y -1 when it has none: the page scrolls to it
  // as it does in-browser (with idle rows hidden, which rows show depends
  // on events only lurk view holds).
  float selected_row_y = -1, selected_row_height = 0;
};

FrameLayoutSummary summarize_layout(const TimelineLayout& layout, const FrameView& view);

// Lays out the rows (again only when what the layout depends on changed) and
// builds the frame. Holds the layout and the search index between requests.
class FrameRenderer {
 public:
  explicit FrameRenderer(const ProfileModel& model) : model_(model) {}
  FrameAnswer render(const FrameRequest& request);
  const TimelineLayout& layout() const { return layout_; }
  // Called with the layout and the rows [first, last) a frame draws, before
  // it is built: a lazy model's owner loads their lanes there
  // (collector/server/lane_cache.h).
  using PrepareRows = std::function<void(const TimelineLayout& layout, size_t first, size_t last)>;
  void set_prepare(PrepareRows prepare) { prepare_ = std::move(prepare); }
  // Runs a new query (SearchIndex::run over the model's lanes when not
  // set): a lazy model's owner gives the lanes it does not hold
  // (collector/server/native_search.h); false when it cannot now (no
  // match is highlighted, and the query is run again on the next request).
  using RunSearch = std::function<bool(SearchIndex& search, const std::string& query)>;
  void set_run_search(RunSearch run) { run_search_ = std::move(run); }
  const SearchIndex& search() const { return search_; }
  // The search of `query`, run unless it is the one held; nullptr when
  // there is no query or it cannot be run now.
  const SearchIndex* search_for(const std::string& query);
  // The search held is run again by the next request (what it was run over changed).
  void forget_search() { search_.clear(); }
  // The search held, to add matches found later (lurk view's args,
  // collector/server/args_search.h).
  SearchIndex& held_search() { return search_; }

 private:
  const ProfileModel& model_;
  PrepareRows prepare_;
  RunSearch run_search_;
  TimelineLayout layout_;
  SearchIndex search_;
  std::optional<FrameRequest> laid_out_;  // the request the layout was built for
};

class FrameSource {
 public:
  virtual ~FrameSource() = default;
  // The answer to draw now for `request`: the answer to it, or (remote) the
  // last one received while the answer to it is on its way; nullptr before
  // any answer arrived.
  virtual const FrameAnswer* frame(const FrameRequest& request) = 0;
  // True when the answer returned by frame() is for the request given.
  virtual bool current() const = 0;
};

class LocalFrameSource : public FrameSource {
 public:
  explicit LocalFrameSource(const ProfileModel& model) : renderer_(model) {}
  const FrameAnswer* frame(const FrameRequest& request) override;
  bool current() const override { return true; }

 private:
  FrameRenderer renderer_;
  FrameAnswer answer_;
};

class RemoteFrameSource : public FrameSource {
 public:
  // `send` starts an asynchronous GET /frame?QUERY; its answer comes back
  // through receive() (or fail()).
  using Send = std::function<void(const std::string& query, uint64_t serial)>;
  explicit RemoteFrameSource(Send send) : send_(std::move(send)) {}
  const FrameAnswer* frame(const FrameRequest& request) override;
  bool current() const override { return answered_ && answered_serial_ == wanted_serial_; }
  // The body of a /frame answer (frame_wire.h); returns "" or what was wrong.
  std::string receive(uint64_t serial, const std::string& body);
  void fail(uint64_t serial, const std::string& message);
  // The view shown is asked for again (lurk view has more to draw now: a
  // cold open's flows and periods, read after its first frames).
  void refresh();
  const std::string& error() const { return error_; }
  uint64_t requests_sent() const { return sent_; }
  // The request the answer held was drawn for (nullptr before any).
  const FrameRequest* answered_request() const { return answered_ ? &answered_request_ : nullptr; }
  // The whole profile's matches of `query` (FrameAnswer::search_matches:
  // -1 while lurk view cannot search yet), once a frame asked with it came
  // back.
  std::optional<int64_t> search_matches(const std::string& query) const;
  // Their FrameAnswer::search_args_searched (nullopt as above).
  std::optional<double> search_args_searched(const std::string& query) const;

 private:
  Send send_;
  std::optional<FrameRequest> wanted_;  // the newest request
  uint64_t wanted_serial_ = 0;
  std::optional<uint64_t> in_flight_;   // serial of the request on its way
  std::optional<FrameRequest> in_flight_request_;
  FrameAnswer answer_;
  bool answered_ = false;
  uint64_t answered_serial_ = 0;
  std::string answered_search_;  // the query of the answer held
  FrameRequest answered_request_;
  uint64_t sent_ = 0;
  uint64_t failed_serial_ = 0;  // the request that failed (not sent again)
  std::string error_;
  void send_wanted();
};

}  // namespace lurk::ui
