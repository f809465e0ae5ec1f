// The UI's in-memory copy of a .lurk profile: compact, sorted arrays per lane,
// loaded once from SQLite, so that drawing a frame never runs SQL. Portable
// (no ImGui, no browser): built natively for unit tests too.
//
// Lanes: two packet lanes per connection (one per direction), one lane per
// thread (nested spans by depth, running periods, instants), one lane per
// counter. Lanes are arranged in groups: one per connection, then one for
// threads and counters tied to no connection.
//
// Loading reads each table once in storage order (no ORDER BY: an index walk
// costs a table lookup per row) straight into the lanes, sorts only lanes
// that arrive out of order, and shifts times to the origin at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/flow_record.h"
#include "core/item_ref.h"
#include "core/lane_array.h"
#include "core/lane_summary.h"
#include "core/severity_pyramid.h"
#include "core/source_clocks.h"

namespace lurk {
class Database;
class Statement;
}

namespace lurk::ui {

class RowValues;
class LaneStoreReader;

// One TCP segment as a mark on a packet lane. Times are relative to the
// profile's origin so that doubles hold them exactly.
struct PacketMark {
  int64_t t_ns = 0;
  uint32_t analysis = 0;     // analysis flag bits (docs/tcp-analysis.md)
  uint32_t payload_len = 0;
  uint32_t frame = 0;
  uint8_t tcp_flags = 0;
  uint8_t pad[3] = {};
};
static_assert(sizeof(PacketMark) == 24, "packet marks stay compact");

enum class SpanKind : uint8_t { Span = 0, Running, Async };

// A span on a thread lane; `name` and `args` index the model's strings and
// args tables (0: none).
struct SpanRecord {
  int64_t t0_ns = 0, t1_ns = 0;
  uint32_t name = 0;
  uint32_t args = 0;
  uint16_t depth = 0;
  SpanKind kind = SpanKind::Span;
  uint8_t pad[5] = {};
};
static_assert(sizeof(SpanRecord) == 32, "span records stay compact");

enum class InstantKind : uint8_t { Instant = 0, Label, Log, Exception };

struct InstantRecord {
  int64_t t_ns = 0;
  uint32_t name = 0;
  uint32_t args = 0;
  InstantKind kind = InstantKind::Instant;
  uint8_t pad[7] = {};
};
static_assert(sizeof(InstantRecord) == 24, "instant records stay compact");

struct CounterSample {
  int64_t t_ns = 0;
  double value = 0;
};
static_assert(sizeof(CounterSample) == 16, "counter samples stay compact");


enum class PeriodKind : uint8_t { Gc = 0, Idle };

struct PeriodRecord {
  int64_t t0_ns = 0, t1_ns = 0;
  PeriodKind kind = PeriodKind::Gc;
  uint8_t pad[7] = {};
};

struct ConnectionLanes {
  int64_t id = 0;
  std::string label;          // "10.0.0.1:40000 → 10.0.0.2:80"
  std::string addr_a, addr_b;
  int port_a = 0, port_b = 0;
  std::string state;
  int64_t first_ns = 0, last_ns = 0;  // relative to origin
  int64_t packets = 0, bytes = 0;
  int64_t retransmissions = 0, dup_acks = 0, exceptions = 0;
  LaneArray<PacketMark> lanes[2];     // [0]: A to B, [1]: B to A; sorted by time
  SeverityPyramid severity[2];        // worst mark kind over ranges of each lane
  int32_t group = -1;
  // A trace's connection the joiner found to be a capture's connection
  // (connections.same_as): its threads show in that connection's group, next
  // to the packets on the wire, and it is not shown itself (its segments are
  // the stack's copy of the wire's). Index in connections(), -1: none.
  int32_t same_as = -1;
  int64_t display_shift_ns = 0;  // its source's (source_clocks.h)
  // False while a lazy model (load_outline) has not read this connection's
  // packets: `lanes`, `severity`, `retransmissions` and `dup_acks` are empty.
  bool lanes_loaded = true;
  bool shown() const { return same_as < 0; }
};

struct ThreadLane {
  int64_t id = 0;
  uint32_t name = 0;        // string index
  std::string kind;
  int64_t parent_id = 0;    // 0: none
  int32_t parent = -1;      // lane index of the parent thread, -1: none / not loaded
  int64_t became_id = 0;    // the thread this one became (threads.became_id), 0: none
  int32_t became = -1;      // its lane index, -1: none / not loaded
  int64_t start_ns = 0, end_ns = 0;  // relative; open ends use the trace bounds
  bool start_known = false, end_known = false;
  bool failed = false;
  uint32_t exception = 0;   // string index
  int32_t connection = -1;  // index in connections(), -1: none
  int32_t group = -1;
  int64_t display_shift_ns = 0;  // its source's (source_clocks.h)
  LaneArray<SpanRecord> spans;           // kind Span/Async, sorted by (depth, t0)
  std::vector<uint32_t> depth_begin;     // spans of depth d: [depth_begin[d], depth_begin[d+1])
  LaneArray<SpanRecord> running;         // running periods, sorted by t0
  LaneArray<InstantRecord> instants;     // sorted by time
  SeverityPyramid instant_severity;
  // False while a lazy model has not read this thread's spans and instants:
  // they are empty, but depth_begin already holds depth_count() + 1 entries.
  bool events_loaded = true;
  // False while the spans' and instants' args are not held (a model made
  // from a lane store: the store keeps none, load_thread_args() reads them).
  bool args_loaded = true;
  int depth_count() const { return depth_begin.empty() ? 0 : int(depth_begin.size()) - 1; }
};

struct CounterLane {
  uint32_t name = 0;        // string index
  int32_t thread = -1;      // thread lane index, -1: global
  int32_t group = -1;
  int64_t display_shift_ns = 0;  // its source's (source_clocks.h)
  double min = 0, max = 0;
  LaneArray<CounterSample> samples;      // sorted by time
  // The lane's key in the counters table: its thread's id, or minus its
  // source's id for a global counter (what a lazy model reads it by).
  int64_t key = 0;
  bool samples_loaded = true;  // false: not read yet by a lazy model
};

// A group of lanes under one header: a connection's packets and threads, or
// the threads tied to none (connection == -1).
struct LaneGroup {
  int32_t connection = -1;
  std::vector<uint32_t> threads;   // thread lane indices, in display order
  std::vector<uint32_t> counters;  // counter lane indices
};

// What ProfileModel::append() added, for what the page keeps up to date
// with it instead of rebuilding it from every lane (the minimap, the finding
// marks): the new packets, spans and instants, and where they went.
struct AppendDelta {
  // Each new packet, span (its start) and instant: relative time and mark
  // kind (MarkKind, mark_style.h).
  std::vector<std::pair<int64_t, uint8_t>> marks;
  // Per packet lane (connection * 2 + direction) and per thread's instants:
  // the size before; the lane's items past it are the new ones, unless it is
  // marked merged (new items fell among the old ones, which moved).
  std::vector<size_t> packets_before, instants_before;
  std::vector<bool> packets_merged, instants_merged;
};

struct ProfileCounts {
  int64_t connections = 0, packets = 0, threads = 0, events = 0;
};

class ProfileModel {
 public:
  // Loads the profile; throws lurk::StorageError with a readable message when
  // the file is not a lurk profile or is of a newer schema.
  // `clock_by_hand`: display shifts the user gave sources (source_clocks.h).
  static ProfileModel load(Database& db, const std::map<int64_t, int64_t>& clock_by_hand = {});
  // A lazy model for a profile too large to hold (server-backed viewing,
  // docs/server.md): every table but the lanes' events, with what the
  // layout needs of those (depths, counter ranges, the time bounds) taken
  // from `summary` (lane_summary.h), so that once a lane is loaded it is
  // exactly the lane load() makes, and frames drawn from it are the same.
  // Lanes are then read one at a time through the tables' per-lane
  // indexes (load_*), and dropped again (unload_*); rows past the summary's
  // last ids are never read, so every lane shows the same committed state.
  // Args texts are not loaded (frames do not draw them; SearchIndex needs
  // every lane and does not run on a lazy model).
  // The summary's flows and periods, when it keeps them (flows_kept,
  // periods_kept) and the flows name lanes of this profile, are taken as
  // they are; otherwise they are read from the profile and, when
  // `keep` is given, put there as the summary keeps them
  // (lane_summary.h), for the next open.
  // With `defer_flows_and_periods` (a summary from the lane facts,
  // later_known), neither is read: the model has none until
  // adopt_late_flows_and_periods, but already the counts and time axis it
  // will have then (the flows' count, the periods' bounds from the summary).
  static ProfileModel load_outline(Database& db, const LaneSummary& summary,
                                   const std::map<int64_t, int64_t>& clock_by_hand = {},
                                   LaneSummary* keep = nullptr, bool defer_flows_and_periods = false);
  // The flows and periods a model made with defer_flows_and_periods was
  // waiting for, as another load_outline of the same profile kept them
  // (`kept`: flows_kept, periods_kept; times absolute), put on this model's
  // axis. False (nothing taken) when none are awaited or `kept` does not
  // hold them or they are not this profile's (adopt_kept_flows' checks).
  bool adopt_late_flows_and_periods(const LaneSummary& kept);
  // Whether the flows and periods are still awaited (above).
  bool flows_and_periods_pending() const { return flows_and_periods_pending_; }
  // None are coming (the load that was to read them failed): no longer
  // awaited, and the events counted no longer count the flows.
  void forgo_late_flows_and_periods();
  // The whole model, its lanes views of a lane store's bytes (core/
  // lane_store_format.h: the page fetches it beside the profile) instead of
  // rows stepped out of SQLite: the outline of `db` made from the store's
  // summary, then every lane adopted from the store. Equal to load() but for
  // the args (read per thread when first needed: load_thread_args). The
  // store's bytes must outlive the model. nullopt, with `why`, when the
  // store is not this profile's (its last row ids, a lane's key, offset or
  // sizes differ): the caller then load()s.
  static std::optional<ProfileModel> load_with_store(Database& db, LaneStoreReader& store, std::string& why);
  // A thread's lanes read again from `db` with their args (same items, same
  // order); 0 when its args are held already, else the bytes it now holds.
  size_t load_thread_args(Database& db, uint32_t thread);
  // Every thread's (search reads every args text).
  void load_all_args(Database& db);
  // The summary a lazy model was made from (its minimap left out): the lane
  // store keeps it for load_with_store().
  const LaneSummary& outline_summary() const { return outline_summary_; }
  bool lazy() const { return lazy_; }
  // The last row id of each bulk table a lazy model reads (INT64_MAX: all).
  const LaneSummary::RowBounds& last_row_ids() const { return last_ids_; }
  // Each returns the bytes the lane now holds (0 when it was loaded already).
  size_t load_connection_lanes(Database& db, uint32_t connection);
  size_t load_thread_events(Database& db, uint32_t thread);
  size_t load_counter_samples(Database& db, uint32_t counter);
  // A lane's events read from `db` exactly as load_*() reads them, into the
  // caller's objects (times relative, load()'s order; a thread's without
  // args), the model untouched: a const read, so that another thread may
  // read lanes of this model while this one adopts others (pass_over_lanes'
  // second reader, background_lane_store.h). load_*() = read_*() + adopt_*().
  void read_connection_lanes(Database& db, uint32_t connection, LaneArray<PacketMark> (&lanes)[2]) const;
  void read_thread_events(Database& db, uint32_t thread, ThreadLane& out) const;  // spans, depth_begin, running, instants
  // Which of a thread lane's spans and instants have an args text that
  // `matches` says yes to (lurk view's search of args,
  // collector/server/args_search.h): a bit per item, in the order load()
  // gives the lane (spans by depth, then start; instants by time), read a
  // row at a time, so a pass holds a bit an event and not the lane (a
  // 10M-event lane read whole held ~0.3 GB). `progress` gets the spans and
  // instants read since its last call, every 64k rows and at the end. A
  // lane whose rows do not come in load()'s order (a hostile file's times
  // of another type) is read whole instead, and matched the same.
  struct ArgsMatchBits {
    std::vector<bool> spans, instants;
  };
  using ArgsMatcher = std::function<bool(std::string_view args_json)>;
  ArgsMatchBits match_thread_args(Database& db, uint32_t thread, const ArgsMatcher& matches,
                                  const std::function<void(uint64_t)>& progress) const;
  // One span's, running period's or instant's args text (its lane held,
  // without args: a lazy model's), "" when it has none: its row found by
  // the lane's index at its start time, the k-th there in load()'s order
  // (by row id) with its depth and kind, k its place among the lane's items
  // of that time. What lurk view's /item says of it (item_details.cpp).
  std::string read_item_args(Database& db, const ItemRef& item) const;
  LaneArray<CounterSample> read_counter_samples(Database& db, uint32_t counter) const;
  // The same lanes given whole (collector/server/lane_store.h keeps them as
  // load_*() made them): held as if read; each returns the bytes now held.
  // A lane given as a view (LaneArray::view) is read where it lies, not
  // copied: its items must outlive it (until unload_*).
  size_t adopt_connection_lanes(uint32_t connection, LaneArray<PacketMark> a_to_b, LaneArray<PacketMark> b_to_a);
  size_t adopt_thread_events(uint32_t thread, LaneArray<SpanRecord> spans, std::vector<uint32_t> depth_begin,
                             LaneArray<SpanRecord> running, LaneArray<InstantRecord> instants);
  size_t adopt_counter_samples(uint32_t counter, LaneArray<CounterSample> samples);
  // The same with what adopting works out from the events given too, as kept
  // from a lane adopted before (the lane store keeps them: a read is then a
  // copy only): each packet lane's severity pyramid and the retransmission
  // and duplicate-ACK counts; the instants' pyramid. A pyramid whose size is
  // not its lane's is built again.
  size_t adopt_connection_lanes(uint32_t connection, LaneArray<PacketMark> a_to_b, LaneArray<PacketMark> b_to_a,
                                SeverityPyramid severity[2], int64_t retransmissions, int64_t dup_acks);
  size_t adopt_thread_events(uint32_t thread, LaneArray<SpanRecord> spans, std::vector<uint32_t> depth_begin,
                             LaneArray<SpanRecord> running, LaneArray<InstantRecord> instants,
                             SeverityPyramid instant_severity);
  void unload_connection_lanes(uint32_t connection);
  void unload_thread_events(uint32_t thread);
  void unload_counter_samples(uint32_t counter);
  size_t connection_lane_bytes(uint32_t connection) const;
  size_t thread_event_bytes(uint32_t thread) const;
  size_t counter_sample_bytes(uint32_t counter) const;

  // Whether a lane has an event in [t0, t1] (relative ns): the layout's
  // question when idle rows are hidden. A lane not loaded is asked of the
  // probe (a lazy model's owner answers it from the table's index).
  bool packets_in(uint32_t connection, int dir, double t0, double t1) const;
  bool samples_in(uint32_t counter, double t0, double t1) const;
  enum class LaneKind : uint8_t { Packets, Counter };
  using ActivityProbe = std::function<bool(LaneKind kind, uint32_t index, int dir, double t0, double t1)>;
  void set_activity_probe(ActivityProbe probe) { probe_ = std::move(probe); }

  // Following a growing profile (docs/live.md): appends what `db` gained
  // since this model was loaded from it (or last appended): the rows of the
  // append-only tables past the ids already read, and the small tables
  // (sources, connections, threads) read again and updated in place. The cost
  // follows the new rows (plus the lanes they land in, and the number of
  // threads and connections), not the events already held; the result equals
  // load() of the grown file (profile_model_append.cpp says how).
  // Returns false when the profile changed in a way appending cannot follow
  // (data before the origin, a thread or connection moved in the order, a
  // connection found to be another's, a display shift): the model is then
  // not usable and must be loaded whole.
  bool append(Database& db);
  // What the last append() that said yes added.
  const AppendDelta& last_append() const { return delta_; }

  // The sources with their clocks and display shifts.
  const std::vector<SourceClock>& sources() const { return sources_; }

  int64_t origin_ns() const { return origin_ns_; }
  // Connections the table and the timeline show (not those that are another's).
  size_t shown_connection_count() const;
  int64_t duration_ns() const { return end_ns_; }  // relative end
  const std::vector<ConnectionLanes>& connections() const { return connections_; }
  const std::vector<ThreadLane>& threads() const { return threads_; }
  const std::vector<CounterLane>& counters() const { return counters_; }
  const std::vector<LaneGroup>& groups() const { return groups_; }
  const std::vector<FlowRecord>& flows() const { return flows_; }  // sorted by from_ns
  // GC and idle periods, each kind sorted by start.
  std::span<const PeriodRecord> periods(PeriodKind kind) const {
    size_t split = periods_split_;
    return kind == PeriodKind::Gc ? std::span<const PeriodRecord>(periods_.data(), split)
                                  : std::span<const PeriodRecord>(periods_.data() + split,
                                                                  periods_.size() - split);
  }
  const ProfileCounts& counts() const { return counts_; }

  // Interned text by index (0: ""); args JSON by index (0: none).
  std::string_view text(uint32_t index) const {
    return index < strings_.size() ? std::string_view(strings_[index]) : std::string_view();
  }
  size_t string_count() const { return strings_.size(); }
  std::string_view args(uint32_t index) const {
    if (index == 0 || index >= args_end_.size()) return {};
    return std::string_view(args_text_).substr(args_end_[index - 1], args_end_[index] - args_end_[index - 1]);
  }
  size_t args_count() const { return args_end_.size(); }
  // Lane index of a thread id, -1 when unknown.
  int32_t thread_index(int64_t thread_id) const;
  // Index in connections() of a connection id, -1 when unknown.
  int32_t connection_index(int64_t connection_id) const;
  // Bytes held by the lane arrays (for the memory-per-event figure).
  size_t memory_bytes() const;
  // Server-backed viewing (profile_model_remote.cpp): this model is the
  // profile's outline (no bulk rows); the native process holding the whole
  // profile says its origin, end, counts and number of groups, which this
  // model then takes (the group of lanes on no connection may hold only
  // counters, which the outline lacks: it is added, empty).
  void adopt_extent(int64_t origin_ns, int64_t duration_ns, const ProfileCounts& counts, size_t groups);
  // ... and what the timeline's layout needs of the lanes the outline lacks,
  // from the native process's model (/native "laneShapes"): each thread's
  // span depths (its row's height) and the counter lanes (their rows and
  // folds, value ranges), without events. Then the page lays its rows out
  // as lurk view does (a step's row is scrolled to where the frame draws
  // it). The JSON: {"depths": [[thread id, depths]...], "counters": [[name
  // string id, key, min, max]...]} in the server's lane order; false (the
  // model unchanged) when it is not that.
  bool adopt_lane_shapes(const std::string& json);
  // The page in server-backed viewing holds no packets: each connection's
  // retransmission and duplicate-ACK counts come from its row's analysis flag
  // counts (connections.flags_json; Wireshark's retransmission field also
  // marks fast and spurious ones, as the packets' count does).
  void adopt_connection_flag_counts(Database& outline);

 private:
  void load_strings(Database& db);
  void load_connections(Database& db);
  static Statement connection_rows(Database& db);
  ConnectionLanes connection_of(Statement& connections);
  static Statement thread_rows(Database& db);
  ThreadLane thread_of(Statement& threads);
  void link_threads();
  void load_packets(Database& db);
  void load_threads(Database& db);
  void load_spans(Database& db);
  void load_instants(Database& db);
  void load_counters(Database& db);
  void load_flows(Database& db);
  void load_periods(Database& db, LaneSummary* keep = nullptr);
  void build_groups();
  void apply_summary(const LaneSummary& summary);
  void finish_load(Database& db, const LaneSummary* summary = nullptr, LaneSummary* keep = nullptr,
                   bool defer_flows_and_periods = false);
  bool adopt_kept_flows(const LaneSummary& summary);
  void add_period(bool idle, int64_t start_ns, int64_t end_ns, int64_t source_id);
  void keep_flows_in(LaneSummary& summary) const;
  int64_t display_shift_of(int64_t source_id) const;
  void bound_by_sources();
  void shift_times();
  void note_time(int64_t t) {
    if (t < origin_ns_) origin_ns_ = t;
    if (t > end_ns_) end_ns_ = t;
  }
  // The args text's index; 0 for none. False when memory ran out (it is
  // called from row functions, which must not throw: row_feed.h).
  bool add_args(std::string_view json, uint32_t& index);
  // The bulk tables' rows with id > `after`, up to the ids noted (loaded_),
  // into the lanes, unsorted, times absolute: fed by SQLite to the row
  // functions (row_feed.h), which take the model as `model`.
  using CounterRows = std::map<std::pair<int64_t, int64_t>, std::vector<CounterSample>>;
  struct CounterFeed;
  void read_packet_rows(Database& db, int64_t after);
  void read_span_rows(Database& db, int64_t after);
  void read_instant_rows(Database& db, int64_t after);
  void read_counter_rows(Database& db, int64_t after, CounterRows& lanes);
  static bool packet_row(void* model, RowValues row);
  static bool span_row(void* model, RowValues row);
  static bool instant_row(void* model, RowValues row);
  static bool counter_row(void* feed, RowValues row);
  // The row functions' lane lookups, the last answer cached (a lane's rows
  // usually come together).
  int32_t cached_thread_index(int64_t id);
  int64_t last_thread_id_ = INT64_MIN, last_connection_id_ = INT64_MIN;
  int32_t last_thread_ = -1, last_connection_ = -1;
  // Shared by load() and append(): read the rows with id > `after` (0: all).
  void read_flows(Database& db, int64_t after);
  uint32_t flow_kind(const std::string& kind);
  // append()'s steps (profile_model_append.cpp).
  bool append_strings(Database& db);
  bool append_connections(Database& db, int64_t origin);
  bool append_threads(Database& db, int64_t origin);
  void append_counters(Database& db, int64_t after, int64_t origin);
  void append_periods(Database& db, int64_t after, int64_t origin);
  void note_loaded_ids(Database& db);

  // The largest id read of each append-only table (append() reads past them).
  struct LoadedIds {
    int64_t strings = 0, packets = 0, spans = 0, instants = 0, counters = 0, flows = 0,
            periods = 0;
  };
  LoadedIds loaded_;
  AppendDelta delta_;
  bool new_rows_without_lane(Database& db, const LoadedIds& before) const;
  void append_packets(Database& db, int64_t after, int64_t origin);
  void append_thread_events(Database& db, const LoadedIds& before, int64_t origin);
  void append_flows(Database& db, int64_t after, int64_t origin);
  bool finish_append(int64_t origin, int64_t old_end);
  // The file's strings are strings_[0, file_strings_); flow kinds (not
  // interned in the file) follow them, as (text, index).
  size_t file_strings_ = 1;
  std::vector<std::pair<std::string, uint32_t>> flow_kinds_;
  // Per counter lane, its key (name, thread id or minus the source id), in
  // the lanes' order.
  std::vector<std::pair<int64_t, int64_t>> counter_keys_;

  // While loading: the earliest and latest absolute times seen; then the
  // origin and the end relative to it.
  int64_t origin_ns_ = INT64_MAX;
  int64_t end_ns_ = INT64_MIN;
  std::vector<std::string> strings_;
  // Args JSON texts end to end (no allocation per row): text i is
  // [args_end_[i - 1], args_end_[i]); index 0 is "no args".
  std::string args_text_;
  std::vector<size_t> args_end_;
  std::vector<ConnectionLanes> connections_;
  std::vector<ThreadLane> threads_;
  std::vector<CounterLane> counters_;
  std::vector<LaneGroup> groups_;
  std::vector<FlowRecord> flows_;
  std::vector<PeriodRecord> periods_;  // gc first, then idle
  std::vector<SourceClock> sources_;
  bool any_display_shift_ = false;
  size_t periods_split_ = 0;
  std::vector<std::pair<int64_t, int32_t>> thread_ids_;      // sorted (id, index)
  std::vector<std::pair<int64_t, int32_t>> connection_ids_;  // sorted (id, index)
  ProfileCounts counts_;
  bool lazy_ = false;
  // load_outline(defer_flows_and_periods): awaited, and the periods'
  // bounds (display shifts applied) that already bound the time axis.
  bool flows_and_periods_pending_ = false;
  int64_t deferred_flow_count_ = 0;
  std::vector<std::pair<int64_t, int64_t>> deferred_period_bounds_;
  LaneSummary::RowBounds last_ids_;  // lazy: rows past these ids are not read
  LaneSummary outline_summary_;      // lazy: what it was made from (no minimap)
  // A thread's spans, running periods and instants read through the
  // per-lane indexes, times relative, in load()'s order; args too when asked.
  void read_thread_rows(Database& db, ThreadLane& t, bool with_args);
  // The same, each args text given to `args` (none read when null), which
  // sets the record's `args` field.
  using ArgsSink = std::function<bool(std::string_view json, uint32_t& index)>;
  void read_thread_rows_into(Database& db, ThreadLane& t, const ArgsSink* args) const;
  ActivityProbe probe_;
  bool timeless_ = true;  // no row had a time: the origin is not the data's
};

}  // namespace lurk::ui
