// A lazy ProfileModel's lanes (profile_model.h, load_outline), read one at a
// time through the per-lane indexes (packets_by_lane, spans_by_lane,
// instants_by_lane, counters_by_lane) and dropped again. An index walk gives
// a lane's rows by (time, id), which is what the whole load's stable sort of
// storage order gives, so a lane read here equals the lane load() makes.
#include <algorithm>
#include <cmath>
#include <new>

#include "core/lane_order.h"
#include "core/mark_merging.h"
#include "core/mark_style.h"
#include "core/profile_model.h"
#include "net/analysis_flags.h"
#include "net/time_arith.h"
#include "storage/span_depth.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

template <typename T>
void release(LaneArray<T>& lane) {
  lane.release();
}

// count(*) of a lane's rows, its key and last id bound in order (the
// per-lane indexes cover these counts: no table row is read).
template <typename... Keys>
int64_t lane_count(Database& db, const char* sql, Keys... keys) {
  Statement count = db.prepare(sql);
  int i = 0;
  (count.bind(++i, int64_t(keys)), ...);
  return count.step() ? std::max<int64_t>(0, count.column_int(0)) : 0;
}

// A thread lane's rows in load()'s storage order (by time, then id) through
// its index, up to the last row id read (bound 1: the thread, 2: that id):
// every read of a thread's lane goes through these two.
std::string thread_spans_query(const std::string& columns) {
  return "SELECT " + columns + " FROM spans WHERE thread_id = ? AND id <= ? ORDER BY start_ns, id";
}
std::string thread_instants_query(const std::string& columns) {
  return "SELECT " + columns + " FROM instants WHERE thread_id = ? AND id <= ? ORDER BY ts_ns, id";
}

template <typename TimeAt>
bool any_in(size_t n, double t0, double t1, TimeAt time_at) {
  size_t i = lod_detail::first_at_or_after(n, t0, time_at);
  return i < n && double(time_at(i)) <= t1;
}

}  // namespace

size_t ProfileModel::load_connection_lanes(Database& db, uint32_t index) {
  if (connections_[index].lanes_loaded) return 0;
  LaneArray<PacketMark> lanes[2];
  read_connection_lanes(db, index, lanes);
  return adopt_connection_lanes(index, std::move(lanes[0]), std::move(lanes[1]));
}

void ProfileModel::read_connection_lanes(Database& db, uint32_t index, LaneArray<PacketMark> (&lanes)[2]) const {
  const ConnectionLanes& c = connections_[index];
  Statement rows = db.prepare(
      "SELECT dir, ts_ns, analysis, payload_len, frame, tcp_flags FROM packets "
      "WHERE connection_id = ? AND id <= ? ORDER BY ts_ns, id");
  rows.bind(1, c.id).bind(2, last_ids_.packets);
  const int64_t o = saturating_sub(origin_ns_, c.display_shift_ns);
  for (int dir = 0; dir < 2; ++dir) lanes[dir].clear();
  while (rows.step()) {
    PacketMark mark;
    mark.t_ns = saturating_sub(rows.column_int(1), o);
    mark.analysis = static_cast<uint32_t>(rows.column_int(2));
    mark.payload_len = static_cast<uint32_t>(rows.column_int(3));
    mark.frame = static_cast<uint32_t>(rows.column_int(4));
    mark.tcp_flags = static_cast<uint8_t>(rows.column_int(5));
    lanes[rows.column_int(0) ? 1 : 0].push_back(mark);
  }
  for (int dir = 0; dir < 2; ++dir) lanes[dir].shrink_to_fit();
}

size_t ProfileModel::adopt_connection_lanes(uint32_t index, LaneArray<PacketMark> a_to_b,
                                            LaneArray<PacketMark> b_to_a) {
  ConnectionLanes& c = connections_[index];
  c.lanes[0] = std::move(a_to_b);
  c.lanes[1] = std::move(b_to_a);
  c.retransmissions = c.dup_acks = 0;
  for (int dir = 0; dir < 2; ++dir) {
    const LaneArray<PacketMark>& lane = c.lanes[dir];
    std::vector<uint8_t> kinds(lane.size());
    for (size_t i = 0; i < kinds.size(); ++i) {
      const PacketMark& mark = lane[i];
      if (mark.analysis & (kRetransmission | kFastRetransmission | kSpuriousRetransmission))
        ++c.retransmissions;
      if (mark.analysis & kDuplicateAck) ++c.dup_acks;
      kinds[i] = uint8_t(mark_kind(mark.analysis, mark.tcp_flags));
    }
    c.severity[dir].build(std::move(kinds));
  }
  c.lanes_loaded = true;
  return connection_lane_bytes(index);
}

size_t ProfileModel::adopt_connection_lanes(uint32_t index, LaneArray<PacketMark> a_to_b,
                                            LaneArray<PacketMark> b_to_a, SeverityPyramid severity[2],
                                            int64_t retransmissions, int64_t dup_acks) {
  if (severity[0].size() != a_to_b.size() || severity[1].size() != b_to_a.size())
    return adopt_connection_lanes(index, std::move(a_to_b), std::move(b_to_a));
  ConnectionLanes& c = connections_[index];
  c.lanes[0] = std::move(a_to_b);
  c.lanes[1] = std::move(b_to_a);
  c.severity[0] = std::move(severity[0]);
  c.severity[1] = std::move(severity[1]);
  c.retransmissions = retransmissions;
  c.dup_acks = dup_acks;
  c.lanes_loaded = true;
  return connection_lane_bytes(index);
}

size_t ProfileModel::load_thread_events(Database& db, uint32_t index) {
  if (threads_[index].events_loaded) return 0;
  ThreadLane read;
  read_thread_events(db, index, read);
  return adopt_thread_events(index, std::move(read.spans), std::move(read.depth_begin), std::move(read.running),
                             std::move(read.instants));
}

void ProfileModel::read_thread_events(Database& db, uint32_t index, ThreadLane& out) const {
  out.id = threads_[index].id;
  out.display_shift_ns = threads_[index].display_shift_ns;
  read_thread_rows_into(db, out, nullptr);
}

ProfileModel::ArgsMatchBits ProfileModel::match_thread_args(Database& db, uint32_t index, const ArgsMatcher& matches,
                                                            const std::function<void(uint64_t)>& progress) const {
  const ThreadLane& lane = threads_[index];
  const int64_t o = saturating_sub(origin_ns_, lane.display_shift_ns);
  ArgsMatchBits out;
  uint64_t read = 0, told = 0;  // spans and instants read, and told to `progress`
  auto note_read = [&] {
    if (++read - told == 65536) progress(read - told), told = read;
  };
  auto is_match = [&](Statement& rows, int column) {
    return !rows.column_is_null(column) && matches(rows.column_text(column));
  };
  // A depth's spans come in start order from the index walk, which is the
  // order order_spans() leaves them in when its stable sort has nothing to
  // move: so each depth's bits are appended as read, and the depths joined.
  std::vector<std::vector<bool>> by_depth;
  std::vector<int64_t> last_start;
  bool in_order = true;
  Statement spans = db.prepare(thread_spans_query("start_ns, depth, kind = 'running', args_json"));
  spans.bind(1, lane.id).bind(2, last_ids_.spans);
  while (spans.step()) {
    if (spans.column_int(2)) continue;  // a running period: not searched (nor counted)
    size_t depth = size_t(clamped_span_depth(spans.column_int(1)));
    int64_t t0 = saturating_sub(spans.column_int(0), o);
    if (depth >= by_depth.size()) by_depth.resize(depth + 1), last_start.resize(depth + 1, INT64_MIN);
    if (t0 < last_start[depth]) {
      in_order = false;
      break;
    }
    last_start[depth] = t0;
    by_depth[depth].push_back(is_match(spans, 3));
    note_read();
  }
  if (in_order) {
    for (const std::vector<bool>& bits : by_depth) out.spans.insert(out.spans.end(), bits.begin(), bits.end());
    by_depth.clear();
    Statement instants = db.prepare(thread_instants_query("args_json"));
    instants.bind(1, lane.id).bind(2, last_ids_.instants);
    while (instants.step()) {
      out.instants.push_back(is_match(instants, 0));
      note_read();
    }
  } else {
    ThreadLane whole;
    whole.id = lane.id;
    whole.display_shift_ns = lane.display_shift_ns;
    ArgsSink mark = [&](std::string_view json, uint32_t& args) {
      args = matches(json);
      return true;
    };
    read_thread_rows_into(db, whole, &mark);
    out.spans.assign(whole.spans.size(), false);
    for (size_t i = 0; i < whole.spans.size(); ++i) out.spans[i] = whole.spans[i].args != 0;
    out.instants.assign(whole.instants.size(), false);
    for (size_t i = 0; i < whole.instants.size(); ++i) out.instants[i] = whole.instants[i].args != 0;
    read = out.spans.size() + out.instants.size();
  }
  if (read > told) progress(read - told);
  return out;
}

std::string ProfileModel::read_item_args(Database& db, const ItemRef& item) const {
  if (item.lane >= threads_.size()) return "";
  const ThreadLane& t = threads_[item.lane];
  const int64_t o = saturating_sub(origin_ns_, t.display_shift_ns);
  // A time that saturated when made relative (a hostile profile's times at
  // both ends of int64) does not say its row's: the lane read again whole
  // with its args (as load_thread_args does), the item's taken.
  auto saturated = [&](int64_t relative) {
    int64_t stored = saturating_add(relative, o);
    return relative == INT64_MIN || relative == INT64_MAX || stored == INT64_MIN || stored == INT64_MAX ||
           saturating_sub(stored, o) != relative;
  };
  auto from_whole_lane = [&]() -> std::string {
    ThreadLane read;
    read.id = t.id;
    read.display_shift_ns = t.display_shift_ns;
    std::vector<std::string> texts(1);  // index 0: none
    ArgsSink keep = [&](std::string_view json, uint32_t& index) {
      index = json.empty() || json == "{}" ? 0 : uint32_t(texts.size());
      if (index) texts.emplace_back(json);
      return true;
    };
    read_thread_rows_into(db, read, &keep);
    if (item.kind == ItemKind::Instant)
      return item.index < read.instants.size() ? texts[read.instants[item.index].args] : std::string();
    const LaneArray<SpanRecord>& spans = item.kind == ItemKind::Running ? read.running : read.spans;
    return item.index < spans.size() ? texts[spans[item.index].args] : std::string();
  };
  auto rank_at_time = [](const auto* first, const auto* at, auto time_of) {
    // Items of one time are in row-id order within their sorted run (load()'s stable order).
    const auto* begin = std::lower_bound(first, at, time_of(*at),
                                         [&](const auto& r, int64_t v) { return time_of(r) < v; });
    return int64_t(at - begin);
  };
  auto args_of = [](Statement& rows) {
    std::string text = rows.column_is_null(0) ? std::string() : std::string(rows.column_text(0));
    return text == "{}" ? std::string() : text;
  };
  if (item.kind == ItemKind::Instant) {
    if (item.index >= t.instants.size()) return "";
    const InstantRecord* rec = t.instants.data() + item.index;
    if (saturated(rec->t_ns)) return from_whole_lane();
    int64_t k = rank_at_time(t.instants.data(), rec, [](const InstantRecord& r) { return r.t_ns; });
    Statement rows = db.prepare("SELECT args_json FROM instants WHERE thread_id = ? AND ts_ns = ? AND id <= ? "
                                "ORDER BY id LIMIT 1 OFFSET ?");
    rows.bind(1, t.id).bind(2, saturating_add(rec->t_ns, o)).bind(3, last_ids_.instants).bind(4, k);
    return rows.step() ? args_of(rows) : "";
  }
  if (item.kind != ItemKind::Span && item.kind != ItemKind::Running) return "";
  const bool running = item.kind == ItemKind::Running;
  const LaneArray<SpanRecord>& lane = running ? t.running : t.spans;
  if (item.index >= lane.size()) return "";
  const SpanRecord* rec = lane.data() + item.index;
  if (saturated(rec->t0_ns)) return from_whole_lane();
  // A span's sorted run is its depth's (depth_begin); running periods are one run.
  size_t run_begin = 0;
  if (!running)
    for (size_t d = 0; d + 1 < t.depth_begin.size(); ++d)
      if (item.index >= t.depth_begin[d] && item.index < t.depth_begin[d + 1]) run_begin = t.depth_begin[d];
  int64_t k = rank_at_time(lane.data() + run_begin, rec, [](const SpanRecord& r) { return r.t0_ns; });
  Statement rows = db.prepare("SELECT args_json, depth FROM spans WHERE thread_id = ? AND start_ns = ? AND id <= ? "
                              "AND (kind = 'running') = ? ORDER BY id");
  rows.bind(1, t.id).bind(2, saturating_add(rec->t0_ns, o)).bind(3, last_ids_.spans).bind(4, int64_t(running));
  while (rows.step()) {
    if (!running && clamped_span_depth(rows.column_int(1)) != rec->depth) continue;
    if (k-- == 0) return args_of(rows);
  }
  return "";
}

void ProfileModel::read_thread_rows(Database& db, ThreadLane& t, bool with_args) {
  ArgsSink keep_args = [this](std::string_view json, uint32_t& index) { return add_args(json, index); };
  read_thread_rows_into(db, t, with_args ? &keep_args : nullptr);
}

void ProfileModel::read_thread_rows_into(Database& db, ThreadLane& t, const ArgsSink* args) const {
  const bool with_args = args != nullptr;
  const int64_t o = saturating_sub(origin_ns_, t.display_shift_ns);
  Statement spans = db.prepare(thread_spans_query(
      std::string("start_ns, end_ns, depth, CASE kind WHEN 'running' THEN 1 WHEN 'async' THEN 2 ELSE 0 END, "
                  "coalesce(name, 0)") +
      (with_args ? ", args_json" : ", NULL")));
  spans.bind(1, t.id).bind(2, last_ids_.spans);
  t.spans.clear();
  t.running.clear();
  t.instants.clear();
  // Sized once from the lane's count (a walk of the covering index): grown
  // by push_back, each lane was copied and faulted in about twice more.
  t.spans.reserve(size_t(lane_count(db, "SELECT count(*) FROM spans WHERE thread_id = ?1 AND id <= ?2", t.id,
                                    last_ids_.spans)));
  while (spans.step()) {
    SpanRecord s;
    int64_t t0 = spans.column_int(0);
    s.t0_ns = saturating_sub(t0, o);
    s.t1_ns = saturating_sub(std::max(t0, spans.column_int(1)), o);
    s.depth = uint16_t(clamped_span_depth(spans.column_int(2)));
    s.kind = SpanKind(spans.column_int(3));
    s.name = uint32_t(spans.column_int(4));
    if (!spans.column_is_null(5) && !(*args)(spans.column_text(5), s.args)) throw std::bad_alloc();
    (s.kind == SpanKind::Running ? t.running : t.spans).push_back(s);
  }
  order_spans(t);
  t.spans.shrink_to_fit();
  t.running.shrink_to_fit();
  Statement instants = db.prepare(thread_instants_query(
      std::string("ts_ns, CASE kind WHEN 'label' THEN 1 WHEN 'log' THEN 2 WHEN 'exception' THEN 3 ELSE 0 END, "
                  "coalesce(name, 0)") +
      (with_args ? ", args_json" : ", NULL")));
  instants.bind(1, t.id).bind(2, last_ids_.instants);
  t.instants.reserve(size_t(lane_count(db, "SELECT count(*) FROM instants WHERE thread_id = ?1 AND id <= ?2", t.id,
                                       last_ids_.instants)));
  while (instants.step()) {
    InstantRecord r;
    r.t_ns = saturating_sub(instants.column_int(0), o);
    r.kind = InstantKind(instants.column_int(1));
    r.name = uint32_t(instants.column_int(2));
    if (!instants.column_is_null(3) && !(*args)(instants.column_text(3), r.args)) throw std::bad_alloc();
    t.instants.push_back(r);
  }
  t.instants.shrink_to_fit();
}

// The lane is read again whole (the same rows in the same order give the
// same items), its args kept this time; its severity pyramid stays.
size_t ProfileModel::load_thread_args(Database& db, uint32_t index) {
  ThreadLane& t = threads_[index];
  if (t.args_loaded || !t.events_loaded) return 0;
  ThreadLane read;
  read.id = t.id;
  read.display_shift_ns = t.display_shift_ns;
  read_thread_rows(db, read, true);
  if (read.spans.size() != t.spans.size() || read.running.size() != t.running.size() ||
      read.instants.size() != t.instants.size())
    throw StorageError("thread " + std::to_string(t.id) + ": its rows changed since its lanes were read");
  t.spans = std::move(read.spans);
  t.running = std::move(read.running);
  t.instants = std::move(read.instants);
  t.args_loaded = true;
  return thread_event_bytes(index);
}

void ProfileModel::load_all_args(Database& db) {
  for (uint32_t t = 0; t < threads_.size(); ++t) load_thread_args(db, t);
}

size_t ProfileModel::adopt_thread_events(uint32_t index, LaneArray<SpanRecord> spans,
                                         std::vector<uint32_t> depth_begin, LaneArray<SpanRecord> running,
                                         LaneArray<InstantRecord> instants) {
  ThreadLane& t = threads_[index];
  t.spans = std::move(spans);
  t.depth_begin = std::move(depth_begin);
  t.running = std::move(running);
  t.instants = std::move(instants);
  std::vector<uint8_t> kinds(t.instants.size());
  for (size_t i = 0; i < kinds.size(); ++i)
    kinds[i] = uint8_t(t.instants[i].kind == InstantKind::Exception ? MarkKind::Exception : MarkKind::Normal);
  t.instant_severity.build(std::move(kinds));
  t.events_loaded = true;
  return thread_event_bytes(index);
}

size_t ProfileModel::adopt_thread_events(uint32_t index, LaneArray<SpanRecord> spans,
                                         std::vector<uint32_t> depth_begin, LaneArray<SpanRecord> running,
                                         LaneArray<InstantRecord> instants, SeverityPyramid instant_severity) {
  if (instant_severity.size() != instants.size())
    return adopt_thread_events(index, std::move(spans), std::move(depth_begin), std::move(running),
                               std::move(instants));
  ThreadLane& t = threads_[index];
  t.spans = std::move(spans);
  t.depth_begin = std::move(depth_begin);
  t.running = std::move(running);
  t.instants = std::move(instants);
  t.instant_severity = std::move(instant_severity);
  t.events_loaded = true;
  return thread_event_bytes(index);
}

size_t ProfileModel::load_counter_samples(Database& db, uint32_t index) {
  if (counters_[index].samples_loaded) return 0;
  return adopt_counter_samples(index, read_counter_samples(db, index));
}

LaneArray<CounterSample> ProfileModel::read_counter_samples(Database& db, uint32_t index) const {
  const CounterLane& c = counters_[index];
  // Global lanes (key: minus the source id) have no thread_id.
  Statement rows = db.prepare(
      c.key > 0 ? "SELECT ts_ns, value FROM counters WHERE name = ? AND thread_id = ? AND id <= ? "
                  "ORDER BY ts_ns, id"
                : "SELECT ts_ns, value FROM counters WHERE name = ? AND thread_id IS NULL "
                  "AND -coalesce(source_id, 0) = ? AND id <= ? ORDER BY ts_ns, id");
  rows.bind(1, int64_t(c.name)).bind(2, c.key).bind(3, last_ids_.counters);
  const int64_t o = saturating_sub(origin_ns_, c.display_shift_ns);
  LaneArray<CounterSample> samples;
  // (A global lane's count is of every source's: an upper bound.)
  samples.reserve(size_t(c.key > 0 ? lane_count(db, "SELECT count(*) FROM counters WHERE name = ?1 AND thread_id = ?2 "
                                                    "AND id <= ?3", int64_t(c.name), c.key, last_ids_.counters)
                                    : lane_count(db, "SELECT count(*) FROM counters WHERE name = ?1 AND thread_id IS NULL "
                                                    "AND id <= ?2", int64_t(c.name), last_ids_.counters)));
  while (rows.step()) samples.push_back({saturating_sub(rows.column_int(0), o), rows.column_double(1)});
  samples.shrink_to_fit();
  return samples;
}

size_t ProfileModel::adopt_counter_samples(uint32_t index, LaneArray<CounterSample> samples) {
  CounterLane& c = counters_[index];
  c.samples = std::move(samples);
  c.samples_loaded = true;
  return counter_sample_bytes(index);
}

void ProfileModel::unload_connection_lanes(uint32_t index) {
  ConnectionLanes& c = connections_[index];
  if (!lazy_ || !c.lanes_loaded) return;
  for (int dir = 0; dir < 2; ++dir) {
    release(c.lanes[dir]);
    c.severity[dir] = SeverityPyramid();
  }
  c.retransmissions = c.dup_acks = 0;
  c.lanes_loaded = false;
}

void ProfileModel::unload_thread_events(uint32_t index) {
  ThreadLane& t = threads_[index];
  if (!lazy_ || !t.events_loaded) return;
  int depths = t.depth_count();
  release(t.spans);
  release(t.running);
  release(t.instants);
  t.instant_severity = SeverityPyramid();
  t.depth_begin.assign(size_t(depths) + 1, 0);  // the layout still needs the depth count
  t.events_loaded = false;
}

void ProfileModel::unload_counter_samples(uint32_t index) {
  CounterLane& c = counters_[index];
  if (!lazy_ || !c.samples_loaded) return;
  release(c.samples);
  c.samples_loaded = false;
}

size_t ProfileModel::connection_lane_bytes(uint32_t index) const {
  const ConnectionLanes& c = connections_[index];
  size_t bytes = 0;
  for (int d = 0; d < 2; ++d) bytes += c.lanes[d].capacity() * sizeof(PacketMark) + c.severity[d].memory_bytes();
  return bytes;
}

size_t ProfileModel::thread_event_bytes(uint32_t index) const {
  const ThreadLane& t = threads_[index];
  return (t.spans.capacity() + t.running.capacity()) * sizeof(SpanRecord) +
         t.instants.capacity() * sizeof(InstantRecord) + t.instant_severity.memory_bytes();
}

size_t ProfileModel::counter_sample_bytes(uint32_t index) const {
  return counters_[index].samples.capacity() * sizeof(CounterSample);
}

bool ProfileModel::packets_in(uint32_t connection, int dir, double t0, double t1) const {
  const ConnectionLanes& c = connections_[connection];
  if (!c.lanes_loaded) return probe_ && probe_(LaneKind::Packets, connection, dir, t0, t1);
  const LaneArray<PacketMark>& lane = c.lanes[dir];
  return any_in(lane.size(), t0, t1, [&](size_t i) { return lane[i].t_ns; });
}

bool ProfileModel::samples_in(uint32_t counter, double t0, double t1) const {
  const CounterLane& c = counters_[counter];
  if (!c.samples_loaded) return probe_ && probe_(LaneKind::Counter, counter, 0, t0, t1);
  const LaneArray<CounterSample>& s = c.samples;
  return any_in(s.size(), t0, t1, [&](size_t i) { return s[i].t_ns; });
}

}  // namespace lurk::ui
