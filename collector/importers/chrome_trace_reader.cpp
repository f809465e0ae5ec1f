#include "importers/chrome_trace_reader.h"

#include <nlohmann/json.hpp>

#include <cmath>

#include "importers/span_nesting.h"
#include "ingest/ingest_context.h"
#include "storage/trace_writer.h"

namespace lurk {

using nlohmann::json;
using Member = FlatJsonObject::Member;
using Kind = FlatJsonObject::Kind;

namespace {

// pid, tid and ids may be numbers or strings; both become text.
std::string id_text(const Member* v) {
  if (!v || v->kind == Kind::Null) return "";
  if (v->kind == Kind::Float) return std::to_string(static_cast<int64_t>(v->number));
  if (v->kind == Kind::Bool) return v->boolean ? "true" : "false";
  return v->text;
}

// The value as JSON text, for messages; "none" when missing.
std::string json_text(const Member* v) {
  if (!v) return "none";
  std::string out;
  v->append_json(out);
  return out;
}

bool true_field(const FlatJsonObject& ev, std::string_view key) {
  const Member* v = ev.find(key);
  return v && v->kind == Kind::Bool && v->boolean;
}

std::optional<int64_t> micros_to_ns(const Member& v) {
  if (!v.is_number()) return std::nullopt;
  double us = v.number;
  if (!std::isfinite(us) || std::fabs(us) > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(std::llround(us * 1000.0));
}

}  // namespace

ChromeTraceReader::ChromeTraceReader(IngestContext& ctx)
    : ctx_(ctx), threads_(ctx.writer, ctx.source.id, ThreadTracker::Nesting::ByTime) {}

void ChromeTraceReader::error(const Where& at, const std::string& kind,
                              const std::string& message) {
  ctx_.report_error(at.offset, at.line, kind, message);
}

int64_t ChromeTraceReader::os_thread(const Event& ev) {
  const Member* pid = ev.find("pid");
  const Member* tid = ev.find("tid");
  std::string pid_text = id_text(pid);
  key_.assign(pid_text).append(":").append(id_text(tid));
  if (auto it = os_threads_.find(key_); it != os_threads_.end()) return it->second;
  bool fresh = !threads_.has_thread(key_);
  int64_t id = threads_.thread_id(key_);
  if (fresh) {
    threads_.thread(id).kind = "thread";
    thread_pids_.emplace(id, pid_text);
  }
  os_threads_.emplace(key_, id);
  return id;
}

int64_t ChromeTraceReader::intern(std::string_view text) {
  if (auto it = interned_.find(text); it != interned_.end()) return it->second;
  int64_t id = threads_.intern(text);
  interned_.emplace(std::string(text), id);
  return id;
}

std::optional<int64_t> ChromeTraceReader::timestamp(const Event& ev, const Where& at) {
  const Member* ts = ev.find("ts");
  std::optional<int64_t> ns = ts ? micros_to_ns(*ts) : std::nullopt;
  if (!ns) {
    error(at, "missing-field",
          std::string("expected a numeric \"ts\" (microseconds) in the \"") +
              std::string(ev.string("ph")) + "\" event, found " + json_text(ts));
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
  if (cat.empty()) return args->text;
  if (has_args && args->text.find("\"cat\":") != std::string::npos) {
    // Maybe a key of args (else text inside it): look properly; rare.
    nested_.parse(args->text);
    if (nested_.find("cat")) return args->text;
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

// Async and flow ids: "id2": {"local": ...} is scoped by process, "id2":
// {"global": ...} and plain "id" by category (Chrome's rules).
std::string ChromeTraceReader::async_key(const Event& ev) {
  std::string cat(ev.string("cat"));
  std::string pid = id_text(ev.find("pid"));
  if (const Member* id2 = ev.find("id2"); id2 && id2->kind == Kind::Object) {
    nested_.parse(id2->text);
    if (const Member* local = nested_.find("local"))
      return pid + ":local:" + cat + ":" + id_text(local);
    if (const Member* global = nested_.find("global")) return "global:" + cat + ":" + id_text(global);
  }
  std::string scope(ev.string("scope"));
  return pid + ":" + scope + ":" + cat + ":" + id_text(ev.find("id"));
}

void ChromeTraceReader::event(const Event& ev, uint64_t offset, int64_t line) {
  Where at{offset, line};
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
      ++counts_["unknown-phase:" + std::string(ph)];
      ++ctx_.source.skipped;
      return;
  }
}

void ChromeTraceReader::on_begin(const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  int64_t thread = os_thread(ev);
  threads_.begin_span(thread, *ts, name_of(ev), args_json(ev));
  bind_flows(ev, thread, *ts, at);
}

void ChromeTraceReader::on_end(const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  int64_t thread = os_thread(ev);
  if (!threads_.end_span(thread, *ts)) {
    error(at, "unmatched-end",
          "\"E\" event on thread " + threads_.thread(thread).ext_id +
              " with no open \"B\" span; ignored");
    ++ctx_.source.skipped;
  }
}

void ChromeTraceReader::on_complete(const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  const Member* dur = ev.find("dur");
  std::optional<int64_t> dur_ns = dur ? micros_to_ns(*dur) : std::optional<int64_t>(0);
  if (!dur_ns || *dur_ns < 0) {
    error(at, "bad-field", "expected a non-negative numeric \"dur\" in the \"X\" event, found " +
                               json_text(dur) + "; taken as 0");
    dur_ns = 0;
  }
  int64_t thread = os_thread(ev);
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
    if (scope == "p") args["pid"] = id_text(ev.find("pid"));
    row.args_json = args.dump();
  } else {
    row.thread_id = os_thread(ev);
    bind_flows(ev, *row.thread_id, *ts, at);
  }
  threads_.instant(row);
}

void ChromeTraceReader::on_counter(const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  const Member* args = ev.find("args");
  if (!args || args->kind != Kind::Object) {
    error(at, "missing-field", "expected an \"args\" object of values in the \"C\" event");
    ++ctx_.source.skipped;
    return;
  }
  std::string base(ev.string("name"));
  if (const Member* id = ev.find("id")) base += " " + id_text(id);
  int64_t thread = os_thread(ev);
  nested_.parse(args->text);
  for (size_t i = 0; i < nested_.size(); ++i) {
    const Member& value = nested_[i];
    if (nested_.find(value.key) != &value) continue;  // a repeated key: its last value counts
    std::optional<double> number;
    if (value.is_number()) number = value.number;
    else if (value.kind == Kind::String) {
      // Some writers quote numbers; anything else is not a sample.
      const std::string& s = value.text;
      char* end = nullptr;
      double v = std::strtod(s.c_str(), &end);
      if (!s.empty() && end && *end == '\0') number = v;
    }
    if (!number) {
      ++counts_["non-numeric-counter-value"];
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

void ChromeTraceReader::on_async(char phase, const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  std::string key = async_key(ev);
  auto it = async_threads_.find(key);
  bool begins = phase == 'b' || phase == 'S';
  if (it == async_threads_.end()) {
    if (!begins) {
      error(at, "unknown-id",
            std::string("\"") + phase + "\" event for async id " + key +
                " that no \"b\" event began; ignored");
      ++ctx_.source.skipped;
      return;
    }
    int64_t id = threads_.thread_id("async:" + key);
    ThreadRow& row = threads_.thread(id);
    row.kind = "async";
    row.name = name_of(ev);
    row.start_ns = *ts;
    row.parent_id = os_thread(ev);
    it = async_threads_.emplace(key, id).first;
  }
  int64_t thread = it->second;
  if (begins) {
    threads_.begin_span(thread, *ts, name_of(ev), args_json(ev), "async");
  } else if (phase == 'e' || phase == 'F') {
    if (!threads_.end_span(thread, *ts)) {
      error(at, "unmatched-end",
            std::string("\"") + phase + "\" event for async id " + key + " with nothing open");
      ++ctx_.source.skipped;
      return;
    }
    ThreadRow& row = threads_.thread(thread);
    row.end_ns = *ts;
  } else {
    InstantRow row;
    row.thread_id = thread;
    row.ts_ns = *ts;
    row.kind = "instant";
    row.name = name_of(ev);
    row.args_json = args_json(ev);
    threads_.instant(row);
  }
}

void ChromeTraceReader::on_flow(char phase, const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  int64_t thread = os_thread(ev);
  std::string key = "flow:" + async_key(ev);
  if (phase == 's') {
    open_flows_[key] = FlowEnd{thread, *ts};
    return;
  }
  flow_step(key, phase == 'f', thread, *ts, at);
}

// Draws the arrow from where flow `key` was last seen to here; a step ('t')
// keeps the flow open from here on, an end ('f') closes it.
void ChromeTraceReader::flow_step(const std::string& key, bool end, int64_t thread_id,
                                  int64_t ts_ns, const Where& at) {
  auto it = open_flows_.find(key);
  if (it == open_flows_.end()) {
    error(at, "unknown-id", "flow " + key + " continues here but never started; ignored");
    ++ctx_.source.skipped;
    return;
  }
  FlowRow row;
  row.kind = "flow";
  row.from_thread = it->second.thread_id;
  row.from_ns = it->second.ts_ns;
  row.to_thread = thread_id;
  row.to_ns = ts_ns;
  threads_.flow(row);
  if (end) open_flows_.erase(it);
  else it->second = FlowEnd{thread_id, ts_ns};
}

// Flow events v2: a slice with "bind_id" and "flow_out" starts a flow,
// one with "flow_in" ends it.
void ChromeTraceReader::bind_flows(const Event& ev, int64_t thread_id, int64_t ts_ns,
                                   const Where& at) {
  const Member* bind = ev.find("bind_id");
  if (!bind) return;
  std::string key = "bind:" + id_text(bind);
  if (true_field(ev, "flow_in")) flow_step(key, true, thread_id, ts_ns, at);
  if (true_field(ev, "flow_out")) open_flows_[key] = FlowEnd{thread_id, ts_ns};
}

void ChromeTraceReader::on_metadata(const Event& ev, const Where& at) {
  std::string name(ev.string("name"));
  const Member* args = ev.find("args");
  if (!args || args->kind != Kind::Object) {
    error(at, "missing-field", "expected an \"args\" object in the \"M\" event \"" + name + "\"");
    ++ctx_.source.skipped;
    return;
  }
  nested_.parse(args->text);
  if (name == "thread_name") {
    std::string thread_name(nested_.string("name"));
    threads_.thread(os_thread(ev)).name = threads_.intern(thread_name);
  } else if (name == "thread_sort_index") {
    const Member* index = nested_.find("sort_index");
    if (index && index->is_number()) {
      int64_t sort = index->kind == Kind::Int    ? index->int_value
                     : index->kind == Kind::Uint ? static_cast<int64_t>(index->uint_value)
                                                 : static_cast<int64_t>(index->number);
      threads_.thread(os_thread(ev)).sort_index = sort;
    }
  } else if (name == "process_name") {
    process_names_[id_text(ev.find("pid"))] = std::string(nested_.string("name"));
  } else {
    // process_labels, process_sort_index, process_uptime_seconds, ...
    ++counts_["metadata-not-imported:" + name];
  }
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
  size_t closed = threads_.finish(last_ts_ns_);
  if (closed > 0) counts_["spans-closed-at-end"] += static_cast<int64_t>(closed);
  if (!open_flows_.empty()) counts_["flows-never-ended"] += static_cast<int64_t>(open_flows_.size());
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
