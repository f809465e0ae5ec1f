// ProfileModel::append: a model following a growing profile takes the rows
// that arrived since it was loaded, without reading the profile again
// (docs/live.md, "Following a profile as it grows").
//
// The result is the model load() makes of the grown file, because each step
// does what load() does, to the new rows only:
// - the bulk tables (packets, spans, instants, counters, flows, periods) are
//   read past the ids already read (a rowid range: the cost of the new rows);
//   each lane they land in gets its new rows sorted as load() sorts a lane
//   (stably, storage order kept for ties) and merged after its old ones: a
//   stable merge of two stably sorted runs is the stable sort of both, and
//   when the new rows come after the old ones, as they do while a stack runs,
//   the merge is a comparison and the lane's severity pyramid grows by the
//   new marks alone;
// - the small tables updated in place (sources, connections, threads) are
//   read again whole, as the follow delta sends them: their cost follows the
//   number of threads and connections, not of events;
// - times are relative to the same origin: new rows before it (or a model
//   that had no times) would move every time held, so append() says no and
//   the caller loads the profile whole; likewise new rows of a lane the
//   profile does not hold yet (load() would place them once it does), a
//   thread or connection whose place in the display order changed, or a
//   connection found to be another's (same_as: the flows drawn to its
//   packets would move).
// Args texts are numbered in the order they arrive (the texts are the same
// as load()'s; their indices may differ).
#include <algorithm>
#include <map>

#include "core/mark_style.h"
#include "core/profile_model.h"
#include "core/profile_model_rows.h"
#include "core/row_feed.h"
#include "net/time_arith.h"
#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

// Items [old_size, end) are new: sorted stably by `before`, then merged after
// the old ones. Returns true when the new items simply followed the old ones.
template <typename T, typename Before>
bool merge_tail(std::vector<T>& items, size_t old_size, Before before) {
  auto middle = items.begin() + ptrdiff_t(old_size);
  if (!std::is_sorted(middle, items.end(), before)) std::stable_sort(middle, items.end(), before);
  if (old_size == 0 || middle == items.end() || !before(*middle, *(middle - 1))) return true;
  std::inplace_merge(items.begin(), middle, items.end(), before);
  return false;
}

uint8_t packet_kind(const PacketMark& m) { return uint8_t(mark_kind(m.analysis, m.tcp_flags)); }
uint8_t instant_kind(const InstantRecord& r) {
  return uint8_t(r.kind == InstantKind::Exception ? MarkKind::Exception : MarkKind::Normal);
}

// A lane's pyramid after new items: grown by them, or rebuilt when they were
// merged in among the old ones.
template <typename T, typename KindOf>
void update_pyramid(SeverityPyramid& pyramid, const std::vector<T>& lane, size_t old_size,
                    bool appended, KindOf kind_of) {
  size_t from = appended ? old_size : 0;
  std::vector<uint8_t> kinds(lane.size() - from);
  for (size_t i = from; i < lane.size(); ++i) kinds[i - from] = kind_of(lane[i]);
  if (appended) pyramid.append(kinds);
  else pyramid.build(std::move(kinds));
}

bool span_before(const SpanRecord& a, const SpanRecord& b) {
  return a.depth != b.depth ? a.depth < b.depth : a.t0_ns < b.t0_ns;
}

// depth_begin of spans sorted by (depth, start): one binary search per depth.
void index_depths(ThreadLane& t) {
  size_t depths = t.spans.empty() ? 0 : size_t(t.spans.back().depth) + 1;
  t.depth_begin.assign(depths + 1, uint32_t(t.spans.size()));
  for (size_t d = 0; d < depths; ++d)
    t.depth_begin[d] = uint32_t(
        std::partition_point(t.spans.begin(), t.spans.end(),
                             [&](const SpanRecord& s) { return s.depth < d; }) -
        t.spans.begin());
}

// New rows naming a connection or thread the profile does not hold (yet):
// load() skips them too, but would place them once their lane exists, which
// appending past them could not; so their delta is loaded whole. Each count
// reads the new rows' range and looks the ids up.
bool rows_without_lane(Database& db, const char* table, const char* lane_column,
                       const char* lanes, int64_t after, int64_t upto) {
  if (upto <= after) return false;
  Statement rows = db.prepare(std::string("SELECT EXISTS (SELECT 1 FROM ") + table +
                              " WHERE id > ?1 AND id <= ?2 AND " + lane_column +
                              " IS NOT NULL AND " + lane_column + " NOT IN (SELECT id FROM " +
                              lanes + "))");
  rows.bind(1, after).bind(2, upto);
  return rows.step() && rows.column_int(0) != 0;
}

}  // namespace

bool ProfileModel::append(Database& db) {
  if (std::string problem = schema_problem(db); !problem.empty()) throw StorageError(problem);
  if (any_display_shift_ || timeless_) return false;
  ReadSnapshot snapshot(db);  // the ids noted are the last the bulk reads meet
  std::vector<SourceClock> sources = load_source_clocks(db);
  for (const SourceClock& s : sources)
    if (s.display_shift_ns != 0) return false;
  sources_ = std::move(sources);
  const LoadedIds before = loaded_;
  delta_ = AppendDelta();
  note_loaded_ids(db);
  if (new_rows_without_lane(db, before) || !append_strings(db)) return false;

  // New times are noted absolute, from nothing; they are checked against the
  // origin at the end (every time converted meanwhile uses the old origin).
  const int64_t origin = origin_ns_;
  const int64_t old_end = end_ns_;
  origin_ns_ = INT64_MAX;
  end_ns_ = INT64_MIN;
  if (!append_connections(db, origin) || !append_threads(db, origin)) return false;
  append_packets(db, before.packets, origin);
  append_thread_events(db, before, origin);
  append_counters(db, before.counters, origin);
  append_flows(db, before.flows, origin);
  append_periods(db, before.periods, origin);
  return finish_append(origin, old_end);
}

bool ProfileModel::new_rows_without_lane(Database& db, const LoadedIds& before) const {
  return rows_without_lane(db, "packets", "connection_id", "connections", before.packets, loaded_.packets) ||
         rows_without_lane(db, "spans", "thread_id", "threads", before.spans, loaded_.spans) ||
         rows_without_lane(db, "instants", "thread_id", "threads", before.instants, loaded_.instants) ||
         rows_without_lane(db, "counters", "thread_id", "threads", before.counters, loaded_.counters) ||
         rows_without_lane(db, "flows", "from_thread", "threads", before.flows, loaded_.flows) ||
         rows_without_lane(db, "flows", "to_thread", "threads", before.flows, loaded_.flows);
}

// Packets, into their connections' lanes; each lane's pyramid grown by its new marks.
void ProfileModel::append_packets(Database& db, int64_t after, int64_t origin) {
  std::vector<size_t> old_sizes(connections_.size() * 2);
  for (size_t i = 0; i < connections_.size(); ++i)
    for (int d = 0; d < 2; ++d) old_sizes[i * 2 + size_t(d)] = connections_[i].lanes[d].size();
  read_packet_rows(db, after);
  delta_.packets_merged.assign(old_sizes.size(), false);
  for (size_t i = 0; i < connections_.size(); ++i)
    for (int d = 0; d < 2; ++d) {
      std::vector<PacketMark>& lane = connections_[i].lanes[d].owned();
      size_t old_size = old_sizes[i * 2 + size_t(d)];
      if (lane.size() == old_size) continue;
      for (size_t k = old_size; k < lane.size(); ++k) {
        lane[k].t_ns = saturating_sub(lane[k].t_ns, origin);
        delta_.marks.emplace_back(lane[k].t_ns, packet_kind(lane[k]));
      }
      bool appended = merge_tail(lane, old_size, [](const PacketMark& a, const PacketMark& b) {
        return a.t_ns < b.t_ns;
      });
      delta_.packets_merged[i * 2 + size_t(d)] = !appended;
      update_pyramid(connections_[i].severity[d], lane, old_size, appended, packet_kind);
    }
  delta_.packets_before = std::move(old_sizes);
}

// Spans and instants, into their threads' lanes.
void ProfileModel::append_thread_events(Database& db, const LoadedIds& before, int64_t origin) {
  struct Sizes { size_t spans, running, instants; };
  std::vector<Sizes> old_sizes(threads_.size());
  for (size_t i = 0; i < threads_.size(); ++i)
    old_sizes[i] = {threads_[i].spans.size(), threads_[i].running.size(), threads_[i].instants.size()};
  read_span_rows(db, before.spans);
  read_instant_rows(db, before.instants);
  delta_.instants_merged.assign(threads_.size(), false);
  auto relative = [origin](int64_t& t) { t = saturating_sub(t, origin); };
  for (size_t i = 0; i < threads_.size(); ++i) {
    ThreadLane& t = threads_[i];
    const Sizes& old = old_sizes[i];
    if (t.spans.size() != old.spans) {
      for (size_t k = old.spans; k < t.spans.size(); ++k) {
        relative(t.spans[k].t0_ns), relative(t.spans[k].t1_ns);
        delta_.marks.emplace_back(t.spans[k].t0_ns, uint8_t(MarkKind::Normal));
      }
      merge_tail(t.spans.owned(), old.spans, span_before);
      index_depths(t);
    }
    if (t.running.size() != old.running) {
      for (size_t k = old.running; k < t.running.size(); ++k)
        relative(t.running[k].t0_ns), relative(t.running[k].t1_ns);
      merge_tail(t.running.owned(), old.running,
                 [](const SpanRecord& a, const SpanRecord& b) { return a.t0_ns < b.t0_ns; });
    }
    if (t.instants.size() != old.instants) {
      for (size_t k = old.instants; k < t.instants.size(); ++k) {
        relative(t.instants[k].t_ns);
        delta_.marks.emplace_back(t.instants[k].t_ns, instant_kind(t.instants[k]));
      }
      bool appended = merge_tail(t.instants.owned(), old.instants, [](const InstantRecord& a,
                                                              const InstantRecord& b) {
        return a.t_ns < b.t_ns;
      });
      delta_.instants_merged[i] = !appended;
      update_pyramid(t.instant_severity, t.instants.owned(), old.instants, appended, instant_kind);
    }
  }
  delta_.instants_before.resize(threads_.size());
  for (size_t i = 0; i < threads_.size(); ++i) delta_.instants_before[i] = old_sizes[i].instants;
}

void ProfileModel::append_flows(Database& db, int64_t after, int64_t origin) {
  size_t old_flows = flows_.size();
  read_flows(db, after);
  for (size_t k = old_flows; k < flows_.size(); ++k) {
    flows_[k].from_ns = saturating_sub(flows_[k].from_ns, origin);
    flows_[k].to_ns = saturating_sub(flows_[k].to_ns, origin);
  }
  merge_tail(flows_, old_flows,
             [](const FlowRecord& a, const FlowRecord& b) { return a.from_ns < b.from_ns; });
}

// Nothing new before the origin (else: false, load whole); the end is the
// latest time held; the groups follow the threads' and connections' new places.
bool ProfileModel::finish_append(int64_t origin, int64_t old_end) {
  const int64_t first_new = origin_ns_, last_new = end_ns_;
  origin_ns_ = origin;
  if (first_new <= last_new && first_new < origin) return false;
  end_ns_ = first_new <= last_new ? std::max(old_end, saturating_sub(last_new, origin)) : old_end;
  for (ThreadLane& t : threads_)
    if (!t.end_known) t.end_ns = end_ns_;
  build_groups();
  counts_.connections = int64_t(connections_.size());
  counts_.threads = int64_t(threads_.size());
  return true;
}

// New strings take the ids past the file's old ones; the flow kinds that
// followed those move after them (the flows naming them renumbered), as
// load() would have placed them.
bool ProfileModel::append_strings(Database& db) {
  const size_t old_end = file_strings_;
  const size_t new_end = size_t(std::max<int64_t>(loaded_.strings + 1, int64_t(old_end)));
  if (new_end == old_end) return true;
  int64_t rows = db.query_int("SELECT count(*) FROM strings");
  if (loaded_.strings > 4 * rows + 1024) return false;  // sparse ids: load() says why
  strings_.resize(old_end);
  strings_.resize(new_end);
  Statement strings = db.prepare("SELECT id, text FROM strings WHERE id >= ? AND id <= ?");
  strings.bind(1, int64_t(old_end)).bind(2, loaded_.strings);
  while (strings.step()) strings_[size_t(strings.column_int(0))] = strings.column_text(1);
  file_strings_ = new_end;
  if (flow_kinds_.empty()) return true;
  std::vector<uint32_t> moved(old_end + flow_kinds_.size(), 0);
  for (auto& [text, index] : flow_kinds_) {
    uint32_t now = uint32_t(strings_.size());
    strings_.push_back(text);
    moved[index] = now;
    index = now;
  }
  for (FlowRecord& f : flows_)
    if (f.kind >= old_end && f.kind < moved.size()) f.kind = moved[f.kind];
  return true;
}

// The connections read again: the known ones keep their place and lanes and
// take their new counts, state and times; new ones follow them.
bool ProfileModel::append_connections(Database& db, int64_t origin) {
  Statement rows = connection_rows(db);
  size_t index = 0;
  const size_t known = connections_.size();
  std::vector<std::pair<size_t, int64_t>> same_as;
  while (rows.step()) {
    ConnectionLanes c = connection_of(rows);
    c.first_ns = saturating_sub(c.first_ns, origin);
    c.last_ns = saturating_sub(c.last_ns, origin);
    int64_t same_as_id = rows.column_is_null(11) ? 0 : rows.column_int(11);
    if (index < known) {
      ConnectionLanes& old = connections_[index];
      if (old.id != c.id) return false;  // its place in the order changed
      int64_t old_same_as = old.same_as >= 0 ? connections_[size_t(old.same_as)].id : 0;
      if (same_as_id != old_same_as) return false;
      old.label = std::move(c.label);
      old.state = std::move(c.state);
      old.first_ns = c.first_ns;
      old.last_ns = c.last_ns;
      old.packets = c.packets;
      old.bytes = c.bytes;
    } else {
      if (same_as_id) same_as.emplace_back(index, same_as_id);
      connection_ids_.emplace_back(c.id, int32_t(index));
      connections_.push_back(std::move(c));
    }
    ++index;
  }
  if (index < known) return false;  // connections were deleted
  if (connections_.size() > known) std::sort(connection_ids_.begin(), connection_ids_.end());
  for (auto [i, id] : same_as) connections_[i].same_as = connection_index(id);
  return true;
}

// The threads read again, likewise (a thread that moved in the order: no). A
// thread the joiner put under a connection moves to that group: the groups
// and the connections' failed-thread counts are rebuilt from the threads.
bool ProfileModel::append_threads(Database& db, int64_t origin) {
  Statement rows = thread_rows(db);
  size_t index = 0;
  const size_t known = threads_.size();
  while (rows.step()) {
    ThreadLane t = thread_of(rows);
    t.start_ns = t.start_known ? saturating_sub(t.start_ns, origin) : 0;
    if (t.end_known) t.end_ns = saturating_sub(t.end_ns, origin);  // open: the end, later
    if (index < known) {
      ThreadLane& old = threads_[index];
      if (old.id != t.id) return false;
      old.connection = t.connection;
      old.name = t.name;
      old.kind = std::move(t.kind);
      old.parent_id = t.parent_id;
      old.became_id = t.became_id;
      old.start_known = t.start_known;
      old.end_known = t.end_known;
      old.start_ns = t.start_ns;
      old.end_ns = t.end_ns;
      old.failed = t.failed;
      old.exception = t.exception;
    } else {
      t.depth_begin.assign(1, 0);  // no spans yet, as load() indexes an empty lane
      thread_ids_.emplace_back(t.id, int32_t(index));
      threads_.push_back(std::move(t));
    }
    ++index;
  }
  if (index < known) return false;  // threads were deleted
  if (threads_.size() > known) std::sort(thread_ids_.begin(), thread_ids_.end());
  link_threads();
  return true;
}

// New samples into their lanes; a new (name, thread) takes its place in the
// lanes' key order, as load()'s map gives it.
void ProfileModel::append_counters(Database& db, int64_t after, int64_t origin) {
  CounterRows lanes;
  read_counter_rows(db, after, lanes);
  for (auto& [key, samples] : lanes) {
    for (CounterSample& s : samples) s.t_ns = saturating_sub(s.t_ns, origin);
    auto at = std::lower_bound(counter_keys_.begin(), counter_keys_.end(), key);
    size_t index = size_t(at - counter_keys_.begin());
    if (at == counter_keys_.end() || *at != key) {
      CounterLane c;
      c.name = uint32_t(key.first);
      c.thread = key.second > 0 ? thread_index(key.second) : -1;
      c.min = c.max = samples.front().value;
      counter_keys_.insert(at, key);
      counters_.insert(counters_.begin() + ptrdiff_t(index), std::move(c));
    }
    CounterLane& c = counters_[index];
    size_t old_size = c.samples.size();
    c.samples.owned().insert(c.samples.owned().end(), samples.begin(), samples.end());
    merge_tail(c.samples.owned(), old_size,
               [](const CounterSample& a, const CounterSample& b) { return a.t_ns < b.t_ns; });
    for (const CounterSample& s : samples) {
      c.min = std::min(c.min, s.value);
      c.max = std::max(c.max, s.value);
    }
  }
}

// New GC and idle periods, each into its kind's run by start.
void ProfileModel::append_periods(Database& db, int64_t after, int64_t origin) {
  Statement periods = db.prepare(rows::kPeriods);
  periods.bind(1, after).bind(2, loaded_.periods);
  while (periods.step()) {
    PeriodRecord p;
    p.kind = periods.column_int(0) ? PeriodKind::Idle : PeriodKind::Gc;
    p.t0_ns = periods.column_int(1);
    p.t1_ns = std::max(p.t0_ns, periods.column_int(2));
    note_time(p.t0_ns);
    note_time(p.t1_ns);
    p.t0_ns = saturating_sub(p.t0_ns, origin);
    p.t1_ns = saturating_sub(p.t1_ns, origin);
    auto first = periods_.begin() + (p.kind == PeriodKind::Gc ? 0 : ptrdiff_t(periods_split_));
    auto last = p.kind == PeriodKind::Gc ? periods_.begin() + ptrdiff_t(periods_split_) : periods_.end();
    auto at = std::upper_bound(first, last, p, [](const PeriodRecord& a, const PeriodRecord& b) {
      return a.t0_ns < b.t0_ns;
    });
    periods_.insert(at, p);
    if (p.kind == PeriodKind::Gc) ++periods_split_;
  }
}

}  // namespace lurk::ui
