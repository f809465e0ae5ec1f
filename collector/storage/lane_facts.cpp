// LaneFacts (lane_facts.h): what the writer gathers of each lane's rows, and
// the table it keeps them in.
#include "storage/lane_facts.h"

#include <algorithm>

#include "storage/span_depth.h"
#include "storage/sqlite_handle.h"

// The table's columns named, so that a column added later is not filled by position.
#define LURK_INSERT_LANE_FACTS \
  "INSERT INTO lane_facts(kind, source_id, lane, name, events, first_ns, last_ns, depths, min_value, max_value) "

namespace lurk {

void LaneFacts::add_span(const SpanRow& row) {
  if (!last_span_ || row.thread_id != last_thread_) {
    last_span_ = &spans_[row.thread_id];
    last_thread_ = row.thread_id;
    last_span_->source_id = row.source_id;
  }
  Fact& f = *last_span_;
  ++f.events;
  f.note(row.start_ns);
  f.note(row.end_ns);
  // Running periods are drawn in a strip of their own: no row of depth.
  if (row.kind != "running") f.depths = std::max(f.depths, span_depth_rows(row.depth));
}

void LaneFacts::add_period(const PeriodRow& row) {
  Fact& f = periods_[row.source_id];
  ++f.events;
  f.note(row.start_ns);
  f.note(row.end_ns);
}

void LaneFacts::add_instant(int64_t source_id, int64_t ts_ns) {
  Fact& f = instants_[source_id];
  ++f.events;
  f.note(ts_ns);
}

void LaneFacts::add_counter(const CounterRow& row) {
  std::tuple<int64_t, int64_t, int64_t> key{row.source_id, row.thread_id ? *row.thread_id : -row.source_id, row.name};
  if (!last_counter_ || key != last_counter_key_) {
    auto [it, fresh] = counters_.try_emplace(key);
    if (fresh) it->second.min_value = it->second.max_value = row.value;
    last_counter_ = &it->second;
    last_counter_key_ = key;
  }
  Fact& f = *last_counter_;
  ++f.events;
  f.note(row.ts_ns);
  f.min_value = std::min(f.min_value, row.value);
  f.max_value = std::max(f.max_value, row.value);
}

void LaneFacts::recount_depths(Database& db, const std::vector<int64_t>& threads) {
  Statement count = db.prepare(
      "SELECT coalesce(max(" LURK_SQL_SPAN_DEPTH_ROWS "), 0) FROM spans WHERE thread_id = ? AND kind <> 'running'");
  for (int64_t thread : threads) {
    count.bind(1, thread);
    Fact& f = spans_[thread];
    f.depths = count.step() ? count.column_int(0) : 0;
    f.replace_depths = true;
    count.reset();
  }
}

void LaneFacts::write(Database& db) {
  if (empty()) return;
  Statement upsert = db.prepare(
      "INSERT INTO lane_facts(kind, source_id, lane, name, events, first_ns, last_ns, depths, min_value, max_value) "
      "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10) "
      "ON CONFLICT(kind, source_id, lane, name) DO UPDATE SET events = events + excluded.events, "
      "first_ns = min(first_ns, excluded.first_ns), last_ns = max(last_ns, excluded.last_ns), "
      "depths = CASE WHEN ?11 THEN excluded.depths ELSE max(depths, excluded.depths) END, "
      "min_value = CASE WHEN events = 0 THEN excluded.min_value ELSE min(min_value, excluded.min_value) END, "
      "max_value = CASE WHEN events = 0 THEN excluded.max_value ELSE max(max_value, excluded.max_value) END");
  auto put = [&](int kind, int64_t source, int64_t lane, int64_t name, const Fact& f) {
    upsert.bind(1, int64_t(kind)).bind(2, source).bind(3, lane).bind(4, name).bind(5, f.events);
    upsert.bind(6, f.first_ns).bind(7, f.last_ns).bind(8, f.depths).bind(9, f.min_value).bind(10, f.max_value);
    upsert.bind(11, int64_t(f.replace_depths));
    upsert.run();
  };
  for (const auto& [thread, f] : spans_) put(kSpans, 0, thread, 0, f);
  for (const auto& [source, f] : instants_) put(kInstants, source, 0, 0, f);
  for (const auto& [key, f] : counters_) put(kCounters, std::get<0>(key), std::get<1>(key), std::get<2>(key), f);
  for (const auto& [source, f] : periods_) put(kPeriods, source, 0, 0, f);
  if (flows_.events > 0) put(kFlows, 0, 0, 0, flows_);
  clear();
}

void LaneFacts::clear() {
  spans_.clear();
  instants_.clear();
  counters_.clear();
  periods_.clear();
  flows_ = Fact();
  last_span_ = last_counter_ = nullptr;
}

void LaneFacts::rebuild(Database& db) {
  db.exec("DELETE FROM lane_facts");
  db.exec(
      LURK_INSERT_LANE_FACTS "SELECT 0, 0, thread_id, 0, count(*), min(min(start_ns, end_ns)), "
      "max(max(start_ns, end_ns)), max(CASE WHEN kind = 'running' THEN 0 ELSE " LURK_SQL_SPAN_DEPTH_ROWS " END), "
      "0, 0 FROM spans GROUP BY thread_id");
  db.exec(
      LURK_INSERT_LANE_FACTS "SELECT 1, coalesce(source_id, 0), 0, 0, count(*), min(ts_ns), max(ts_ns), 0, 0, 0 "
      "FROM instants GROUP BY coalesce(source_id, 0)");
  db.exec(
      LURK_INSERT_LANE_FACTS "SELECT 2, coalesce(source_id, 0), coalesce(thread_id, -coalesce(source_id, 0)), "
      "name, count(*), min(ts_ns), max(ts_ns), 0, min(value), max(value) FROM counters GROUP BY 2, 3, 4");
  db.exec(
      LURK_INSERT_LANE_FACTS "SELECT 3, source_id, 0, 0, count(*), min(min(start_ns, end_ns)), "
      "max(max(start_ns, end_ns)), 0, 0, 0 FROM periods GROUP BY source_id");
  recount_flows(db);
}

void LaneFacts::recount_flows(Database& db) {
  db.exec("DELETE FROM lane_facts WHERE kind = 4");
  db.exec(LURK_INSERT_LANE_FACTS "SELECT 4, 0, 0, 0, count(*), 0, 0, 0, 0, 0 FROM flows HAVING count(*) > 0");
}

void LaneFacts::shift_source(Database& db, int64_t source_id, int64_t delta_ns) {
  if (delta_ns == 0) return;
  // Only lanes with rows: an empty one's bounds are the integer limits.
  Statement spans = db.prepare(
      "UPDATE lane_facts SET first_ns = first_ns + ?1, last_ns = last_ns + ?1 WHERE kind = 0 AND events > 0 "
      "AND lane IN (SELECT id FROM threads WHERE source_id = ?2)");
  spans.bind(1, delta_ns).bind(2, source_id);
  spans.run();
  Statement others = db.prepare(
      "UPDATE lane_facts SET first_ns = first_ns + ?1, last_ns = last_ns + ?1 WHERE kind IN (1, 2, 3) AND events > 0 "
      "AND source_id = ?2");
  others.bind(1, delta_ns).bind(2, source_id);
  others.run();
}

void LaneFacts::shift_gathered(const std::unordered_map<int64_t, int64_t>& offsets) {
  if (offsets.empty()) return;
  auto shift = [&](Fact& f, int64_t source_id) {
    auto it = offsets.find(source_id);
    if (it == offsets.end() || f.events == 0) return;  // an empty lane keeps its limits
    f.first_ns += it->second;
    f.last_ns += it->second;
  };
  for (auto& [thread, f] : spans_) shift(f, f.source_id);
  for (auto& [source, f] : instants_) shift(f, source);
  for (auto& [key, f] : counters_) shift(f, std::get<0>(key));
  for (auto& [source, f] : periods_) shift(f, source);
}

}  // namespace lurk
