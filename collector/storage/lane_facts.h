// The per-lane facts of a profile's bulk rows (table lane_facts, schema
// version 5): per thread its spans' count, time bounds and depth count, per
// counter lane its samples' count, time bounds and value range, per source
// its instants' count and time bounds and its GC and idle periods' count
// and time bounds; and the flows' count. Server-backed viewing opens a profile
// from them (wasm-ui/core/lane_summary.h, lane_summary_from_facts) instead of
// a pass over every row, which at 100M events was 15 s of CPU before the URL
// (docs/server.md, "A cold open").
//
// TraceWriter feeds every span, instant, counter, period and flow row it is
// given (a few nanoseconds each: a hash lookup, skipped while rows stay on
// one lane) and writes what it gathered into the table in the transaction of
// those rows (commit_source, each live batch), merged with what the table
// held. The passes that change rows after they were written keep it true:
// span nesting redone (importers/span_nesting) recounts its threads' depths
// here, the clock pass (join/clock_alignment) shifts the facts with the
// rows, and the joiner (join/packet_flows), which replaces flows, recounts them.
#pragma once

#include <cstdint>
#include <map>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "storage/rows.h"

namespace lurk {

class Database;

class LaneFacts {
 public:
  // The lane_facts.kind values.
  enum Kind : int { kSpans = 0, kInstants = 1, kCounters = 2, kPeriods = 3, kFlows = 4 };

  void add_span(const SpanRow& row);
  void add_period(const PeriodRow& row);
  void add_flow() { ++flows_.events; }
  void add_instant(int64_t source_id, int64_t ts_ns);
  void add_counter(const CounterRow& row);  // row.source_id set

  // After span nesting was redone on `threads` (every row written): their
  // depth counts are counted again from the file and replace the table's.
  void recount_depths(Database& db, const std::vector<int64_t>& threads);

  // Merges what was gathered into the table (in the caller's transaction)
  // and forgets it.
  void write(Database& db);
  // Forgets what was gathered (the rows were rolled back).
  void clear();
  bool empty() const {
    return spans_.empty() && instants_.empty() && counters_.empty() && periods_.empty() && flows_.events == 0;
  }

  // The facts of every row already in `db`, made by one pass (a file
  // upgraded to version 5: schema_migrations.cpp). Replaces the table's.
  static void rebuild(Database& db);
  // The joiner replaced the flows that end at a packet (join/packet_flows,
  // rows written without the writer): the flows' count is counted again.
  static void recount_flows(Database& db);
  // The clock pass moved a source's rows by `delta_ns` (join/clock_alignment,
  // shift_source_times): its lanes' facts move with them.
  static void shift_source(Database& db, int64_t source_id, int64_t delta_ns);
  // A live batch's facts, gathered from rows on their sources' own clocks,
  // moved by the offsets the writer applies to those rows as it writes them
  // (TraceWriter::set_live_offset; by source id), so that the table's bounds
  // are the rows' own.
  void shift_gathered(const std::unordered_map<int64_t, int64_t>& offsets);

 private:
  struct Fact {
    int64_t events = 0;
    int64_t first_ns = INT64_MAX, last_ns = INT64_MIN;
    int64_t depths = 0;
    double min_value = 0, max_value = 0;
    bool replace_depths = false;  // recount_depths: the table's depth count is replaced
    int64_t source_id = 0;        // spans: their thread's source (shift_gathered)
    void note(int64_t t) {
      if (t < first_ns) first_ns = t;
      if (t > last_ns) last_ns = t;
    }
  };
  std::unordered_map<int64_t, Fact> spans_;     // by thread
  std::unordered_map<int64_t, Fact> instants_;  // by source
  std::map<std::tuple<int64_t, int64_t, int64_t>, Fact> counters_;  // by (source, lane key, name)
  std::unordered_map<int64_t, Fact> periods_;  // by source
  Fact flows_;                                 // their count only
  // The lane of the previous row of each kind: rows come in runs per lane.
  int64_t last_thread_ = INT64_MIN;
  Fact* last_span_ = nullptr;
  std::tuple<int64_t, int64_t, int64_t> last_counter_key_{INT64_MIN, 0, 0};
  Fact* last_counter_ = nullptr;
};

}  // namespace lurk
