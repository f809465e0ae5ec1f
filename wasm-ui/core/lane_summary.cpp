// scan_lane_summary (lane_summary.h): one pass over each bulk table in
// storage order, keeping only per-lane aggregates, so memory follows the
// number of lanes, not of events.
#include "core/lane_summary.h"

#include <algorithm>
#include <map>
#include <unordered_map>

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
    uint16_t count = uint16_t(std::clamp<int64_t>(rows.column_int(3), 0, 1000) + 1);
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

}  // namespace

LaneSummary scan_lane_summary(Database& db) {
  LaneSummary s;
  for (auto [table, bound] : {std::make_pair("packets", &s.last_ids.packets),
                              std::make_pair("spans", &s.last_ids.spans),
                              std::make_pair("instants", &s.last_ids.instants),
                              std::make_pair("counters", &s.last_ids.counters)})
    *bound = db.query_int(std::string("SELECT coalesce(max(id), 0) FROM ") + table);
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
  // The model counts the packets of connections it knows (a damaged file may
  // hold others); the count walks packets_by_lane, the smallest b-tree.
  Statement packets = db.prepare(
      "SELECT count(*) FROM packets WHERE id <= ? AND connection_id IN (SELECT id FROM connections)");
  packets.bind(1, s.last_ids.packets);
  if (packets.step()) s.packets = packets.column_int(0);
  return s;
}

}  // namespace lurk::ui
