#include "importers/span_nesting.h"

#include <algorithm>
#include <vector>

#include "storage/trace_writer.h"

namespace lurk {

namespace {

struct SpanTimes {
  int64_t id, start, end, depth;
};

// Depths of one thread's spans; `spans` must be open and bound to it.
int64_t renest_thread(Statement& spans, Statement& update) {
  std::vector<int64_t> open_ends;  // end_ns of the enclosing spans, outermost first
  std::vector<SpanTimes> ties;     // spans starting at ties[0].start
  int64_t changed = 0;
  auto flush_ties = [&] {
    // Ties by end (longest first), then by the depth they were given as
    // they arrived (TimeNesting's order for spans identical in time), then id.
    std::sort(ties.begin(), ties.end(), [](const SpanTimes& a, const SpanTimes& b) {
      if (a.end != b.end) return a.end > b.end;
      return a.depth != b.depth ? a.depth < b.depth : a.id < b.id;
    });
    for (const SpanTimes& span : ties) {
      // A span that ended by this start encloses nothing from here on.
      while (!open_ends.empty() && open_ends.back() <= span.start) open_ends.pop_back();
      int64_t depth = static_cast<int64_t>(open_ends.size());
      if (depth != span.depth) {
        update.bind(1, depth).bind(2, span.id);
        update.run();
        ++changed;
      }
      open_ends.push_back(span.end);
    }
    ties.clear();
  };
  while (spans.step()) {
    SpanTimes span{spans.column_int(0), spans.column_int(1), spans.column_int(2),
                   spans.column_int(3)};
    if (!ties.empty() && span.start != ties.front().start) flush_ties();
    ties.push_back(span);
  }
  flush_ties();
  return changed;
}

}  // namespace

int64_t renest_spans(TraceWriter& writer, const std::vector<int64_t>& thread_ids) {
  if (thread_ids.empty()) return 0;
  Database& db = writer.db();
  // spans_by_lane gives each thread's spans by start without a sorter.
  Statement spans = db.prepare(
      "SELECT id, start_ns, end_ns, depth FROM spans WHERE thread_id = ? ORDER BY start_ns");
  Statement update = db.prepare("UPDATE spans SET depth = ? WHERE id = ?");
  int64_t changed = 0;
  for (int64_t thread_id : thread_ids) {
    spans.bind(1, thread_id);
    changed += renest_thread(spans, update);
    spans.reset();
  }
  // Depths moved: the lane facts' depth counts follow (storage/lane_facts.h).
  writer.lane_facts().recount_depths(db, thread_ids);
  return changed;
}

}  // namespace lurk
