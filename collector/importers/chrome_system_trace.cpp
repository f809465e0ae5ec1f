#include "importers/chrome_system_trace.h"

#include <cstdio>

#include "importers/chrome_json_flat_object.h"
#include "importers/chrome_trace_reader.h"

namespace lurk {
namespace {

// A line as it appears in a message: bounded, so a megabyte of garbage
// makes a readable error.
std::string quoted_excerpt(std::string_view text) {
  constexpr size_t kMax = 120;
  std::string out = "'" + std::string(text.substr(0, kMax));
  out += text.size() > kMax ? "...'" : "'";
  return out;
}

void append_ts_micros(std::string& out, int64_t ns) {
  // Microseconds with three decimals: exact, and read back exactly.
  out += std::to_string(ns / 1000);
  char frac[8];
  std::snprintf(frac, sizeof frac, ".%03d", static_cast<int>(ns % 1000));
  out += frac;
}

}  // namespace

ChromeSystemTrace::ChromeSystemTrace(ChromeTraceReader& reader, Push push)
    : reader_(reader), push_(std::move(push)) {}

void ChromeSystemTrace::line(std::string_view text, uint64_t offset, int64_t line) {
  std::string_view trimmed = text;
  while (!trimmed.empty() && (trimmed.front() == ' ' || trimmed.front() == '\t')) trimmed.remove_prefix(1);
  while (!trimmed.empty() && (trimmed.back() == '\r' || trimmed.back() == ' ')) trimmed.remove_suffix(1);
  if (trimmed.empty() || trimmed.front() == '#') return;  // comments and the tracer's header
  std::optional<FtraceLine> ftrace = parse_ftrace_line(trimmed);
  if (!ftrace) {
    reader_.not_read(offset, line, "bad-systrace-line",
                     "expected an ftrace text line 'TASK-TID (TGID) [CPU] FLAGS SECONDS: EVENT: ...' "
                     "in \"systemTraceEvents\", found " + quoted_excerpt(trimmed) + "; skipped");
    return;
  }
  const std::string_view event = ftrace->event;
  if (event != "tracing_mark_write" && event != "print" && event != "0") {
    std::string kind = "systrace-not-imported:" + std::string(event);
    reader_.count(kind);
    if (reported_events_.insert(std::string(event)).second)
      reader_.report(offset, line, "not-imported",
                     "ftrace \"" + std::string(event) + "\" lines are not imported (lurk reads the "
                     "atrace points of tracing_mark_write lines); counted in source_counters '" +
                         kind + "'");
    return;
  }
  AtracePoint atrace;
  std::string why;
  switch (parse_atrace_point(ftrace->payload, atrace, why)) {
    case AtraceParse::kPoint: point(*ftrace, atrace, offset, line); return;
    case AtraceParse::kUnsupported: reader_.count("systrace-clock-sync"); return;
    case AtraceParse::kBad:
      reader_.not_read(offset, line, "bad-atrace-event", why + " in a tracing_mark_write line; skipped");
      return;
  }
}

// The process a point belongs to: its own tgid when it names one (0 is the
// kernel's "unknown"), else the line's (TGID) column, else what earlier
// lines said about the thread, else the thread is its own process.
int64_t ChromeSystemTrace::process_of(const FtraceLine& ftrace, std::optional<int64_t> tgid) {
  if (tgid && *tgid != 0) return pid_of_[ftrace.tid] = *tgid;
  if (ftrace.tgid && *ftrace.tgid != 0) return pid_of_[ftrace.tid] = *ftrace.tgid;
  auto it = pid_of_.find(ftrace.tid);
  return it != pid_of_.end() ? it->second : ftrace.tid;
}

void ChromeSystemTrace::name_thread(const FtraceLine& ftrace, int64_t pid) {
  if (ftrace.task.empty() || ftrace.task == "<...>") return;  // ftrace did not know the name
  std::string key = std::to_string(pid) + ":" + std::to_string(ftrace.tid);
  if (!named_.insert(key).second) return;
  reader_.name_os_thread(std::to_string(pid), std::to_string(ftrace.tid), ftrace.task);
}

void ChromeSystemTrace::begin_event(char ph, int64_t pid, const FtraceLine& ftrace) {
  event_.assign("{\"ph\":\"").push_back(ph);
  event_ += "\",\"pid\":" + std::to_string(pid) + ",\"tid\":" + std::to_string(ftrace.tid) + ",\"ts\":";
  append_ts_micros(event_, ftrace.ts_ns);
}

void ChromeSystemTrace::point(const FtraceLine& ftrace, const AtracePoint& p, uint64_t offset,
                              int64_t line) {
  int64_t pid = process_of(ftrace, p.tgid);
  // A counter belongs to its process: naming its writer would make a thread
  // with nothing on it.
  if (p.phase != 'C') name_thread(ftrace, pid);
  auto name = [this](std::string_view key, std::string_view value) {
    event_ += ",\"";
    event_ += key;
    event_ += "\":";
    append_json_string(event_, value);
  };
  auto async_id = [&](std::string_view scope_name) {
    event_ += ",\"cat\":\"atrace\",\"id2\":{\"local\":";
    append_json_string(event_, std::string(scope_name) + ":" + std::to_string(p.value));
    event_ += "}";
  };
  switch (p.phase) {
    case 'B': begin_event('B', pid, ftrace); name("name", p.name); break;
    case 'E': begin_event('E', pid, ftrace); break;
    case 'C':
      begin_event('C', pid, ftrace);
      name("name", p.name);
      event_ += ",\"args\":{\"value\":" + std::to_string(p.value) + "}";
      break;
    case 'S':
    case 'F':
      begin_event(p.phase == 'S' ? 'b' : 'e', pid, ftrace);
      name("name", p.name);
      async_id(p.name);
      if (p.phase == 'S') event_ += ",\"args\":{\"cookie\":" + std::to_string(p.value) + "}";
      break;
    case 'I':
    case 'N':
      begin_event('i', pid, ftrace);
      event_ += ",\"s\":\"t\"";
      name("name", p.name);
      if (p.phase == 'N') {
        event_ += ",\"args\":{";
        append_json_string(event_, "track");
        event_ += ":";
        append_json_string(event_, p.track);
        event_ += "}";
      }
      break;
    case 'G':
    case 'H':
      begin_event(p.phase == 'G' ? 'b' : 'e', pid, ftrace);
      if (p.phase == 'G') name("name", p.name);
      async_id(p.track);
      break;
    default: return;
  }
  event_ += "}";
  push_(event_, offset, line);
}

}  // namespace lurk
