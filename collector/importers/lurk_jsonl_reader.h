// Turns the events of a lurk JSON lines trace (docs/lurk-jsonl.md), one
// line at a time (read flat, see chrome_json_flat_object.h), into rows: threads, spans, exceptions, log lines,
// labels and counters through the ThreadTracker, and TCP segment events
// through the context's ConnectionTracker, so they get connections and TCP analysis
// exactly as captured packets do (packets.frame = the line number).
// Connection tags ("conn") are kept in the rows' args_json, where the
// joiner (collector/join) finds them.
#pragma once

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "importers/chrome_json_flat_object.h"
#include "trace/thread_tracker.h"

namespace lurk {

class ConnectionTracker;
class IngestContext;

class LurkJsonlReader {
 public:
  explicit LurkJsonlReader(IngestContext& ctx);

  // The first line (line 1, or 2 after a live sender's hello); false when
  // it is not a lurk JSONL header.
  bool header(const nlohmann::json& line, uint64_t offset, int64_t line_number = 1);
  void event(const FlatJsonObject& ev, uint64_t offset, int64_t line);
  void finish();
  // What the trackers changed since the last flush, written (live batches).
  void flush();

 private:
  using Event = FlatJsonObject;
  struct Where {
    uint64_t offset;
    int64_t line;
  };
  void error(const Where& at, const std::string& kind, const std::string& message);
  std::optional<int64_t> thread_of(const Event& ev, const Where& at, bool required);
  // (key, JSON text) pairs an event type adds to its args (a log's level).
  using ExtraArgs = std::initializer_list<std::pair<std::string_view, std::string_view>>;
  // `extra` (pairs with an empty key are left out) merged into the args.
  std::optional<std::string> args_with_conn(const Event& ev, const Where& at,
                                            ExtraArgs extra = {});

  void on_thread_start(const Event& ev, int64_t ts, const Where& at);
  void on_thread_end(const Event& ev, int64_t ts, const Where& at);
  void on_span_begin(const Event& ev, int64_t ts, const Where& at);
  void on_span_end(const Event& ev, int64_t ts, const Where& at);
  void on_exception(const Event& ev, int64_t ts, const Where& at);
  void on_log(const Event& ev, int64_t ts, const Where& at);
  void on_label(const Event& ev, int64_t ts, const Where& at);
  void on_counter(const Event& ev, int64_t ts, const Where& at);
  void on_tcp(const Event& ev, int64_t ts, const Where& at);

  IngestContext& ctx_;
  ThreadTracker threads_;
  ConnectionTracker& connections_;  // the context's
  std::map<std::string, int64_t> counts_;
  FlatJsonObject nested_;  // scratch for reading an event's args and conn
  std::vector<std::pair<std::string, std::string>> args_;  // scratch: args being merged
  std::string level_json_, source_json_, stack_json_;  // scratch: a log's or exception's extra args
  int64_t last_ts_ns_ = 0;
};

}  // namespace lurk
