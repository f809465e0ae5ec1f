// The whole load's spans (ProfileModel::load): the spans table read once in
// storage order into one staging array, sized once from the table's last id,
// counting each thread's spans per depth and its running periods as they
// arrive; then each thread's lanes made at their final sizes and the staged
// rows scattered straight to their places by depth.
//
// Why not push each row onto its thread's lane as packets are: with no count
// per thread up front, 6M spans on 1,600 threads meant every lane grew by
// doubling (each step a copy: 9-10% of the page's 10M-event open) and was
// then copied once more, value-initialised first, to order it by depth
// (2-9%; bench/RESULTS.md, "where the page's open of 10M events goes").
// The scatter is that by-depth copy, done once from the staging array.
//
// The lanes are those order_spans() makes of rows pushed in storage order
// (lane_order.h): both keep storage order within a depth, then sort each
// depth by start. append() (profile_model_append.cpp) and a lazy model's
// lane reads (profile_model_lanes.cpp) still push onto the lanes.
#include <algorithm>
#include <new>

#include "core/lane_order.h"
#include "core/profile_model.h"
#include "core/profile_model_rows.h"
#include "core/row_feed.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

// The staged rows, and per thread its spans per depth and its running periods.
struct SpanStaging {
  std::vector<SpanRecord> rows;               // storage order
  std::vector<uint32_t> lanes;                // per row: thread index * 2, + 1 for running
  std::vector<std::vector<uint32_t>> depths;  // per thread: spans of each depth
  std::vector<uint32_t> running;              // per thread: running periods
};

// A thread's per-depth counts reaching `depth` (a row function must not
// throw: row_feed.h); false when memory ran out.
[[gnu::noinline]] bool count_depth(std::vector<uint32_t>& counts, size_t depth) {
  try {
    counts.resize(depth + 1, 0);
    return true;
  } catch (...) {
    return false;
  }
}

// Notes a span of `thread` (an index) in the staging; false when memory ran out.
inline bool stage(SpanStaging& staging, int32_t thread, const SpanRecord& s) {
  const bool running = s.kind == SpanKind::Running;
  if (running) {
    ++staging.running[size_t(thread)];
  } else {
    std::vector<uint32_t>& counts = staging.depths[size_t(thread)];
    if (counts.size() <= s.depth && !count_depth(counts, s.depth)) return false;
    ++counts[s.depth];
  }
  if (!room_for(staging.rows, 1) || !room_for(staging.lanes, 1)) return false;
  staging.rows.push_back(s);
  staging.lanes.push_back(uint32_t(thread) * 2 + (running ? 1 : 0));
  return true;
}

// Rows with an id past `after` number at most `last - after` (ids are
// unique); each takes at least 12 bytes of the file (a cell pointer, two
// varints, a record header of 8). A last id the file's size cannot back (a
// damaged or hostile file) is not trusted with memory: the array then grows.
size_t plausible_rows(Database& db, int64_t after, int64_t last) {
  if (last <= after) return 0;
  int64_t file_bytes = db.query_int("PRAGMA page_count") * db.query_int("PRAGMA page_size");
  int64_t bound = last - after;
  return bound <= file_bytes / 12 ? size_t(bound) : 0;
}

template <typename T>
void release(std::vector<T>& v) {
  std::vector<T>().swap(v);
}

// The staging sized for `rows` rows and `threads` threads (rows 0: grown as
// they arrive, also when that much memory is not there at once).
void prepare(SpanStaging& staging, size_t threads, size_t rows) {
  staging.depths.resize(threads);
  staging.running.assign(threads, 0);
  if (rows == 0) return;
  try {
    staging.rows.reserve(rows);
    staging.lanes.reserve(rows);
  } catch (const std::bad_alloc&) {
    release(staging.rows);
    release(staging.lanes);
  }
}

// Each thread's lanes at their final sizes, depth_begin from the counts, and
// every staged row copied once to its place: its depth's next slot (storage
// order within a depth, as order_spans' counting sort keeps it).
void scatter(SpanStaging& staging, std::vector<ThreadLane>& threads) {
  std::vector<std::vector<uint32_t>> next(threads.size());  // per thread, per depth
  std::vector<uint32_t> next_running(threads.size(), 0);
  for (size_t i = 0; i < threads.size(); ++i) {
    ThreadLane& t = threads[i];
    const std::vector<uint32_t>& counts = staging.depths[i];
    t.depth_begin.assign(counts.size() + 1, 0);
    for (size_t d = 0; d < counts.size(); ++d) t.depth_begin[d + 1] = t.depth_begin[d] + counts[d];
    next[i].assign(t.depth_begin.begin(), t.depth_begin.end() - 1);
    t.spans.resize(t.depth_begin.back());
    t.running.resize(staging.running[i]);
  }
  release(staging.depths);
  const size_t n = staging.rows.size();
  for (size_t k = 0; k < n; ++k) {
    const SpanRecord& s = staging.rows[k];
    const uint32_t lane = staging.lanes[k];
    const size_t thread = lane >> 1;
    if (lane & 1) threads[thread].running[next_running[thread]++] = s;
    else threads[thread].spans[next[thread][s.depth]++] = s;
  }
  release(staging.rows);
  release(staging.lanes);
}

}  // namespace

void ProfileModel::load_spans(Database& db) {
  struct Feed {
    ProfileModel* model;
    SpanStaging staging;
  } feed{this, {}};
  prepare(feed.staging, threads_.size(), plausible_rows(db, 0, loaded_.spans));
  last_thread_id_ = INT64_MIN;
  // As span_row (profile_model_events.cpp), into the staging. A lambda here
  // has this member function's access to the model.
  RowFunction row = [](void* target, RowValues row) {
    auto& f = *static_cast<Feed*>(target);
    ProfileModel& model = *f.model;
    ++model.counts_.events;
    SpanRecord s;
    s.t0_ns = row.integer(1);
    const int64_t end = row.integer(2);
    s.t1_ns = std::max(s.t0_ns, end);
    model.note_time(s.t0_ns);
    model.note_time(end);
    int32_t index = model.cached_thread_index(row.integer(0));
    if (index < 0) return true;
    s.depth = uint16_t(std::clamp<int64_t>(row.integer(3), 0, 1000));
    std::string_view kind = row.text(4);
    s.kind = kind == "running" ? SpanKind::Running : kind == "async" ? SpanKind::Async : SpanKind::Span;
    s.name = uint32_t(row.integer(5));
    if (!row.null(6) && !model.add_args(row.text(6), s.args)) return false;
    return stage(f.staging, index, s);
  };
  feed_rows(db, rows::kSpans, 0, &feed, row);
  scatter(feed.staging, threads_);
  for (ThreadLane& t : threads_) sort_each_depth(t);
}

}  // namespace lurk::ui
