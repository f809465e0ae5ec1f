// Turns Chrome trace events, handed on in time order by the
// ChromeEventSorter (read flat, see chrome_json_flat_object.h), into
// threads, spans, instants, counters and flows through the ThreadTracker,
// with Perfetto's trace processor's rules wherever it has one
// (docs/chrome-json.md lists them and the deliberate differences).
// What it keeps between events is bounded by the trace's open state (open
// spans, open flows, async ids), never by the number of events.
//
//   pid/tid          -> threads ext_id "pid:tid" (kind 'thread'); no tid:
//                       tid = pid; string ids quoted ("\"1\"" is not 1)
//   B/E, X           -> spans (X nesting is recomputed at the end, since
//                       writers emit X events when they end, inner ones first)
//   i/I/R            -> instants; scope 'g'/'p' ones have no thread
//   C                -> counters, one series per numeric arg, on the
//                       process's track (ext_id "pid", kind 'process')
//   b/e/n, S/F/T     -> async threads "async:SCOPE:cat:id" (kind 'async');
//                       plain id and id2.global global, id2.local per process
//   s/t/f            -> flows keyed by (cat, name, id) across processes;
//                       f without bp:"e" lands on the next slice of its thread
//   bind_id          -> flows v2 (flow_out / flow_in)
//   M                -> thread/process names, thread_sort_index
// Every event dropped or repaired is reported in ingest_errors with its byte
// offset (unknown phases: the first 100 of each, then counted).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "importers/chrome_event_sorter.h"
#include "importers/chrome_json_flat_object.h"
#include "trace/thread_tracker.h"

namespace lurk {

class IngestContext;

class ChromeTraceReader {
 public:
  explicit ChromeTraceReader(IngestContext& ctx);

  // One event, parsed; `sorted` says where it is and whether it came late.
  void event(const FlatJsonObject& ev, const SortedEvent& sorted);
  // Closes what is still open, names threads, fixes X nesting, writes counts.
  void finish();

  // For the "systemTraceEvents" lines (chrome_system_trace), which are read
  // outside the event path: a line read but not imported (a record, skipped,
  // the first 100 of its kind reported); an error row; a source counter; a
  // thread's name when it has none yet (pid and tid as ext_id text).
  void not_read(uint64_t offset, int64_t line, const std::string& kind, const std::string& message);
  void report(uint64_t offset, int64_t line, const std::string& kind, const std::string& message) {
    error(Where{offset, line}, kind, message);
  }
  void count(const std::string& name) { ++counts_[name]; }
  void name_os_thread(const std::string& pid, const std::string& tid, std::string_view name);

 private:
  struct Where {
    uint64_t offset;
    int64_t line;
  };
  using Event = FlatJsonObject;
  // Hashes std::string and std::string_view alike, so lookups by a view of
  // the event's text allocate nothing.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using TextMap = std::unordered_map<std::string, int64_t, TextHash, std::equal_to<>>;
  struct FlowEnd {
    int64_t thread_id;
    int64_t ts_ns;
    Where at;  // of the event that opened or last stepped it
  };
  // What a thread's spans are doing, in time order: for the overlap check
  // and to say where a B that never ended was.
  struct OpenSlice {
    int64_t start_ns;
    int64_t end_ns;  // kOpenEnd for a B not ended yet
    Where at;
  };
  static constexpr int64_t kOpenEnd = INT64_MAX;
  struct Lane {
    std::vector<OpenSlice> slices;        // enclosing ones, innermost last
    std::vector<FlowEnd> awaiting_slice;  // flows ("f" without bp:"e") to its next slice
  };

  int64_t os_thread(const Event& ev);
  int64_t os_thread_id(const std::string& pid, const std::string& tid, bool& fresh);
  int64_t process_track(const Event& ev);
  std::optional<int64_t> timestamp(const Event& ev, const Where& at);
  Lane& lane(int64_t thread_id) { return lanes_[thread_id]; }
  std::optional<std::string> args_json(const Event& ev);
  std::optional<int64_t> name_of(const Event& ev);
  int64_t intern(std::string_view text);
  std::string async_key(const Event& ev);
  std::optional<std::string> flow_key(const Event& ev, std::string_view id_field, const Where& at);
  void error(const Where& at, const std::string& kind, const std::string& message);
  // An event not imported: reported (the first 100 of its kind), counted.
  void dropped(const Where& at, const std::string& kind, const std::string& message);
  void slice_begins(int64_t thread_id, int64_t ts_ns);
  void check_overlap(int64_t thread_id, int64_t start_ns, int64_t end_ns, const Where& at);
  void close_open_slice(int64_t thread_id, int64_t ts_ns, const Where& at);
  void report_unfinished();

  void on_begin(const Event& ev, const Where& at);
  void on_end(const Event& ev, const Where& at);
  void on_complete(const Event& ev, const Where& at);
  void on_instant(const Event& ev, const Where& at);
  void on_counter(const Event& ev, const Where& at);
  void on_async(char phase, const Event& ev, const Where& at);
  void on_flow(char phase, const Event& ev, const Where& at);
  void on_metadata(const Event& ev, const Where& at);
  void bind_flows(const Event& ev, int64_t thread_id, int64_t ts_ns, const Where& at);
  void flow_step(const std::string& key, bool end, int64_t thread_id, int64_t ts_ns,
                 const Where& at);

  IngestContext& ctx_;
  ThreadTracker threads_;
  TextMap os_threads_;  // "pid:tid" -> threads.id
  TextMap interned_;    // text -> strings.id, in front of the writer's own map
  TextMap processes_;   // "pid" -> threads.id of the process track
  std::unordered_map<int64_t, Lane> lanes_;
  std::string key_;     // scratch for building lookup keys
  FlatJsonObject nested_;  // scratch for reading an event's nested objects
  std::unordered_map<std::string, int64_t> async_threads_;
  // Where each open async slice began, per async thread (innermost last).
  std::unordered_map<int64_t, std::vector<Where>> async_open_;
  std::unordered_map<std::string, FlowEnd> open_flows_;
  std::unordered_map<std::string, std::string> process_names_;  // pid -> name
  std::unordered_map<int64_t, std::string> thread_pids_;          // thread id -> pid
  std::map<std::string, int64_t> counts_;  // source_counters
  int64_t last_ts_ns_ = 0;
  bool late_ = false;  // the event being read came after its place in time
  std::optional<int64_t> sorted_ts_ns_;  // its ts, as the sorter read it
};

}  // namespace lurk
