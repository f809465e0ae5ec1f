// Reads the two layers of systrace text, the form "systemTraceEvents" holds
// in a Chrome JSON trace (one ftrace text line per line), with the rules of
// Perfetto's systrace line tokenizer and atrace parser (docs/chrome-json.md):
//
//   ftrace line:  TASK-TID (TGID) [CPU] FLAGS SECONDS: EVENT: PAYLOAD
//                 e.g. "  app-12 (   12) [000] ...1  1.000001: tracing_mark_write: B|12|draw"
//                 (TGID and FLAGS may be missing; TASK may hold '-', ' ', '(')
//   atrace point: the payload of a tracing_mark_write / print / 0 event:
//                 B|tgid|name  E[|tgid]  C|tgid|name|value[|category]
//                 S|tgid|name|cookie  F|tgid|name|cookie  I|tgid|name
//                 N|tgid|track|name  G|tgid|track|name|cookie  H|tgid|track[|name]|cookie
//
// Only text is read here (no rows): chrome_system_trace turns what this
// returns into trace events. Timestamps are read from their digits
// (seconds with up to 9 decimals, exact in nanoseconds).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lurk {

struct FtraceLine {
  std::string_view task;  // the thread's name as ftrace knew it ("<...>": unknown)
  int64_t tid = 0;
  std::optional<int64_t> tgid;  // the "(TGID)" column, when it holds digits
  int64_t cpu = 0;
  int64_t ts_ns = 0;
  std::string_view event;    // "tracing_mark_write", "sched_switch", ...
  std::string_view payload;  // what follows "EVENT:", trimmed
};

// nullopt when the line is not in ftrace's text format.
std::optional<FtraceLine> parse_ftrace_line(std::string_view line);

struct AtracePoint {
  char phase = 0;               // B E C S F I N G H
  std::optional<int64_t> tgid;  // E may have none
  std::string_view name;        // slice, counter or instant name
  std::string_view track;       // N G H: the named track
  int64_t value = 0;            // C: the value; S F G H: the cookie
};

enum class AtraceParse {
  kPoint,        // `point` is filled
  kUnsupported,  // a known line lurk (and Perfetto) imports nothing from: trace_event_clock_sync
  kBad,          // not an atrace point; `why` says what was expected
};

AtraceParse parse_atrace_point(std::string_view payload, AtracePoint& point, std::string& why);

}  // namespace lurk
