// scan_lane_summary (lane_summary.h): one pass over each bulk table in
// storage order, keeping only per-lane aggregates, so memory follows the
// number of lanes, not of events.
#include "core/lane_summary.h"

#include <algorithm>
#include <map>
#include <unordered_map>

#include "storage/span_depth.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

void note(LaneSummary& s, int64_t t) {
  s.first_ns = std::min(s.first_ns, t);
  s.last_ns = std::max(s.last_ns, t);
}

// Depth counts of the spans of each thread (running periods are drawn in
// their own strip and do not count), clamped as the model clamps depths.
void scan_spans(Database& db, LaneSummary& s) {
  std::unordered_map<int64_t, uint16_t> depths;
  Statement rows = db.prepare(
      "SELECT thread_id, start_ns, end_ns, depth, kind = 'running' FROM spans WHERE id <= ?");
  rows.bind(1, s.last_ids.spans);
  int64_t last_thread = INT64_MIN;
  uint16_t* depth = nullptr;
  while (rows.step()) {
    ++s.events;
    note(s, rows.column_int(1));
    note(s, rows.column_int(2));
    if (rows.column_int(4)) continue;
    int64_t thread = rows.column_int(0);
    if (!depth || thread != last_thread) depth = &depths[thread];
    last_thread = thread;
    uint16_t count = uint16_t(span_depth_rows(rows.column_int(3)));
    *depth = std::max(*depth, count);
  }
  s.depths.assign(depths.begin(), depths.end());
  std::sort(s.depths.begin(), s.depths.end());
}

void scan_counters(Database& db, LaneSummary& s) {
  std::map<std::pair<int64_t, int64_t>, LaneSummary::CounterRange> lanes;
  Statement rows = db.prepare(
      "SELECT name, coalesce(thread_id, -coalesce(source_id, 0)), ts_ns, value FROM counters "
      "WHERE id <= ?");
  rows.bind(1, s.last_ids.counters);
  std::pair<int64_t, int64_t> last_key{-1, -1};
  LaneSummary::CounterRange* lane = nullptr;
  while (rows.step()) {
    ++s.events;
    std::pair<int64_t, int64_t> key{rows.column_int(0), rows.column_int(1)};
    double value = rows.column_double(3);
    note(s, rows.column_int(2));
    if (!lane || key != last_key) {
      auto [it, fresh] = lanes.try_emplace(key);
      lane = &it->second;
      if (fresh) *lane = {key.first, key.second, value, value, 0};
    }
    last_key = key;
    lane->min = std::min(lane->min, value);
    lane->max = std::max(lane->max, value);
    ++lane->samples;
  }
  for (auto& [key, range] : lanes) s.counters.push_back(range);
}

void note_last_ids(Database& db, LaneSummary& s) {
  for (auto [table, bound] : {std::make_pair("packets", &s.last_ids.packets),
                              std::make_pair("spans", &s.last_ids.spans),
                              std::make_pair("instants", &s.last_ids.instants),
                              std::make_pair("counters", &s.last_ids.counters)})
    *bound = db.query_int(std::string("SELECT coalesce(max(id), 0) FROM ") + table);
}

// The model counts the packets of connections it knows (a damaged file may
// hold others); the count walks packets_by_lane, the smallest b-tree.
void count_packets(Database& db, LaneSummary& s) {
  Statement packets = db.prepare(
      "SELECT count(*) FROM packets WHERE id <= ? AND connection_id IN (SELECT id FROM connections)");
  packets.bind(1, s.last_ids.packets);
  if (packets.step()) s.packets = packets.column_int(0);
}

}  // namespace

LaneSummary scan_lane_summary(Database& db) {
  LaneSummary s;
  note_last_ids(db, s);
  scan_spans(db, s);
  {
    Statement rows = db.prepare("SELECT ts_ns FROM instants WHERE id <= ?");
    rows.bind(1, s.last_ids.instants);
    while (rows.step()) {
      ++s.events;
      note(s, rows.column_int(0));
    }
  }
  scan_counters(db, s);
  count_packets(db, s);
  return s;
}

std::optional<LaneSummary> lane_summary_from_facts(Database& db, std::string& why) {
  if (db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'lane_facts'") == 0) {
    why = "the profile was written before lurk kept its lanes' facts (schema version 5)";
    return std::nullopt;
  }
  LaneSummary s;
  note_last_ids(db, s);
  // The writer gives rows ids one after the other and never removes any: the
  // facts describe exactly the rows up to the last ids when they count as many.
  auto last_id = [&](const char* table) {
    return db.query_int(std::string("SELECT coalesce(max(id), 0) FROM ") + table);
  };
  // (Flows are the exception: the joiner replaces those that end at a
  // packet, leaving gaps in their ids, and recounts them: their count is
  // only what the model's count of events starts with, until they are read.)
  const std::pair<const char*, int64_t> kinds[] = {{"spans", s.last_ids.spans},
                                                   {"instants", s.last_ids.instants},
                                                   {"counters", s.last_ids.counters},
                                                   {"periods", last_id("periods")}};
  Statement counted = db.prepare("SELECT coalesce(sum(events), 0) FROM lane_facts WHERE kind = ?");
  for (int kind = 0; kind < 4; ++kind) {
    counted.bind(1, int64_t(kind));
    int64_t events = counted.step() ? counted.column_int(0) : 0;
    counted.reset();
    if (events != kinds[kind].second) {
      why = std::string("its lane facts count ") + std::to_string(events) + " " + kinds[kind].first + " where the table's last id is " +
            std::to_string(kinds[kind].second) + " (rows written or removed by something else than lurk)";
      return std::nullopt;
    }
    if (kind < 3) s.events += events;
  }
  s.later_known = true;
  s.flow_count = db.query_int("SELECT coalesce(sum(events), 0) FROM lane_facts WHERE kind = 4");
  Statement periods = db.prepare(
      "SELECT source_id, first_ns, last_ns FROM lane_facts WHERE kind = 3 AND events > 0 ORDER BY source_id");
  while (periods.step())
    s.period_bounds.push_back({periods.column_int(0), periods.column_int(1), periods.column_int(2)});
  Statement bounds = db.prepare("SELECT min(first_ns), max(last_ns) FROM lane_facts WHERE events > 0 AND kind < 3");
  if (bounds.step() && !bounds.column_is_null(0)) {
    s.first_ns = bounds.column_int(0);
    s.last_ns = bounds.column_int(1);
  }
  Statement depths = db.prepare("SELECT lane, depths FROM lane_facts WHERE kind = 0 AND depths > 0 ORDER BY lane");
  while (depths.step())
    s.depths.emplace_back(depths.column_int(0), uint16_t(std::min<int64_t>(depths.column_int(1), 1001)));
  // A lane's samples may come from several sources (one row each).
  Statement counters = db.prepare(
      "SELECT name, lane, min(min_value), max(max_value), sum(events) FROM lane_facts WHERE kind = 2 AND events > 0 "
      "GROUP BY name, lane ORDER BY name, lane");
  while (counters.step())
    s.counters.push_back({counters.column_int(0), counters.column_int(1), counters.column_double(2),
                          counters.column_double(3), counters.column_int(4)});
  // The connections' own counts (the tracker counts every row it writes)
  // say it without a walk of 100M index entries when they add up to the
  // last packet's id; otherwise the packets are counted.
  if (db.query_int("SELECT coalesce(sum(packets_ab + packets_ba), 0) FROM connections") == s.last_ids.packets)
    s.packets = s.last_ids.packets;
  else
    count_packets(db, s);
  return s;
}

}  // namespace lurk::ui
