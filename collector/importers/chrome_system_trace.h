// Turns the lines of a Chrome trace's "systemTraceEvents" (ftrace text, read
// by systrace_text) into Chrome trace events, so that they go through the
// same sorter and reader as "traceEvents" and get the same rows and checks,
// as Perfetto does with its atrace parser:
//
//   tracing_mark_write / print / 0 with payload
//     B|tgid|name            -> "B" on thread tgid:tid
//     E|tgid, E              -> "E" on the thread (bare E: the tid's process as seen before)
//     C|tgid|name|value      -> "C" on process tgid (series name)
//     S|tgid|name|cookie, F  -> async "b"/"e", id2.local "name:cookie", cat "atrace"
//     I|tgid|name            -> thread instant
//     N|tgid|track|name      -> thread instant with args {"track": track}
//     G|tgid|track|name|cookie, H -> async "b"/"e", id2.local "track:cookie", cat "atrace"
//   the line's task name     -> the thread's name (unless "<...>")
//
// Lines that are not ftrace text and payloads that are not atrace points are
// reported (bad-systrace-line, bad-atrace-event) with their byte offset;
// other ftrace events (sched_switch, cpu_frequency, ...; lurk has no CPU
// tracks) are counted in source_counters ("systrace-not-imported:EVENT"),
// the first of each kind reported. Lines starting with '#' are comments.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>

#include "importers/systrace_text.h"

namespace lurk {

class ChromeTraceReader;

class ChromeSystemTrace {
 public:
  // Where a made event goes: its JSON text, with the line's place in the file.
  using Push = std::function<void(std::string_view text, uint64_t offset, int64_t line)>;

  ChromeSystemTrace(ChromeTraceReader& reader, Push push);

  void line(std::string_view text, uint64_t offset, int64_t line);

 private:
  void point(const FtraceLine& ftrace, const AtracePoint& point, uint64_t offset, int64_t line);
  int64_t process_of(const FtraceLine& ftrace, std::optional<int64_t> tgid);
  void name_thread(const FtraceLine& ftrace, int64_t pid);
  void begin_event(char ph, int64_t pid, const FtraceLine& ftrace);

  ChromeTraceReader& reader_;
  Push push_;
  std::string event_;                             // the event being made
  std::unordered_map<int64_t, int64_t> pid_of_;   // tid -> its process, as lines said
  std::unordered_set<std::string> named_;         // "pid:tid" threads already named
  std::unordered_set<std::string> reported_events_;  // ftrace events reported as not imported
};

}  // namespace lurk
