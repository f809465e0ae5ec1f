// Between the trace importers (CTF, Chrome JSON, lurk JSONL) and the tables:
// owns thread ids (a trace's own id -> threads.id), the stack of open spans
// per thread (nesting depth, B/E matching), and writes threads, spans,
// instants, counters and flows through the TraceWriter. Thread rows are
// inserted when first seen and updated once at finish(). Span depth follows
// either the stack of open spans (B/E-style traces) or the spans' times
// (TimeNesting: traces that also write complete spans, inner first).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "storage/rows.h"
#include "trace/time_nesting.h"

namespace lurk {

class TraceWriter;

class ThreadTracker {
 public:
  enum class Nesting {
    OpenSpans,  // depth = spans open on the thread (CTF, lurk JSONL)
    ByTime,     // depth by start/end times, as renest_spans() (Chrome JSON)
  };
  ThreadTracker(TraceWriter& writer, int64_t source_id, Nesting nesting = Nesting::OpenSpans);

  // threads.id of the thread the trace calls `ext_id`, created on first use.
  int64_t thread_id(std::string_view ext_id);
  bool has_thread(std::string_view ext_id) const;
  // threads.id of `ext_id` if the trace started it already (one lookup, no copy).
  std::optional<int64_t> find_thread(std::string_view ext_id) const;
  // Takes back the rows a trace's source already holds (a live CTF stream
  // continued after a collector's restart, docs/live.md), in the order they
  // were made (sort_index); new threads follow them. No open spans.
  void adopt(std::vector<ThreadRow> rows);
  // Every thread row held, in creation order.
  const std::vector<int64_t>& thread_ids() const { return order_; }
  // A row as held, read only (not marked changed).
  const ThreadRow& row(int64_t thread_id) const { return threads_.at(thread_id).row; }
  // The row kept in memory until finish(); change its fields freely.
  ThreadRow& thread(int64_t thread_id);

  int64_t intern(std::string_view text);

  // Nested spans: depth follows the stack of open spans on the thread.
  void begin_span(int64_t thread_id, int64_t ts_ns, std::optional<int64_t> name,
                  std::optional<std::string> args_json = std::nullopt,
                  std::string kind = "span");
  // Closes the innermost open span; false when none is open (E without B).
  bool end_span(int64_t thread_id, int64_t ts_ns);
  // A span whose both ends are known (Chrome "X", running periods).
  void complete_span(int64_t thread_id, int64_t start_ns, int64_t end_ns,
                     std::optional<int64_t> name, std::optional<std::string> args_json = {},
                     std::string kind = "span");
  size_t open_spans(int64_t thread_id) const;
  // ByTime: the threads whose spans arrived out of order, so the depths
  // written may be wrong; renest_spans() them once everything is stored.
  std::vector<int64_t> threads_nested_in_doubt() const;

  void instant(const InstantRow& row);
  void counter(const CounterRow& row);
  void flow(const FlowRow& row);

  // Spans still open are closed at `trace_end_ns` (and counted); thread rows
  // are written. Returns how many spans had to be closed that way.
  size_t finish(int64_t trace_end_ns);
  // Writes the rows of the threads changed (through thread()) since the last
  // flush, for a live collect's batch commit; finish() still writes them all.
  void flush();

 private:
  struct OpenSpan {
    SpanRow row;
    TimeNesting::Slot slot;  // ByTime only
  };
  struct Thread {
    ThreadRow row;
    std::vector<OpenSpan> open;
    TimeNesting by_time;  // ByTime only
    bool changed = false;  // handed out by thread() since the last flush
  };
  Thread& get(int64_t thread_id);

  TraceWriter& writer_;
  int64_t source_id_;
  Nesting nesting_;
  // Looked up by string_view (every event names its thread): no key copy.
  struct TextHash {
    using is_transparent = void;
    size_t operator()(std::string_view text) const { return std::hash<std::string_view>{}(text); }
  };
  std::unordered_map<std::string, int64_t, TextHash, std::equal_to<>> by_ext_id_;
  std::unordered_map<int64_t, Thread> threads_;
  std::vector<int64_t> order_;  // thread ids in creation order
  std::vector<int64_t> changed_;  // since the last flush
};

}  // namespace lurk
