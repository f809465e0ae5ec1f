// The page's model in server-backed viewing (`lurk view --native`,
// docs/server.md): the profile's outline (connections, threads, findings...
// with no packets, spans, instants or counters) loaded as usual, then put on
// the whole profile's time axis. Its own origin and end come from the few
// times the outline holds; the native process's model saw every event, and
// the frames it sends are relative to its origin, so this model takes that
// origin (its relative times shifted to match), end and counts.
#include "core/profile_model.h"

#include <nlohmann/json.hpp>

#include "storage/span_depth.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {

void ProfileModel::adopt_extent(int64_t origin_ns, int64_t duration_ns, const ProfileCounts& counts,
                                size_t groups) {
  // Relative times here are from origin_ns_; from now on from origin_ns.
  const int64_t shift = origin_ns_ == INT64_MAX ? 0 : origin_ns_ - origin_ns;
  for (ConnectionLanes& c : connections_) {
    c.first_ns += shift;
    c.last_ns += shift;
  }
  for (ThreadLane& t : threads_) {
    t.start_ns += shift;
    t.end_ns += shift;
    // Open ends stand for the trace's bounds: the whole profile's.
    if (!t.start_known) t.start_ns = 0;
    if (!t.end_known) t.end_ns = duration_ns;
  }
  for (PeriodRecord& p : periods_) {
    p.t0_ns += shift;
    p.t1_ns += shift;
  }
  for (FlowRecord& f : flows_) {
    f.from_ns += shift;
    f.to_ns += shift;
  }
  // Groups are the connections', then one for lanes on no connection: the
  // server's has counters only when the outline has none of it.
  if (groups == connections_.size() + 1 && groups_.size() == connections_.size()) groups_.push_back(LaneGroup());
  origin_ns_ = origin_ns;
  end_ns_ = duration_ns;
  counts_ = counts;
}

bool ProfileModel::adopt_lane_shapes(const std::string& json) {
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object() || !j.contains("depths") || !j.contains("counters") || !j["depths"].is_array() ||
      !j["counters"].is_array() || !counters_.empty())
    return false;
  std::vector<std::pair<int32_t, uint16_t>> depths;
  for (const nlohmann::json& d : j["depths"]) {
    if (!d.is_array() || d.size() != 2 || !d[0].is_number_integer() || !d[1].is_number_unsigned() ||
        d[1].get<uint64_t>() > uint64_t(kMaxSpanDepth) + 1)  // depths 0..kMaxSpanDepth: one more rows
      return false;
    int32_t t = thread_index(d[0].get<int64_t>());
    if (t >= 0) depths.emplace_back(t, uint16_t(d[1].get<uint64_t>()));
  }
  std::vector<CounterLane> counters;
  for (const nlohmann::json& r : j["counters"]) {
    if (!r.is_array() || r.size() != 4 || !r[0].is_number_integer() || !r[1].is_number_integer()) return false;
    CounterLane c;
    c.name = uint32_t(r[0].get<int64_t>());
    if (c.name >= string_count()) return false;
    c.key = r[1].get<int64_t>();
    c.thread = c.key > 0 ? thread_index(c.key) : -1;
    c.display_shift_ns = c.thread >= 0 ? threads_[size_t(c.thread)].display_shift_ns : display_shift_of(-c.key);
    // (A range JSON could not say, infinite or NaN, is left 0.)
    c.min = r[2].is_number() ? r[2].get<double>() : 0;
    c.max = r[3].is_number() ? r[3].get<double>() : 0;
    counters.push_back(std::move(c));
  }
  for (auto [t, d] : depths) threads_[size_t(t)].depth_begin.assign(size_t(d) + 1, 0);
  counters_ = std::move(counters);
  build_groups();
  return true;
}

void ProfileModel::adopt_connection_flag_counts(Database& outline) {
  Statement rows = outline.prepare("SELECT id, flags_json FROM connections");
  while (rows.step()) {
    int32_t index = connection_index(rows.column_int(0));
    if (index < 0) continue;
    nlohmann::json flags = nlohmann::json::parse(rows.column_text(1), nullptr, false);
    if (!flags.is_object()) continue;  // damaged: the counts stay 0
    auto count = [&](const char* field) {
      auto it = flags.find(field);
      return it != flags.end() && it->is_number_integer() ? it->get<int64_t>() : int64_t(0);
    };
    ConnectionLanes& c = connections_[size_t(index)];
    c.retransmissions = count("tcp.analysis.retransmission");
    c.dup_acks = count("tcp.analysis.duplicate_ack");
  }
}

}  // namespace lurk::ui
