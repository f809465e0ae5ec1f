#include "core/profile_model.h"

#include <algorithm>
#include <unordered_map>

#include "core/huge_pages.h"
#include "core/mark_style.h"
#include "core/profile_model_rows.h"
#include "core/row_feed.h"
#include "net/analysis_flags.h"
#include "net/time_arith.h"
#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

// "?" for what a trace did not name (address '', port 0).
std::string endpoint(const std::string& addr, int64_t port) {
  bool v6 = addr.find(':') != std::string::npos;
  if (addr.empty()) return port == 0 ? "?" : "?:" + std::to_string(port);
  return (v6 ? "[" + addr + "]" : addr) + ":" + std::to_string(port);
}

// A connection a CTF trace showed by its promise tree (connections.
// root_thread_id) says which label started it, and which promise carries it.
std::string trace_connection_label(const ConnectionLanes& c, const std::string& root_label,
                                   const std::string& root_ext_id) {
  std::string root =
      (root_label.empty() ? "trace connection" : root_label) + ", promise " + root_ext_id;
  if (c.addr_a.empty() && c.port_a == 0 && c.addr_b.empty() && c.port_b == 0)
    return root + " (endpoints unknown)";
  return endpoint(c.addr_a, c.port_a) + " \xe2\x86\x92 " + endpoint(c.addr_b, c.port_b) +
         " (" + root + ")";
}

// A (id, index) table sorted by id: compact, and found by binary search.
int32_t find_index(const std::vector<std::pair<int64_t, int32_t>>& table, int64_t id) {
  auto it = std::lower_bound(table.begin(), table.end(), std::make_pair(id, INT32_MIN));
  return it != table.end() && it->first == id ? it->second : -1;
}

}  // namespace

int32_t ProfileModel::thread_index(int64_t thread_id) const {
  return find_index(thread_ids_, thread_id);
}

int32_t ProfileModel::connection_index(int64_t connection_id) const {
  return find_index(connection_ids_, connection_id);
}

bool ProfileModel::add_args(std::string_view json, uint32_t& index) {
  index = 0;
  if (json.empty() || json == "{}") return true;
  if (!room_for(args_text_, json.size()) || !room_for(args_end_, 1)) return false;
  args_text_ += json;
  args_end_.push_back(args_text_.size());
  index = uint32_t(args_end_.size() - 1);
  return true;
}

ProfileModel ProfileModel::load(Database& db, const std::map<int64_t, int64_t>& clock_by_hand) {
  if (std::string problem = schema_problem(db); !problem.empty()) throw StorageError(problem);
  ProfileModel model;
  ReadSnapshot snapshot(db);  // the ids noted are the last the bulk reads meet
  model.args_end_.push_back(0);  // index 0: no args
  model.sources_ = load_source_clocks(db, clock_by_hand);
  for (const SourceClock& s : model.sources_)
    model.any_display_shift_ = model.any_display_shift_ || s.display_shift_ns != 0;
  model.note_loaded_ids(db);
  model.load_strings(db);
  model.load_connections(db);
  model.load_packets(db);
  model.load_threads(db);
  model.load_spans(db);
  model.load_instants(db);
  model.load_counters(db);
  model.finish_load(db);
  return model;
}

ProfileModel ProfileModel::load_outline(Database& db, const LaneSummary& summary,
                                        const std::map<int64_t, int64_t>& clock_by_hand,
                                        LaneSummary* keep, bool defer_flows_and_periods) {
  if (std::string problem = schema_problem(db); !problem.empty()) throw StorageError(problem);
  ProfileModel model;
  model.lazy_ = true;
  model.last_ids_ = summary.last_ids;
  model.outline_summary_ = summary;
  model.outline_summary_.minimap.clear();
  model.args_end_.push_back(0);  // index 0: no args
  model.sources_ = load_source_clocks(db, clock_by_hand);
  for (const SourceClock& s : model.sources_)
    model.any_display_shift_ = model.any_display_shift_ || s.display_shift_ns != 0;
  model.note_loaded_ids(db);  // the small tables are read whole, up to these
  model.load_strings(db);
  model.load_connections(db);
  model.load_threads(db);
  model.apply_summary(summary);
  model.finish_load(db, &summary, keep, defer_flows_and_periods && summary.later_known);
  return model;
}

// The steps every load ends with, whole or lazy: the tables read whole in
// both, then times made relative and the groups built.
void ProfileModel::finish_load(Database& db, const LaneSummary* summary, LaneSummary* keep,
                               bool defer_flows_and_periods) {
  if (defer_flows_and_periods) {
    // What the flows and periods will add once read: the flows' count, and
    // the periods' times noted as add_period notes them (display shift
    // applied), so that the axis does not move when they come.
    flows_and_periods_pending_ = true;
    deferred_flow_count_ = summary->flow_count;
    counts_.events += summary->flow_count;
    for (const LaneSummary::PeriodBounds& b : summary->period_bounds) {
      int64_t shift = display_shift_of(b.source_id);
      int64_t t0 = saturating_add(b.first_ns, shift);
      int64_t t1 = std::max(t0, saturating_add(b.last_ns, shift));
      note_time(t0);
      note_time(t1);
      deferred_period_bounds_.emplace_back(t0, t1);
    }
  } else if (!summary || !adopt_kept_flows(*summary)) {
    load_flows(db);
    if (keep) keep_flows_in(*keep);
  }
  bool periods_kept = false;
  if (summary && summary->periods_kept) {
    // As the query gives them: GC first, each kind by start (periods_split_
    // and the frames' searches count on it); a kind is GC or idle.
    auto before = [](const LaneSummary::KeptPeriod& a, const LaneSummary::KeptPeriod& b) {
      return a.idle != b.idle ? a.idle < b.idle : a.start_ns < b.start_ns;
    };
    periods_kept = std::all_of(summary->periods.begin(), summary->periods.end(),
                               [](const LaneSummary::KeptPeriod& p) { return p.idle <= 1; }) &&
                   std::is_sorted(summary->periods.begin(), summary->periods.end(), before);
    if (periods_kept) {
      periods_.reserve(summary->periods.size());
      advise_huge_pages(periods_.data(), summary->periods.size() * sizeof(PeriodRecord));
      for (const LaneSummary::KeptPeriod& p : summary->periods) add_period(p.idle, p.start_ns, p.end_ns, p.source_id);
    }
  }
  if (!periods_kept && !defer_flows_and_periods) load_periods(db, keep);
  bound_by_sources();
  shift_times();
  build_groups();
  counts_.connections = int64_t(connections_.size());
  counts_.threads = int64_t(threads_.size());
}

// What load_packets, load_spans, load_instants and load_counters would have
// learnt of the lanes besides their events (lane_summary.h).
void ProfileModel::apply_summary(const LaneSummary& summary) {
  if (summary.first_ns <= summary.last_ns) {
    note_time(summary.first_ns);
    note_time(summary.last_ns);
  }
  counts_.packets = summary.packets;
  counts_.events += summary.events;
  for (ConnectionLanes& c : connections_) c.lanes_loaded = false;
  for (ThreadLane& t : threads_) {
    t.events_loaded = false;
    auto it = std::lower_bound(summary.depths.begin(), summary.depths.end(),
                               std::make_pair(t.id, uint16_t(0)));
    uint16_t depths = it != summary.depths.end() && it->first == t.id ? it->second : 0;
    t.depth_begin.assign(size_t(depths) + 1, 0);
  }
  for (const LaneSummary::CounterRange& range : summary.counters) {
    CounterLane c;
    c.name = uint32_t(range.name);
    c.key = range.key;
    c.thread = range.key > 0 ? thread_index(range.key) : -1;
    c.display_shift_ns = c.thread >= 0 ? threads_[size_t(c.thread)].display_shift_ns
                                       : display_shift_of(-range.key);
    c.min = range.min;
    c.max = range.max;
    c.samples_loaded = false;
    counters_.push_back(std::move(c));
  }
}

// The summary's flows (lane_summary.h) when every one names lanes of this
// model and they are in time order (a damaged or foreign file is not
// trusted: then they are read from the profile). Their kinds are interned
// in the order the summary lists them, the order read_flows met them, so
// the flows and the strings are those a read would make.
bool ProfileModel::adopt_kept_flows(const LaneSummary& summary) {
  if (!summary.flows_kept) return false;
  const int64_t threads = int64_t(threads_.size()), packet_lanes = 2 * int64_t(connections_.size());
  for (const FlowRecord& f : summary.flows)
    if (f.kind >= summary.flow_kinds.size() || f.from_thread < -1 || f.from_thread >= threads ||
        f.to_thread < -1 || f.to_thread >= threads || f.packet_lane < -1 || f.packet_lane >= packet_lanes)
      return false;
  auto by_time = [](const FlowRecord& a, const FlowRecord& b) { return a.from_ns < b.from_ns; };
  if (!std::is_sorted(summary.flows.begin(), summary.flows.end(), by_time)) return false;
  std::vector<uint32_t> kind_index;
  for (const std::string& kind : summary.flow_kinds) kind_index.push_back(flow_kind(kind));
  flows_.reserve(summary.flows.size());
  advise_huge_pages(flows_.data(), summary.flows.size() * sizeof(FlowRecord));
  flows_.assign(summary.flows.begin(), summary.flows.end());
  for (FlowRecord& f : flows_) f.kind = kind_index[f.kind];
  counts_.events += int64_t(flows_.size());
  return true;
}

// The flows just read (sorted, times absolute) as the summary keeps them:
// kinds as indices into its own list.
void ProfileModel::keep_flows_in(LaneSummary& summary) const {
  summary.flow_kinds.clear();
  for (const auto& [text, index] : flow_kinds_) summary.flow_kinds.push_back(text);
  summary.flows = flows_;
  for (FlowRecord& f : summary.flows) {
    uint32_t position = 0;
    while (position < flow_kinds_.size() && flow_kinds_[position].second != f.kind) ++position;
    f.kind = position;
  }
  summary.flows_kept = true;
}

void ProfileModel::note_loaded_ids(Database& db) {
  // Each the table's last rowid (its b-tree's last page): what load() and the
  // next append() read up to.
  auto last = [&](const char* table) {
    return db.query_int(std::string("SELECT coalesce(max(id), 0) FROM ") + table);
  };
  loaded_ = {last("strings"), last("packets"), last("spans"), last("instants"),
             last("counters"), last("flows"), last("periods")};
}

void ProfileModel::load_strings(Database& db) {
  // Interned ids are dense (1, 2, ...), so they index the table directly.
  int64_t max_id = loaded_.strings;
  int64_t rows = db.query_int("SELECT count(*) FROM strings");
  if (max_id > 4 * rows + 1024)
    throw StorageError("the strings table has sparse ids (max " + std::to_string(max_id) +
                       " for " + std::to_string(rows) + " rows)");
  strings_.assign(size_t(max_id + 1), std::string());
  file_strings_ = strings_.size();
  Statement strings = db.prepare("SELECT id, text FROM strings WHERE id <= ?");
  strings.bind(1, loaded_.strings);
  while (strings.step()) {
    int64_t id = strings.column_int(0);
    if (id > 0) strings_[size_t(id)] = strings.column_text(1);
  }
}

// The connections in their display order (first packet, then id), each with
// the label of its promise tree's root when a CTF trace showed it.
Statement ProfileModel::connection_rows(Database& db) {
  // Files written before issue 9 have no trace connections (root_thread_id).
  bool trace_roots = db.query_int("SELECT count(*) FROM pragma_table_info('connections') "
                                  "WHERE name = 'root_thread_id'") > 0;
  return db.prepare(
      std::string("SELECT c.id, c.addr_a, c.port_a, c.addr_b, c.port_b, c.state, c.first_ns, "
                  "c.last_ns, c.packets_ab, c.packets_ba, c.bytes_ab + c.bytes_ba, c.same_as, ") +
      (trace_roots ? "r.ext_id, coalesce(n.text, ''), c.source_id FROM connections c "
                     "LEFT JOIN threads r ON r.id = c.root_thread_id "
                     "LEFT JOIN strings n ON n.id = r.name "
                   : "NULL, '', c.source_id FROM connections c ") +
      "ORDER BY c.first_ns, c.id");
}

// One row of connection_rows(), without its lanes; times absolute (noted).
ConnectionLanes ProfileModel::connection_of(Statement& connections) {
  ConnectionLanes c;
  c.id = connections.column_int(0);
  c.addr_a = connections.column_text(1);
  c.port_a = int(connections.column_int(2));
  c.addr_b = connections.column_text(3);
  c.port_b = int(connections.column_int(4));
  c.label = connections.column_is_null(12)
                ? endpoint(c.addr_a, c.port_a) + " \xe2\x86\x92 " + endpoint(c.addr_b, c.port_b)
                : trace_connection_label(c, connections.column_text(13),
                                         connections.column_text(12));
  c.state = connections.column_text(5);
  c.first_ns = connections.column_int(6);
  c.last_ns = connections.column_int(7);
  note_time(c.first_ns);
  note_time(c.last_ns);
  c.packets = connections.column_int(8) + connections.column_int(9);
  c.bytes = connections.column_int(10);
  if (!connections.column_is_null(14)) c.display_shift_ns = display_shift_of(connections.column_int(14));
  return c;
}

void ProfileModel::load_connections(Database& db) {
  Statement connections = connection_rows(db);
  std::vector<std::pair<size_t, int64_t>> same_as;  // (index, id of the capture's connection)
  // At least the packet count (ids are rowids), and found in the index's last page.
  const int64_t max_packet_id = db.query_int("SELECT coalesce(max(id), 0) FROM packets");
  while (connections.step()) {
    ConnectionLanes c = connection_of(connections);
    // The per-direction counts size the packet lanes exactly (no growth slack);
    // a count no packets table could back (a damaged or hostile file) is not
    // trusted with memory: the lane then grows as its rows arrive.
    for (int dir = 0; dir < 2; ++dir) {
      int64_t count = connections.column_int(8 + dir);
      if (!lazy_ && count > 0 && count <= max_packet_id) c.lanes[dir].reserve(size_t(count));
    }
    if (!connections.column_is_null(11))
      same_as.emplace_back(connections_.size(), connections.column_int(11));
    connection_ids_.emplace_back(c.id, int32_t(connections_.size()));
    connections_.push_back(std::move(c));
  }
  std::sort(connection_ids_.begin(), connection_ids_.end());
  for (auto [index, id] : same_as) connections_[index].same_as = connection_index(id);
}

// The threads in their display order.
Statement ProfileModel::thread_rows(Database& db) {
  return db.prepare(
      "SELECT id, coalesce(name, 0), kind, coalesce(parent_id, 0), start_ns, end_ns, failed, "
      "coalesce(exception, 0), connection_id, coalesce(became_id, 0), source_id, sort_index "
      "FROM threads ORDER BY sort_index, start_ns, id");
}

// One row of thread_rows(), without its lanes; times absolute (noted).
ThreadLane ProfileModel::thread_of(Statement& threads) {
  ThreadLane t;
  t.id = threads.column_int(0);
  t.name = uint32_t(threads.column_int(1));
  t.kind = threads.column_text(2);
  t.parent_id = threads.column_int(3);
  t.start_known = !threads.column_is_null(4);
  t.end_known = !threads.column_is_null(5);
  // Absolute for now; shift_times() makes them relative (open ends: trace bounds).
  if (t.start_known) note_time(t.start_ns = threads.column_int(4));
  if (t.end_known) note_time(t.end_ns = threads.column_int(5));
  t.failed = threads.column_int(6) != 0;
  t.exception = uint32_t(threads.column_int(7));
  if (!threads.column_is_null(8)) t.connection = connection_index(threads.column_int(8));
  t.display_shift_ns = display_shift_of(threads.column_int(10));
  if (t.connection >= 0 && connections_[size_t(t.connection)].same_as >= 0)
    t.connection = connections_[size_t(t.connection)].same_as;
  t.became_id = threads.column_int(9);
  return t;
}

void ProfileModel::load_threads(Database& db) {
  Statement threads = thread_rows(db);
  while (threads.step()) {
    ThreadLane t = thread_of(threads);
    thread_ids_.emplace_back(t.id, int32_t(threads_.size()));
    threads_.push_back(std::move(t));
  }
  std::sort(thread_ids_.begin(), thread_ids_.end());
  link_threads();
}

// Parent and successor lane indices, and each connection's failed threads.
void ProfileModel::link_threads() {
  for (ThreadLane& t : threads_) {
    t.parent = t.parent_id ? thread_index(t.parent_id) : -1;
    t.became = t.became_id ? thread_index(t.became_id) : -1;
  }
  for (ConnectionLanes& c : connections_) c.exceptions = 0;
  for (ThreadLane& t : threads_)
    if (t.connection >= 0 && t.failed) ++connections_[size_t(t.connection)].exceptions;
}

// Each period as kept in the summary too (keep, when given).
void ProfileModel::load_periods(Database& db, LaneSummary* keep) {
  Statement periods = db.prepare(rows::kPeriods);
  periods.bind(1, int64_t(0)).bind(2, loaded_.periods);
  if (keep) keep->periods.clear();
  while (periods.step()) {
    LaneSummary::KeptPeriod p;
    p.idle = periods.column_int(0) ? 1 : 0;
    p.start_ns = periods.column_int(1);
    p.end_ns = periods.column_int(2);
    p.source_id = periods.column_int(3);
    add_period(p.idle, p.start_ns, p.end_ns, p.source_id);
    if (keep) keep->periods.push_back(p);
  }
  if (keep) keep->periods_kept = true;
}

void ProfileModel::add_period(bool idle, int64_t start_ns, int64_t end_ns, int64_t source_id) {
  PeriodRecord p;
  p.kind = idle ? PeriodKind::Idle : PeriodKind::Gc;
  // Periods are drawn across all lanes: their display shift is applied now.
  int64_t shift = display_shift_of(source_id);
  p.t0_ns = saturating_add(start_ns, shift);
  p.t1_ns = std::max(p.t0_ns, saturating_add(end_ns, shift));
  note_time(p.t0_ns);
  note_time(p.t1_ns);
  if (p.kind == PeriodKind::Gc) ++periods_split_;
  periods_.push_back(p);
}

void ProfileModel::build_groups() {
  groups_.assign(connections_.size(), LaneGroup());
  for (size_t i = 0; i < connections_.size(); ++i) {
    groups_[i].connection = int32_t(i);
    connections_[i].group = int32_t(i);
  }
  LaneGroup unconnected;
  for (size_t i = 0; i < threads_.size(); ++i) {
    ThreadLane& t = threads_[i];
    t.group = t.connection >= 0 ? t.connection : -1;
    if (t.group >= 0) groups_[size_t(t.group)].threads.push_back(uint32_t(i));
    else unconnected.threads.push_back(uint32_t(i));
  }
  std::vector<uint32_t> unconnected_counters;
  for (size_t i = 0; i < counters_.size(); ++i) {
    int32_t thread = counters_[i].thread;
    int32_t group = thread >= 0 ? threads_[size_t(thread)].group : -1;
    if (group >= 0) groups_[size_t(group)].counters.push_back(uint32_t(i));
    else unconnected.counters.push_back(uint32_t(i));
  }
  if (!unconnected.threads.empty() || !unconnected.counters.empty()) {
    int32_t index = int32_t(groups_.size());
    for (uint32_t t : unconnected.threads) threads_[t].group = index;
    groups_.push_back(std::move(unconnected));
  }
  for (CounterLane& c : counters_)
    c.group = c.thread >= 0 ? threads_[size_t(c.thread)].group : int32_t(groups_.size()) - 1;
}

int64_t ProfileModel::display_shift_of(int64_t source_id) const {
  if (!any_display_shift_) return 0;
  for (const SourceClock& s : sources_)
    if (s.id == source_id) return s.display_shift_ns;
  return 0;
}

// With a source drawn moved, the times noted while loading span both clocks:
// the profile's bounds are the sources' bounds, each moved by its shift.
void ProfileModel::bound_by_sources() {
  if (!any_display_shift_) return;
  origin_ns_ = INT64_MAX;
  end_ns_ = INT64_MIN;
  for (const SourceClock& s : sources_)
    if (s.has_times) {
      note_time(saturating_add(s.first_ns, s.display_shift_ns));
      note_time(saturating_add(s.last_ns, s.display_shift_ns));
    }
  for (const PeriodRecord& p : periods_) note_time(p.t0_ns), note_time(p.t1_ns);
  for (const auto& [t0, t1] : deferred_period_bounds_) note_time(t0), note_time(t1);
}

size_t ProfileModel::shown_connection_count() const {
  return size_t(std::count_if(connections_.begin(), connections_.end(),
                              [](const ConnectionLanes& c) { return c.shown(); }));
}

size_t ProfileModel::memory_bytes() const {
  size_t bytes = 0;
  for (const ConnectionLanes& c : connections_)
    for (int d = 0; d < 2; ++d)
      bytes += c.lanes[d].capacity() * sizeof(PacketMark) + c.severity[d].memory_bytes();
  for (const ThreadLane& t : threads_)
    bytes += sizeof(ThreadLane) + (t.spans.capacity() + t.running.capacity()) * sizeof(SpanRecord) +
             t.instants.capacity() * sizeof(InstantRecord) + t.instant_severity.memory_bytes() +
             t.depth_begin.capacity() * 4;
  for (const CounterLane& c : counters_) bytes += c.samples.capacity() * sizeof(CounterSample);
  bytes += flows_.capacity() * sizeof(FlowRecord) + periods_.capacity() * sizeof(PeriodRecord);
  bytes += args_text_.capacity() + args_end_.capacity() * sizeof(size_t);
  return bytes;
}

}  // namespace lurk::ui
