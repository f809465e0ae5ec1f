// The ChromeTraceReader's async events (b/e/n, S/T/F) and flows (v1 s/t/f,
// v2 bind_id), with Perfetto's scoping of ids: an async "id" or
// "id2.global" is global (per category), only "id2.local" belongs to its
// process; a v1 flow is keyed by (cat, name, id) whatever the process; a v2
// flow by its bind_id alone.
#include <cerrno>
#include <cstdlib>

#include "importers/chrome_event_fields.h"
#include "importers/chrome_trace_reader.h"
#include "ingest/ingest_context.h"

namespace lurk {

using Member = FlatJsonObject::Member;
using Kind = FlatJsonObject::Kind;
using chrome_fields::id_text;
using chrome_fields::json_text;

std::string ChromeTraceReader::async_key(const Event& ev) {
  std::string cat(ev.string("cat"));
  if (const Member* id2 = ev.find("id2"); id2 && id2->kind == Kind::Object) {
    nested_.parse(id2->text);
    if (const Member* local = nested_.find("local")) {
      std::string pid = ev.find("pid") ? json_text(ev.find("pid")) : "0";
      return "local:" + pid + ":" + cat + ":" + id_text(local);
    }
    if (const Member* global = nested_.find("global")) return "global:" + cat + ":" + id_text(global);
  }
  return "global:" + cat + ":" + id_text(ev.find("id"));
}

// A flow id as Perfetto reads it: a number, or a string of hex digits
// ("0x1a" and 26 are one flow). Other strings are kept as they are (Perfetto
// drops them). nullopt, reported, when there is no id at all.
std::optional<std::string> ChromeTraceReader::flow_key(const Event& ev, std::string_view id_field,
                                                       const Where& at) {
  const Member* id = ev.find(id_field);
  if (!id || !(id->is_integer() || id->kind == Kind::String)) {
    dropped(at, "bad-flow-id",
            "expected an integer or hex string \"" + std::string(id_field) + "\" in the flow event, found " +
                json_text(id) + "; skipped");
    return std::nullopt;
  }
  if (id->kind == Kind::Uint) return std::to_string(id->uint_value);
  if (id->kind == Kind::Int) return std::to_string(static_cast<uint64_t>(id->int_value));
  std::string text(id->text);  // strtoull needs it terminated
  char* end = nullptr;
  errno = 0;
  unsigned long long value = std::strtoull(text.c_str(), &end, 16);
  if (!text.empty() && *end == '\0' && errno == 0 && text[0] != '-')
    return std::to_string(value);
  return "text:" + text;
}

void ChromeTraceReader::on_async(char phase, const Event& ev, const Where& at) {
  std::optional<int64_t> ts = timestamp(ev, at);
  if (!ts) return;
  std::string key = async_key(ev);
  auto it = async_threads_.find(key);
  bool begins = phase == 'b' || phase == 'S';
  if (it == async_threads_.end()) {
    if (!begins) {
      dropped(at, "unknown-id",
              std::string("\"") + phase + "\" event for async id " + key +
                  " that no \"b\" event began; skipped");
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
    async_open_[thread].push_back(at);
  } else if (phase == 'e' || phase == 'F') {
    if (!threads_.end_span(thread, *ts)) {
      dropped(at, "unmatched-end",
              std::string("\"") + phase + "\" event for async id " + key +
                  " with nothing open; skipped");
      return;
    }
    async_open_[thread].pop_back();
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
  std::optional<std::string> id = flow_key(ev, "id", at);
  if (!id) return;
  int64_t thread = os_thread(ev);
  std::string key = "v1:" + std::string(ev.string("cat")) + ":" + std::string(ev.string("name")) +
                    ":" + *id;
  if (phase == 's') {
    open_flows_[key] = FlowEnd{thread, *ts, at};
    return;
  }
  if (phase == 'f' && ev.string("bp") != "e") {
    // Binds to the next slice that begins on this thread, not to this point.
    auto it = open_flows_.find(key);
    if (it == open_flows_.end()) {
      dropped(at, "unknown-id", "flow " + key + " ends here but never started; skipped");
      return;
    }
    lane(thread).awaiting_slice.push_back(FlowEnd{it->second.thread_id, it->second.ts_ns, at});
    open_flows_.erase(it);
    return;
  }
  flow_step(key, phase == 'f', thread, *ts, at);
}

// A slice begins on the thread: the flows waiting for it end here.
void ChromeTraceReader::slice_begins(int64_t thread_id, int64_t ts_ns) {
  auto it = lanes_.find(thread_id);
  if (it == lanes_.end() || it->second.awaiting_slice.empty()) return;
  for (const FlowEnd& from : it->second.awaiting_slice) {
    FlowRow row;
    row.kind = "flow";
    row.from_thread = from.thread_id;
    row.from_ns = from.ts_ns;
    row.to_thread = thread_id;
    row.to_ns = ts_ns;
    threads_.flow(row);
  }
  it->second.awaiting_slice.clear();
}

// Draws the arrow from where flow `key` was last seen to here; a step ('t')
// keeps the flow open from here on, an end ('f') closes it.
void ChromeTraceReader::flow_step(const std::string& key, bool end, int64_t thread_id,
                                  int64_t ts_ns, const Where& at) {
  auto it = open_flows_.find(key);
  if (it == open_flows_.end()) {
    dropped(at, "unknown-id", "flow " + key + " continues here but never started; skipped");
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
  else it->second = FlowEnd{thread_id, ts_ns, at};
}

// Flow events v2: a slice with "bind_id" and "flow_out" starts a flow,
// one with "flow_in" ends it.
void ChromeTraceReader::bind_flows(const Event& ev, int64_t thread_id, int64_t ts_ns,
                                   const Where& at) {
  if (!ev.find("bind_id")) return;
  std::optional<std::string> id = flow_key(ev, "bind_id", at);
  if (!id) {
    --ctx_.source.skipped;  // only the flow is lost; the slice is kept
    return;
  }
  std::string key = "v2:" + *id;
  if (ev.is_true("flow_in")) flow_step(key, true, thread_id, ts_ns, at);
  if (ev.is_true("flow_out")) open_flows_[key] = FlowEnd{thread_id, ts_ns, at};
}

}  // namespace lurk
