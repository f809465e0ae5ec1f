// Turns Chrome trace events (read flat, see chrome_json_flat_object.h), one
// at a time and in file order, into
// threads, spans, instants, counters and flows through the ThreadTracker.
// What it keeps between events is bounded by the trace's open state (open
// spans, open flows, async ids), never by the number of events.
//
//   pid/tid          -> threads ext_id "pid:tid" (kind 'thread')
//   B/E, X           -> spans (X nesting is recomputed at the end, since
//                       writers emit X events when they end, inner ones first)
//   i/I/R            -> instants; scope 'g'/'p' ones have no thread
//   C                -> counters, one series per numeric arg
//   b/e/n, S/F/T     -> async threads "pid:async:cat:id" (kind 'async')
//   s/t/f, bind_id   -> flows
//   M                -> thread/process names, thread_sort_index
// Other phases are counted per phase (source_counters 'unknown-phase:X').
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "importers/chrome_json_flat_object.h"
#include "trace/thread_tracker.h"

namespace lurk {

struct IngestContext;

class ChromeTraceReader {
 public:
  explicit ChromeTraceReader(IngestContext& ctx);

  void event(const FlatJsonObject& ev, uint64_t offset, int64_t line);
  // Closes what is still open, names threads, fixes X nesting, writes counts.
  void finish();

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
  };

  int64_t os_thread(const Event& ev);
  std::optional<int64_t> timestamp(const Event& ev, const Where& at);
  std::optional<std::string> args_json(const Event& ev);
  std::optional<int64_t> name_of(const Event& ev);
  int64_t intern(std::string_view text);
  std::string async_key(const Event& ev);
  void error(const Where& at, const std::string& kind, const std::string& message);

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
  std::string key_;     // scratch for building lookup keys
  FlatJsonObject nested_;  // scratch for reading an event's nested objects
  std::unordered_map<std::string, int64_t> async_threads_;
  std::unordered_map<std::string, FlowEnd> open_flows_;
  std::unordered_map<std::string, std::string> process_names_;  // pid -> name
  std::unordered_map<int64_t, std::string> thread_pids_;          // thread id -> pid
  std::map<std::string, int64_t> counts_;  // source_counters
  int64_t last_ts_ns_ = 0;
};

}  // namespace lurk
