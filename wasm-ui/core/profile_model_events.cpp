// The bulk tables of ProfileModel::load (packets, spans, instants, counters,
// flows): each read once in storage order, with only the columns the lanes
// hold, into the lanes directly. Rows of one lane usually come together and
// in time order, so the lane lookup caches the last id and a lane is sorted
// only when it arrived out of order. Times stay absolute until shift_times().
#include <algorithm>
#include <map>
#include <utility>

#include "core/lane_order.h"
#include "core/mark_style.h"
#include "core/profile_model.h"
#include "core/profile_model_rows.h"
#include "core/row_feed.h"
#include "net/analysis_flags.h"
#include "net/time_arith.h"
#include "storage/span_depth.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

// An (id, index) table sorted by id, with the last answer cached.
class IdLookup {
 public:
  explicit IdLookup(const std::vector<std::pair<int64_t, int32_t>>& table) : table_(table) {}
  int32_t operator()(int64_t id) {
    if (id == last_id_) return last_;
    auto it = std::lower_bound(table_.begin(), table_.end(), std::make_pair(id, INT32_MIN));
    last_id_ = id;
    last_ = it != table_.end() && it->first == id ? it->second : -1;
    return last_;
  }

 private:
  const std::vector<std::pair<int64_t, int32_t>>& table_;
  int64_t last_id_ = INT64_MIN;
  int32_t last_ = -1;
};

}  // namespace

void ProfileModel::load_packets(Database& db) {
  read_packet_rows(db, 0);
  for (ConnectionLanes& c : connections_) {
    for (int dir = 0; dir < 2; ++dir) {
      std::vector<PacketMark>& lane = c.lanes[dir].owned();
      sort_by_time(lane, [](const PacketMark& m) { return m.t_ns; });
      lane.shrink_to_fit();  // a no-op when the connection's counts were right
      std::vector<uint8_t> kinds(lane.size());
      for (size_t i = 0; i < kinds.size(); ++i)
        kinds[i] = uint8_t(mark_kind(lane[i].analysis, lane[i].tcp_flags));
      c.severity[dir].build(std::move(kinds));
    }
  }
}

void ProfileModel::read_packet_rows(Database& db, int64_t after) {
  last_connection_id_ = INT64_MIN;
  feed_rows(db, rows::kPackets, after, this, packet_row);
}

// The row functions below are called from inside SQLite (row_feed.h): they
// hold no objects with destructors and call nothing that throws.
bool ProfileModel::packet_row(void* target, RowValues row) {
  auto& model = *static_cast<ProfileModel*>(target);
  // Rows of one lane usually come together: the last lookup is cached.
  if (int64_t id = row.integer(0); id != model.last_connection_id_) {
    model.last_connection_id_ = id;
    model.last_connection_ = model.connection_index(id);
  }
  if (model.last_connection_ < 0) return true;
  PacketMark mark;
  mark.t_ns = row.integer(2);
  mark.analysis = static_cast<uint32_t>(row.integer(3));
  mark.payload_len = static_cast<uint32_t>(row.integer(4));
  mark.frame = static_cast<uint32_t>(row.integer(5));
  mark.tcp_flags = static_cast<uint8_t>(row.integer(6));
  ConnectionLanes& c = model.connections_[size_t(model.last_connection_)];
  if (mark.analysis & (kRetransmission | kFastRetransmission | kSpuriousRetransmission))
    ++c.retransmissions;
  if (mark.analysis & kDuplicateAck) ++c.dup_acks;
  std::vector<PacketMark>& lane = c.lanes[row.integer(1) ? 1 : 0].owned();
  if (!room_for(lane, 1)) return false;
  lane.push_back(mark);
  ++model.counts_.packets;
  return true;
}

void ProfileModel::load_spans(Database& db) {
  read_span_rows(db, 0);
  for (ThreadLane& t : threads_) {
    order_spans(t);
    t.spans.shrink_to_fit();
    t.running.shrink_to_fit();
  }
}

void ProfileModel::read_span_rows(Database& db, int64_t after) {
  last_thread_id_ = INT64_MIN;
  feed_rows(db, rows::kSpans, after, this, span_row);
}

int32_t ProfileModel::cached_thread_index(int64_t id) {
  if (id != last_thread_id_) {
    last_thread_id_ = id;
    last_thread_ = thread_index(id);
  }
  return last_thread_;
}

bool ProfileModel::span_row(void* target, RowValues row) {
  auto& model = *static_cast<ProfileModel*>(target);
  ++model.counts_.events;
  SpanRecord s;
  s.t0_ns = row.integer(1);
  const int64_t end = row.integer(2);
  s.t1_ns = std::max(s.t0_ns, end);
  model.note_time(s.t0_ns);
  model.note_time(end);
  int32_t index = model.cached_thread_index(row.integer(0));
  if (index < 0) return true;
  s.depth = uint16_t(clamped_span_depth(row.integer(3)));
  std::string_view kind = row.text(4);
  s.kind = kind == "running" ? SpanKind::Running : kind == "async" ? SpanKind::Async : SpanKind::Span;
  s.name = uint32_t(row.integer(5));
  if (!row.null(6) && !model.add_args(row.text(6), s.args)) return false;
  ThreadLane& t = model.threads_[size_t(index)];
  std::vector<SpanRecord>& lane = (s.kind == SpanKind::Running ? t.running : t.spans).owned();
  if (!room_for(lane, 1)) return false;
  lane.push_back(s);
  return true;
}

void ProfileModel::load_instants(Database& db) {
  read_instant_rows(db, 0);
  for (ThreadLane& t : threads_) {
    sort_by_time(t.instants.owned(), [](const InstantRecord& r) { return r.t_ns; });
    t.instants.shrink_to_fit();
    std::vector<uint8_t> kinds(t.instants.size());
    for (size_t i = 0; i < kinds.size(); ++i)
      kinds[i] = uint8_t(t.instants[i].kind == InstantKind::Exception ? MarkKind::Exception
                                                                        : MarkKind::Normal);
    t.instant_severity.build(std::move(kinds));
  }
  args_text_.shrink_to_fit();
  args_end_.shrink_to_fit();
}

void ProfileModel::read_instant_rows(Database& db, int64_t after) {
  last_thread_id_ = INT64_MIN;
  feed_rows(db, rows::kInstants, after, this, instant_row);
}

namespace {

InstantKind instant_kind_of(std::string_view kind) {
  if (kind == "label") return InstantKind::Label;
  if (kind == "log") return InstantKind::Log;
  if (kind == "exception") return InstantKind::Exception;
  return InstantKind::Instant;
}

}  // namespace

bool ProfileModel::instant_row(void* target, RowValues row) {
  auto& model = *static_cast<ProfileModel*>(target);
  ++model.counts_.events;
  InstantRecord r;
  r.t_ns = row.integer(1);
  model.note_time(r.t_ns);
  if (row.null(0)) return true;  // global instants have no lane
  int32_t index = model.cached_thread_index(row.integer(0));
  if (index < 0) return true;
  r.kind = instant_kind_of(row.text(2));
  r.name = uint32_t(row.integer(3));
  if (!row.null(4) && !model.add_args(row.text(4), r.args)) return false;
  std::vector<InstantRecord>& lane = model.threads_[size_t(index)].instants.owned();
  if (!room_for(lane, 1)) return false;
  lane.push_back(r);
  return true;
}

void ProfileModel::load_counters(Database& db) {
  // One lane per (name, thread), in that order.
  CounterRows lanes;
  read_counter_rows(db, 0, lanes);
  IdLookup thread(thread_ids_);
  for (auto& [key, samples] : lanes) {
    CounterLane c;
    c.name = uint32_t(key.first);
    c.key = key.second;
    c.thread = key.second > 0 ? thread(key.second) : -1;
    c.display_shift_ns = c.thread >= 0 ? threads_[size_t(c.thread)].display_shift_ns
                                       : display_shift_of(-key.second);
    sort_by_time(samples, [](const CounterSample& s) { return s.t_ns; });
    samples.shrink_to_fit();
    c.samples = std::move(samples);
    c.min = c.max = c.samples.empty() ? 0 : c.samples.front().value;
    for (const CounterSample& s : c.samples) {
      c.min = std::min(c.min, s.value);
      c.max = std::max(c.max, s.value);
    }
    counters_.push_back(std::move(c));
    counter_keys_.push_back(key);
  }
}

// The counter rows' feed: the lanes by key, and the last key's lane.
struct ProfileModel::CounterFeed {
  ProfileModel* model;
  CounterRows* lanes;
  std::pair<int64_t, int64_t> last_key{-1, -1};
  std::vector<CounterSample>* lane = nullptr;
};

namespace {

// The lane of a key new to the run (its map node allocated: may fail).
[[gnu::noinline]] std::vector<CounterSample>* counter_lane(
    std::map<std::pair<int64_t, int64_t>, std::vector<CounterSample>>& lanes,
    std::pair<int64_t, int64_t> key) {
  try {
    return &lanes[key];
  } catch (...) {
    return nullptr;
  }
}

}  // namespace

void ProfileModel::read_counter_rows(Database& db, int64_t after, CounterRows& lanes) {
  CounterFeed feed{this, &lanes};
  feed_rows(db, rows::kCounters, after, &feed, counter_row);
}

bool ProfileModel::counter_row(void* target, RowValues row) {
  auto& feed = *static_cast<CounterFeed*>(target);
  ++feed.model->counts_.events;
  // The lane key: (name, thread id), or (name, minus the source id) for a
  // global counter.
  std::pair<int64_t, int64_t> key{row.integer(0), row.null(1) ? -row.integer(2) : row.integer(1)};
  if (!feed.lane || key != feed.last_key) {
    feed.lane = counter_lane(*feed.lanes, key);
    if (!feed.lane) return false;
  }
  feed.last_key = key;
  if (!room_for(*feed.lane, 1)) return false;
  feed.lane->push_back({row.integer(3), row.real(4)});
  feed.model->note_time(feed.lane->back().t_ns);
  return true;
}

void ProfileModel::load_flows(Database& db) {
  read_flows(db, 0);
  sort_by_time(flows_, [](const FlowRecord& f) { return f.from_ns; });
  flows_.shrink_to_fit();
}

// Flow kinds are not interned in the file; there are few of them, kept after
// the file's strings.
uint32_t ProfileModel::flow_kind(const std::string& kind) {
  for (const auto& [text, index] : flow_kinds_)
    if (text == kind) return index;
  flow_kinds_.emplace_back(kind, uint32_t(strings_.size()));
  strings_.push_back(kind);
  return flow_kinds_.back().second;
}

// Appends the flows with id > `after` (up to the noted id) to flows_, unsorted,
// with absolute times.
void ProfileModel::read_flows(Database& db, int64_t after) {
  Statement flows = db.prepare(rows::kFlows);
  flows.bind(1, after).bind(2, loaded_.flows);
  IdLookup from(thread_ids_), to(thread_ids_);
  while (flows.step()) {
    ++counts_.events;
    FlowRecord f;
    f.kind = flow_kind(flows.column_text(0));
    f.from_thread = flows.column_is_null(1) ? -1 : from(flows.column_int(1));
    f.to_thread = flows.column_is_null(3) ? -1 : to(flows.column_int(3));
    f.from_ns = flows.column_int(2);
    f.to_ns = flows.column_int(4);
    if (!flows.column_is_null(5)) {  // a thread's segment and its packet (tcp-send / tcp-receive)
      int32_t connection = connection_index(flows.column_int(5));
      // A packet's direction is 0 (A to B) or 1; any other value (a damaged
      // or hostile profile) names no lane: the flow is kept without its packet end.
      int64_t dir_value = flows.column_int(6);
      if (dir_value != 0 && dir_value != 1) connection = -1;
      int32_t dir = int32_t(dir_value);
      if (connection >= 0 && connections_[size_t(connection)].same_as >= 0) {
        // The trace's copy of a captured connection: the capture's lane, whose
        // A side may be the trace's B side.
        const ConnectionLanes& copy = connections_[size_t(connection)];
        connection = copy.same_as;
        const ConnectionLanes& wire = connections_[size_t(connection)];
        if (wire.addr_a != copy.addr_a || wire.port_a != copy.port_a) dir = 1 - dir;
      }
      if (connection >= 0) f.packet_lane = connection * 2 + dir;
    }
    flows_.push_back(f);
  }
}

void ProfileModel::shift_times() {
  // Relative times keep doubles exact; an empty profile starts and ends at 0.
  // A hostile profile may hold times at both ends of int64_t: every shift
  // saturates (net/time_arith.h) rather than overflow, so such a time is
  // drawn at the far end instead of being undefined behaviour.
  timeless_ = origin_ns_ > end_ns_;
  if (timeless_) origin_ns_ = end_ns_ = 0;
  const int64_t origin = origin_ns_;
  end_ns_ = saturating_sub(end_ns_, origin);
  auto shift = [](int64_t& t, int64_t o) { t = saturating_sub(t, o); };
  // Each lane by its source's display shift (source_clocks.h; 0 for most).
  for (ConnectionLanes& c : connections_) {
    const int64_t o = saturating_sub(origin, c.display_shift_ns);
    shift(c.first_ns, o);
    shift(c.last_ns, o);
    for (auto& lane : c.lanes)
      for (PacketMark& m : lane) shift(m.t_ns, o);
  }
  for (FlowRecord& f : flows_) {
    int32_t lane = f.from_thread >= 0 ? f.from_thread : f.to_thread;
    const int64_t o =
        saturating_sub(origin, lane >= 0 ? threads_[size_t(lane)].display_shift_ns : 0);
    shift(f.from_ns, o);
    shift(f.to_ns, o);
  }
  for (ThreadLane& t : threads_) {
    const int64_t o = saturating_sub(origin, t.display_shift_ns);
    t.start_ns = t.start_known ? saturating_sub(t.start_ns, o) : 0;
    t.end_ns = t.end_known ? saturating_sub(t.end_ns, o) : end_ns_;
    for (SpanRecord& s : t.spans) shift(s.t0_ns, o), shift(s.t1_ns, o);
    for (SpanRecord& s : t.running) shift(s.t0_ns, o), shift(s.t1_ns, o);
    for (InstantRecord& r : t.instants) shift(r.t_ns, o);
  }
  for (CounterLane& c : counters_)
    for (CounterSample& s : c.samples) shift(s.t_ns, saturating_sub(origin, c.display_shift_ns));
  for (PeriodRecord& p : periods_) shift(p.t0_ns, origin), shift(p.t1_ns, origin);
  if (any_display_shift_) sort_by_time(flows_, [](const FlowRecord& f) { return f.from_ns; });
}

}  // namespace lurk::ui
