#include "importers/chrome_trace_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <optional>

#include "importers/chrome_event_fields.h"
#include "importers/span_nesting.h"
#include "ingest/ingest_context.h"
#include "storage/trace_writer.h"

namespace lurk {

using nlohmann::json;
using Member = FlatJsonObject::Member;
using Kind = FlatJsonObject::Kind;
using chrome_fields::id_text;
using chrome_fields::json_text;

namespace {

// A double as int64_t (its integer part); nullopt when it is not finite or
// out of range, where the cast would be undefined ("id": 1e308).
std::optional<int64_t> to_int64(double v) {
  if (!(v >= -9223372036854775808.0 && v < 9223372036854775808.0)) return std::nullopt;
  return static_cast<int64_t>(v);
}

// A pid or tid as text: numbers as they are, strings quoted, so that the
// string "1" and the number 1 stay two processes (as in Perfetto, which
// interns a string pid as a name). nullopt when missing.
std::optional<std::string> os_id_text(const Member* v) {
  if (!v || v->kind == Kind::Null) return std::nullopt;
  if (v->kind == Kind::Float) {
    if (std::optional<int64_t> whole = to_int64(v->number)) return std::to_string(*whole);
    char text[32];  // beyond int64_t (1e308, inf): the number itself names the process
    std::snprintf(text, sizeof text, "%.17g", v->number);
    return std::string(text);
  }
  if (v->kind == Kind::Bool) return v->boolean ? "true" : "false";
  if (v->kind == Kind::String) {
    std::string quoted;
    append_json_string(quoted, v->text);
    return quoted;
  }
  return std::string(v->text);
}

// A missing pid is 0, as in Perfetto.
std::string pid_text(const FlatJsonObject& ev) { return os_id_text(ev.find("pid")).value_or("0"); }

// os_id_text appended to `out` without a string of its own (every event
// looks its thread up: no allocation on that path); false when missing.
// The same text as os_id_text, so a float beyond int64_t is not cast
// (undefined; fuzz regression chrome_json/pid-1e308.json).
bool append_os_id(std::string& out, const Member* v) {
  if (!v || v->kind == Kind::Null) return false;
  switch (v->kind) {
    case Kind::Float:
      if (std::optional<int64_t> whole = to_int64(v->number)) out += std::to_string(*whole);
      else out += *os_id_text(v);
      break;
    case Kind::Bool: out += v->boolean ? "true" : "false"; break;
    case Kind::String: append_json_string(out, v->text); break;
    default: out += v->text;
  }
  return true;
}

constexpr int kReportedPerKind = 100;

}  // namespace

ChromeTraceReader::ChromeTraceReader(IngestContext& ctx)
    : ctx_(ctx), threads_(ctx.writer, ctx.source.id, ThreadTracker::Nesting::ByTime) {}

void ChromeTraceReader::error(const Where& at, const std::string& kind,
                              const std::string& message) {
  ctx_.report_error(at.offset, at.line, kind, message);
}

void ChromeTraceReader::dropped(const Where& at, const std::string& kind,
                                const std::string& message) {
  int64_t seen = ++counts_[kind];
  ++ctx_.source.skipped;
  if (seen <= kReportedPerKind) error(at, kind, message);
  else if (seen == kReportedPerKind + 1)
    error(at, kind, "more events like the one before; from here on only counted "
                    "(source_counters '" + kind + "')");
}

// A thread without "tid" is the process's main thread: tid = pid.
int64_t ChromeTraceReader::os_thread(const Event& ev) {
  const Member* tid = ev.find("tid");
  key_.clear();
  if (!append_os_id(key_, ev.find("pid"))) key_ += '0';
  size_t pid_length = key_.size();
  key_ += ':';
  if (!append_os_id(key_, tid)) key_ += std::string(key_, 0, pid_length);
  if (auto it = os_threads_.find(key_); it != os_threads_.end()) return it->second;
  std::string pid = key_.substr(0, pid_length), tid_text = key_.substr(pid_length + 1);
  bool fresh = false;
  int64_t id = os_thread_id(pid, tid_text, fresh);
  // A string tid names its thread, until a thread_name says otherwise.
  if (fresh && tid && tid->kind == Kind::String) threads_.thread(id).name = intern(tid->text);
  return id;
}

int64_t ChromeTraceReader::os_thread_id(const std::string& pid, const std::string& tid, bool& fresh) {
  key_.assign(pid).append(":").append(tid);
  if (auto it = os_threads_.find(key_); it != os_threads_.end()) return it->second;
  fresh = !threads_.has_thread(key_);
  int64_t id = threads_.thread_id(key_);
  if (fresh) {
    threads_.thread(id).kind = "thread";
    thread_pids_.emplace(id, pid);
  }
  os_threads_.emplace(key_, id);
  return id;
}

void ChromeTraceReader::name_os_thread(const std::string& pid, const std::string& tid,
                                       std::string_view name) {
  bool fresh = false;
  ThreadRow& row = threads_.thread(os_thread_id(pid, tid, fresh));
  if (!row.name) row.name = intern(name);
}

void ChromeTraceReader::not_read(uint64_t offset, int64_t line, const std::string& kind,
                                 const std::string& message) {
  ++ctx_.source.records;
  dropped(Where{offset, line}, kind, message);
}

// A process's own track (ext_id "pid", kind 'process'): its counters, as
// Perfetto's process counter tracks, whichever thread wrote them.
int64_t ChromeTraceReader::process_track(const Event& ev) {
  key_.clear();
  if (!append_os_id(key_, ev.find("pid"))) key_ += '0';
  if (auto it = processes_.find(key_); it != processes_.end()) return it->second;
  std::string pid = key_;
  int64_t id = threads_.thread_id(pid);
  threads_.thread(id).kind = "process";
  processes_.emplace(pid, id);
  return id;
}

int64_t ChromeTraceReader::intern(std::string_view text) {
  if (auto it = interned_.find(text); it != interned_.end()) return it->second;
  int64_t id = threads_.intern(text);
  interned_.emplace(std::string(text), id);
  return id;
}

std::optional<int64_t> ChromeTraceReader::timestamp(const Event& ev, const Where& at) {
  const Member* ts = sorted_ts_ns_ ? nullptr : ev.find("ts");
  std::optional<int64_t> ns = sorted_ts_ns_ ? sorted_ts_ns_ : ts ? chrome_timestamp_ns(*ts) : std::nullopt;
  if (!ns) {
    dropped(at, "missing-field",
            std::string("expected a numeric \"ts\" (microseconds) in the \"") +
                std::string(ev.string("ph")) + "\" event, found " + json_text(ts) + "; skipped");
    return std::nullopt;
  }
  last_ts_ns_ = std::max(last_ts_ns_, *ns);
  return ns;
}

// The event's args as JSON, with its "cat" added first unless args has one.
// Args are kept as the compact text the parser wrote, never parsed again.
std::optional<std::string> ChromeTraceReader::args_json(const Event& ev) {
  const Member* args = ev.find("args");
  std::string_view cat = ev.string("cat");
  bool has_args = args && args->kind == Kind::Object && args->text.size() > 2;
  if (!has_args && cat.empty()) return std::nullopt;
  if (cat.empty()) return std::string(args->text);
  if (has_args && args->text.find("\"cat\":") != std::string::npos) {
    // Maybe a key of args (else text inside it): look properly; rare.
    nested_.parse(args->text);
    if (nested_.find("cat")) return std::string(args->text);
  }
  std::string out = "{\"cat\":";
  append_json_string(out, cat);
  if (has_args) out.append(",").append(args->text, 1);
  else out.push_back('}');
  return out;
}

std::optional<int64_t> ChromeTraceReader::name_of(const Event& ev) {
  const Member* name = ev.find("name");
  if (!name || name->kind != Kind::String) return std::nullopt;
  return intern(name->text);
}

void ChromeTraceReader::event(const Event& ev, const SortedEvent& sorted) {
  Where at{sorted.offset, sorted.line};
  late_ = sorted.late;
  sorted_ts_ns_ = sorted.ts_ns;
  ++ctx_.source.records;
  if (!ev.is_object()) {
    error(at, "bad-event", "expected a trace event object, found " + std::string(ev.type_name()));
    ++ctx_.source.skipped;
    return;
  }
  std::string_view ph = ev.string("ph");
  if (ph.size() != 1) {
    error(at, "missing-field",
          "expected a one-letter \"ph\" (phase) in the trace event, found " +
              json_text(ev.find("ph")));
    ++ctx_.source.skipped;
    return;
  }
  switch (ph[0]) {
    case 'B': on_begin(ev, at); break;
    case 'E': on_end(ev, at); break;
    case 'X': on_complete(ev, at); break;
    case 'i': case 'I': case 'R': on_instant(ev, at); break;
    case 'C': on_counter(ev, at); break;
    case 'b': case 'e': case 'n': case 'S': case 'F': case 'T': case 'p':
      on_async(ph[0], ev, at);
      break;
    case 's': case 't': case 'f': on_flow(ph[0], ev, at); break;
    case 'M': on_metadata(ev, at); break;
    default:
      dropped(at, "unknown-phase:" + std::string(ph),
              "\"" + std::string(ph) + "\" events are not imported; skipped");
      return;
  }
  // X events come late by nature (written when they end) and nest by time
  // anyway; any other event this late may have been paired wrongly.
  if (late_ && ph[0] != 'X' && ph[0] != 'M')
    error(at, "out-of-order",
          "event more than " + std::to_string(ChromeEventSorter::kWindowEvents) +
              " events away from its place in time (events up to " +
              std::to_string(sorted.handed_on_until_ns) + " ns were already read); read late, "
              "so what it pairs with may be wrong");
}

void ChromeTraceReader::on_begin(const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  int64_t thread = os_thread(ev);
  slice_begins(thread, *ts);
  if (!late_) {
    std::vector<OpenSlice>& open = lane(thread).slices;
    while (!open.empty() && open.back().end_ns <= *ts) open.pop_back();
    open.push_back(OpenSlice{*ts, kOpenEnd, at});
  }
  threads_.begin_span(thread, *ts, name_of(ev), args_json(ev));
  bind_flows(ev, thread, *ts, at);
}

void ChromeTraceReader::on_end(const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  int64_t thread = os_thread(ev);
  if (!threads_.end_span(thread, *ts)) {
    dropped(at, "unmatched-end",
            "\"E\" event on thread " + threads_.thread(thread).ext_id +
                " with no open \"B\" span; skipped");
    return;
  }
  close_open_slice(thread, *ts, at);
}

// The innermost B of the thread ends at ts_ns; a complete span inside it
// that ends later overlaps it without nesting.
void ChromeTraceReader::close_open_slice(int64_t thread_id, int64_t ts_ns, const Where& at) {
  std::vector<OpenSlice>& open = lane(thread_id).slices;
  while (!open.empty() && open.back().end_ns <= ts_ns) open.pop_back();
  auto b = std::find_if(open.rbegin(), open.rend(),
                        [](const OpenSlice& s) { return s.end_ns == kOpenEnd; });
  if (b == open.rend()) return;  // its B came late and was never tracked here
  if (!late_ && b != open.rbegin() && open.back().end_ns > ts_ns)
    error(at, "overlapping-slices",
          "the \"E\" at " + std::to_string(ts_ns) + " ns on thread " +
              threads_.thread(thread_id).ext_id + " ends its \"B\" before the complete span "
              "inside it (from byte offset " + std::to_string(open.back().at.offset) +
              ") ends; both kept at full length, the inner one on a deeper row");
  open.erase(std::next(b).base());
}

// An X from start_ns to end_ns on a thread whose slices arrive in time
// order: one that starts inside another and ends after it does not nest.
// Perfetto keeps both at full length (the later one a row deeper) and
// counts it; so does lurk, with the place of both.
void ChromeTraceReader::check_overlap(int64_t thread_id, int64_t start_ns, int64_t end_ns,
                                      const Where& at) {
  std::vector<OpenSlice>& open = lane(thread_id).slices;
  while (!open.empty() && open.back().end_ns <= start_ns) open.pop_back();
  if (!open.empty() && open.back().end_ns != kOpenEnd && open.back().end_ns < end_ns &&
      open.back().start_ns < start_ns)
    error(at, "overlapping-slices",
          "complete span from " + std::to_string(start_ns) + " to " + std::to_string(end_ns) +
              " ns on thread " + threads_.thread(thread_id).ext_id +
              " starts inside the one at byte offset " + std::to_string(open.back().at.offset) +
              " and ends after it; both kept at full length, the later one on a deeper row");
  open.push_back(OpenSlice{start_ns, end_ns, at});
}

void ChromeTraceReader::on_complete(const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  const Member* dur = ev.find("dur");
  std::optional<int64_t> dur_ns = dur ? chrome_timestamp_ns(*dur) : std::nullopt;
  if (!dur_ns || *dur_ns < 0) {
    // Perfetto drops an X without a duration; a zero-length span would be made up.
    dropped(at, "bad-duration",
            "expected a non-negative numeric \"dur\" in the \"X\" event, found " +
                json_text(dur) + "; skipped");
    return;
  }
  int64_t thread = os_thread(ev);
  slice_begins(thread, *ts);
  if (!late_) check_overlap(thread, *ts, *ts + *dur_ns, at);
  threads_.complete_span(thread, *ts, *ts + *dur_ns, name_of(ev), args_json(ev));
  last_ts_ns_ = std::max(last_ts_ns_, *ts + *dur_ns);
  bind_flows(ev, thread, *ts, at);
}

void ChromeTraceReader::on_instant(const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  std::string_view scope = ev.string("s");
  InstantRow row;
  row.ts_ns = *ts;
  row.kind = "instant";
  row.name = name_of(ev);
  row.args_json = args_json(ev);
  if (scope == "g" || scope == "p") {
    json args = row.args_json ? json::parse(*row.args_json) : json::object();
    args["scope"] = scope == "g" ? "global" : "process";
    if (scope == "p") args["pid"] = pid_text(ev);
    row.args_json = args.dump();
  } else {
    row.thread_id = os_thread(ev);
    slice_begins(*row.thread_id, *ts);
    bind_flows(ev, *row.thread_id, *ts, at);
  }
  threads_.instant(row);
}

void ChromeTraceReader::on_counter(const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  const Member* args = ev.find("args");
  if (!args || args->kind != Kind::Object) {
    dropped(at, "missing-field", "expected an \"args\" object of values in the \"C\" event; skipped");
    return;
  }
  std::string base(ev.string("name"));
  if (const Member* id = ev.find("id")) base += " " + id_text(id);
  int64_t thread = process_track(ev);
  nested_.parse(args->text);
  for (size_t i = 0; i < nested_.size(); ++i) {
    const Member& value = nested_[i];
    if (nested_.find(value.key) != &value) continue;  // a repeated key: its last value counts
    std::optional<double> number;
    if (value.is_number()) number = value.number;
    else if (value.kind == Kind::String) {
      // Some writers quote numbers; anything else is not a sample.
      std::string s(value.text);  // strtod needs it terminated
      char* end = nullptr;
      double v = std::strtod(s.c_str(), &end);
      if (!s.empty() && end && *end == '\0') number = v;
    }
    if (!number) {
      std::string text;
      value.append_json(text);
      dropped(at, "non-numeric-counter-value",
              "counter \"" + base + "\" value \"" + std::string(value.key) + "\" is " + text +
                  ", not a number; that series skipped here");
      --ctx_.source.skipped;  // the event itself is kept
      continue;
    }
    CounterRow row;
    row.thread_id = thread;
    if (value.key == "value") row.name = intern(base);
    else row.name = intern(key_.assign(base).append(".").append(value.key));
    row.ts_ns = *ts;
    row.value = *number;
    threads_.counter(row);
  }
}

void ChromeTraceReader::on_metadata(const Event& ev, const Where& at) {
  std::string name(ev.string("name"));
  const Member* args = ev.find("args");
  if (!args || args->kind != Kind::Object) {
    dropped(at, "missing-field",
            "expected an \"args\" object in the \"M\" event \"" + name + "\"; skipped");
    return;
  }
  nested_.parse(args->text);
  if (name == "thread_name") {
    std::string thread_name(nested_.string("name"));
    threads_.thread(os_thread(ev)).name = threads_.intern(thread_name);
  } else if (name == "thread_sort_index") {
    const Member* index = nested_.find("sort_index");
    if (index && index->is_number()) {
      // Out of int64_t's range: the nearest end (a uint above INT64_MAX, 1e300).
      std::optional<int64_t> sort =
          index->kind == Kind::Int    ? index->int_value
          : index->kind == Kind::Uint ? static_cast<int64_t>(std::min<uint64_t>(index->uint_value, INT64_MAX))
                                      : to_int64(index->number);
      if (!sort) sort = index->number < 0 ? INT64_MIN : INT64_MAX;
      threads_.thread(os_thread(ev)).sort_index = *sort;
    }
  } else if (name == "process_name") {
    process_names_[pid_text(ev)] = std::string(nested_.string("name"));
  } else {
    // process_labels, process_sort_index, process_uptime_seconds, ...
    ++counts_["metadata-not-imported:" + name];
  }
}

// What the end of the trace left open, each with the place of its event:
// B spans closed at the trace's end, flows that never reached their end.
void ChromeTraceReader::report_unfinished() {
  for (auto& [thread_id, lane] : lanes_) {
    for (const OpenSlice& open : lane.slices)
      if (open.end_ns == kOpenEnd)
        error(open.at, "unclosed-span",
              "\"B\" on thread " + threads_.thread(thread_id).ext_id +
                  " never ended; closed at the end of the trace (" + std::to_string(last_ts_ns_) +
                  " ns)");
    for (const FlowEnd& flow : lane.awaiting_slice)
      error(flow.at, "flow-without-slice",
            "flow ends (\"f\" without bp:\"e\") on the next slice of thread " +
                threads_.thread(thread_id).ext_id + ", but no slice began there after it; dropped");
    if (!lane.awaiting_slice.empty())
      counts_["flows-without-slice"] += static_cast<int64_t>(lane.awaiting_slice.size());
  }
  for (const auto& [thread_id, begins] : async_open_)
    for (const Where& at : begins)
      error(at, "unclosed-span",
            "async \"b\" on " + threads_.thread(thread_id).ext_id +
                " never ended; closed at the end of the trace (" + std::to_string(last_ts_ns_) +
                " ns)");
  for (const auto& [key, flow] : open_flows_)
    error(flow.at, "flow-never-ended", "flow " + key + " began here but never ended; dropped");
  if (!open_flows_.empty()) counts_["flows-never-ended"] += static_cast<int64_t>(open_flows_.size());
}

void ChromeTraceReader::finish() {
  // Threads without a name of their own are called after their process.
  for (const auto& [thread_id, pid] : thread_pids_) {
    ThreadRow& row = threads_.thread(thread_id);
    if (row.name) continue;
    auto process = process_names_.find(pid);
    std::string tid = row.ext_id.substr(pid.size() + 1);
    row.name = threads_.intern(process != process_names_.end() ? process->second + " " + tid
                                                               : row.ext_id);
  }
  for (const auto& [pid, track] : processes_) {
    auto process = process_names_.find(pid);
    threads_.thread(track).name =
        threads_.intern(process != process_names_.end() ? process->second : "process " + pid);
  }
  report_unfinished();
  size_t closed = threads_.finish(last_ts_ns_);
  if (closed > 0) counts_["spans-closed-at-end"] += static_cast<int64_t>(closed);
  // Depths were given as the spans arrived; threads whose spans came out of
  // order are read back and nested again.
  std::vector<int64_t> in_doubt = threads_.threads_nested_in_doubt();
  if (!in_doubt.empty()) {
    counts_["threads-renested"] += static_cast<int64_t>(in_doubt.size());
    renest_spans(ctx_.writer, in_doubt);
  }
  for (const auto& [name, value] : counts_)
    ctx_.writer.insert_source_counter(SourceCounterRow{ctx_.source.id, name, value});
}

}  // namespace lurk
