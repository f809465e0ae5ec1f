#include "importers/lurk_jsonl_reader.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>

#include "net/connection_tracker.h"
#include "ingest/ingest_context.h"
#include "join/endpoint.h"
#include "storage/trace_writer.h"

namespace lurk {

using nlohmann::json;

namespace {

constexpr int64_t kSupportedVersion = 1;

using Member = FlatJsonObject::Member;
using Kind = FlatJsonObject::Kind;

const json* field(const json& ev, const char* key) {
  auto it = ev.find(key);
  return it == ev.end() ? nullptr : &*it;
}

std::string string_field(const json& ev, const char* key) {
  const json* v = field(ev, key);
  return v && v->is_string() ? v->get<std::string>() : std::string();
}

// The value as JSON text (for messages and args).
std::string json_text(const Member& v) {
  std::string out;
  v.append_json(out);
  return out;
}

std::string id_text(const Member& v) {
  return v.kind == Kind::String ? std::string(v.text) : json_text(v);
}

// Integers as JSON Schema counts them: 5 and 5.0 alike (the schema's
// "integer"), within int64_t.
std::optional<int64_t> integer_value(const Member& v) {
  if (v.kind == Kind::Int) return v.int_value;
  if (v.kind == Kind::Uint)
    return v.uint_value <= uint64_t(INT64_MAX) ? std::optional<int64_t>(int64_t(v.uint_value))
                                               : std::nullopt;
  if (v.kind == Kind::Float && std::isfinite(v.number) && std::trunc(v.number) == v.number &&
      std::fabs(v.number) < 9.2e18)
    return static_cast<int64_t>(v.number);
  return std::nullopt;
}

// Thread ids are strings or integers (the schema's "thread").
bool is_thread_id(const Member& v) { return v.kind == Kind::String || integer_value(v).has_value(); }

// A non-negative integer field no larger than `max` (at most 2^32 - 1 here).
std::optional<uint64_t> uint_field(const FlatJsonObject& ev, std::string_view key, uint64_t max) {
  const Member* v = ev.find(key);
  std::optional<int64_t> value = v ? integer_value(*v) : std::nullopt;
  if (!value || *value < 0 || uint64_t(*value) > max) return std::nullopt;
  return uint64_t(*value);
}

std::optional<uint8_t> flag_bit(std::string_view name) {
  static constexpr std::pair<std::string_view, uint8_t> kNames[] = {
      {"FIN", kFin}, {"SYN", kSyn}, {"RST", kRst}, {"PSH", kPsh},
      {"ACK", kAck}, {"URG", kUrg}, {"ECE", kEce}, {"CWR", kCwr}};
  for (const auto& [text, bit] : kNames)
    if (name == text) return bit;
  return std::nullopt;
}

// Flags as bits or as an array of names; the array is read from its compact
// text (["ACK","PSH"]), which the flat parser wrote without whitespace.
std::optional<uint8_t> tcp_flags(const Member& v) {
  if (std::optional<int64_t> bits = integer_value(v)) {
    if (*bits < 0 || *bits > 0xff) return std::nullopt;
    return static_cast<uint8_t>(*bits);
  }
  if (v.kind != Kind::Array) return std::nullopt;
  std::string_view text(v.text);
  if (text.find('\\') != std::string_view::npos) {
    // Escaped names: decode them properly; rare.
    uint8_t bits = 0;
    for (const json& name : json::parse(text)) {
      std::optional<uint8_t> bit = name.is_string() ? flag_bit(name.get_ref<const std::string&>())
                                                    : std::nullopt;
      if (!bit) return std::nullopt;
      bits |= *bit;
    }
    return bits;
  }
  uint8_t bits = 0;
  for (size_t i = 1; i + 1 < text.size();) {  // inside the brackets
    if (text[i] != '"') return std::nullopt;  // not a string
    size_t close = text.find('"', i + 1);
    std::optional<uint8_t> bit = flag_bit(text.substr(i + 1, close - i - 1));
    if (!bit) return std::nullopt;
    bits |= *bit;
    i = close + 1;
    if (i + 1 < text.size() && text[i++] != ',') return std::nullopt;
  }
  return bits;
}

// A one-level object's members as JSON text with keys sorted (as
// nlohmann::json's std::map wrote them before), a repeated key's last value.
// Insertion sort: stable, in place, and events have a handful of args.
template <typename Pair>
std::string sorted_object_text(Pair* members, size_t count) {
  for (size_t i = 1; i < count; ++i)
    for (size_t j = i; j > 0 && members[j].first < members[j - 1].first; --j)
      std::swap(members[j], members[j - 1]);
  std::string out = "{";
  for (size_t i = 0; i < count; ++i) {
    if (i + 1 < count && members[i + 1].first == members[i].first) continue;
    if (out.size() > 1) out.push_back(',');
    append_json_string(out, members[i].first);
    out.push_back(':');
    out += members[i].second;
  }
  out.push_back('}');
  return out;
}

template <typename Pair>
std::string sorted_object_text(std::vector<Pair>& members) {
  return sorted_object_text(members.data(), members.size());
}

}  // namespace

LurkJsonlReader::LurkJsonlReader(IngestContext& ctx)
    : ctx_(ctx),
      threads_(ctx.writer, ctx.source.id),
      connections_(ctx.connections()) {}

void LurkJsonlReader::flush() {
  threads_.flush();
  connections_.flush();
}

void LurkJsonlReader::error(const Where& at, const std::string& kind,
                            const std::string& message) {
  ctx_.report_error(at.offset, at.line, kind, message);
}

bool LurkJsonlReader::header(const json& line, uint64_t offset, int64_t line_number) {
  if (!line.is_object() || string_field(line, "lurk") != "jsonl") {
    error({offset, line_number}, "bad-magic",
          "expected the header line {\"lurk\":\"jsonl\",\"version\":1} first");
    return false;
  }
  const json* version = field(line, "version");
  if (!version || !version->is_number_integer()) {
    error({offset, line_number}, "bad-header", "expected an integer \"version\" in the header line");
  } else if (version->get<int64_t>() > kSupportedVersion) {
    error({offset, line_number}, "unsupported-version",
          "lurk JSONL version " + version->dump() + " is newer than this lurk reads (" +
              std::to_string(kSupportedVersion) + "); reading the events it knows");
  }
  // "unix-ns" (or no clock named, as version 1 assumed) is Unix time; any
  // other clock is the producer's own, aligned by evidence (docs/clocks.md).
  std::string clock = string_field(line, "clock");
  ctx_.source.clock_domain = clock.empty() || clock == "unix-ns" ? "unix" : "own";
  return true;
}

void LurkJsonlReader::event(const Event& ev, uint64_t offset, int64_t line) {
  Where at{offset, line};
  ++ctx_.source.records;
  if (!ev.is_object()) {
    error(at, "bad-event", "expected an event object, found " + std::string(ev.type_name()));
    ++ctx_.source.skipped;
    return;
  }
  std::string_view type = ev.string("t");
  const Member* ts_field = ev.find("ts");
  std::optional<int64_t> ts_value = ts_field ? integer_value(*ts_field) : std::nullopt;
  if (type.empty() || !ts_value) {
    error(at, "missing-field",
          "expected \"t\" (event type) and an integer \"ts\" (nanoseconds) in the event");
    ++ctx_.source.skipped;
    return;
  }
  int64_t ts = *ts_value;
  last_ts_ns_ = std::max(last_ts_ns_, ts);
  using Handler = void (LurkJsonlReader::*)(const Event&, int64_t, const Where&);
  // Nine short names, compared length first: cheaper than a map's string
  // comparisons on every event.
  static constexpr std::pair<std::string_view, Handler> kHandlers[] = {
      {"thread_start", &LurkJsonlReader::on_thread_start},
      {"thread_end", &LurkJsonlReader::on_thread_end},
      {"span_begin", &LurkJsonlReader::on_span_begin},
      {"span_end", &LurkJsonlReader::on_span_end},
      {"exception", &LurkJsonlReader::on_exception},
      {"log", &LurkJsonlReader::on_log},
      {"label", &LurkJsonlReader::on_label},
      {"counter", &LurkJsonlReader::on_counter},
      {"tcp", &LurkJsonlReader::on_tcp},
  };
  for (const auto& [name, handler] : kHandlers)
    if (name == type) return (this->*handler)(ev, ts, at);
  // Newer producers may emit types this lurk does not know: counted, not an error.
  ++counts_["unknown-type:" + std::string(type)];
  ++ctx_.source.skipped;
}

// The thread an event names. A thread used before its thread_start is an
// unknown id: reported, then created so the event is still kept.
std::optional<int64_t> LurkJsonlReader::thread_of(const Event& ev, const Where& at,
                                                  bool required) {
  const Member* thread = ev.find("thread");
  if (!thread) {
    if (required) {
      error(at, "missing-field",
            "expected \"thread\" in the \"" + std::string(ev.string("t")) + "\" event");
      ++ctx_.source.skipped;
    }
    return std::nullopt;
  }
  if (!is_thread_id(*thread)) {
    error(at, "bad-field", "expected \"thread\" as a string or an integer, found " +
                               json_text(*thread) + (required ? "; event skipped" : "; ignored"));
    if (required) ++ctx_.source.skipped;
    return std::nullopt;
  }
  std::string_view ext_id = thread->text;  // id_text(): a string's text, a number's JSON text
  if (std::optional<int64_t> id = threads_.find_thread(ext_id)) return id;
  error(at, "unknown-id", "thread " + std::string(ext_id) + " is used before its thread_start");
  return threads_.thread_id(ext_id);
}

// The event's "args" object with its "conn" tag (checked) and `extra` merged
// in, keys sorted.
std::optional<std::string> LurkJsonlReader::args_with_conn(const Event& ev, const Where& at,
                                                           ExtraArgs extra) {
  const Member* given = ev.find("args");
  std::pair<std::string_view, std::string_view> only[4];
  if (!given && !ev.find("conn") && extra.size() <= std::size(only)) {
    // Most events: only what the event type adds, written straight out.
    size_t count = 0;
    for (const auto& pair : extra)
      if (!pair.first.empty()) only[count++] = pair;
    if (count == 0) return std::nullopt;
    return sorted_object_text(only, count);
  }
  args_.clear();
  if (given && given->kind == Kind::Object) {
    nested_.parse(given->text);
    for (size_t i = 0; i < nested_.size(); ++i)
      args_.emplace_back(nested_[i].key, json_text(nested_[i]));
  } else if (given) {
    error(at, "bad-field", "expected \"args\" as an object, found " + json_text(*given) +
                               "; args ignored");
  }
  for (const auto& [key, value] : extra)
    if (!key.empty()) args_.emplace_back(key, value);
  if (const Member* conn = ev.find("conn")) {
    bool ok = conn->kind == Kind::Object && nested_.parse(conn->text) &&
              canonical_address(nested_.string("laddr")) &&
              canonical_address(nested_.string("raddr")) && uint_field(nested_, "lport", 65535) &&
              uint_field(nested_, "rport", 65535);
    if (ok) {
      std::vector<std::pair<std::string, std::string>> members;
      for (size_t i = 0; i < nested_.size(); ++i)
        members.emplace_back(nested_[i].key, json_text(nested_[i]));
      args_.emplace_back("conn", sorted_object_text(members));
    } else {
      error(at, "bad-field",
            "expected \"conn\" as {\"laddr\",\"lport\",\"raddr\",\"rport\"}, found " +
                json_text(*conn) + "; tag ignored");
    }
  }
  if (args_.empty()) return std::nullopt;
  return sorted_object_text(args_);
}

void LurkJsonlReader::on_thread_start(const Event& ev, int64_t ts, const Where& at) {
  const Member* thread = ev.find("thread");
  if (!thread || !is_thread_id(*thread)) {
    error(at, "missing-field",
          "expected \"thread\" (a string or an integer) in the \"thread_start\" event");
    ++ctx_.source.skipped;
    return;
  }
  int64_t id = threads_.thread_id(id_text(*thread));
  ThreadRow& row = threads_.thread(id);
  if (!ev.is_true("existing")) row.start_ns = ts;
  if (std::string_view name = ev.string("name"); !name.empty()) row.name = threads_.intern(name);
  row.kind = ev.find("kind") ? std::string(ev.string("kind")) : "thread";
  if (const Member* parent = ev.find("parent")) {
    std::string parent_id = id_text(*parent);
    if (threads_.has_thread(parent_id)) row.parent_id = threads_.thread_id(parent_id);
    else error(at, "unknown-id", "parent thread " + parent_id + " was never started");
  }
  if (ev.find("conn")) {
    InstantRow label;
    label.thread_id = id;
    label.ts_ns = ts;
    label.kind = "label";
    label.name = threads_.intern("connection");
    label.args_json = args_with_conn(ev, at);
    threads_.instant(label);
  }
}

void LurkJsonlReader::on_thread_end(const Event& ev, int64_t ts, const Where& at) {
  std::optional<int64_t> id = thread_of(ev, at, true);
  if (!id) return;
  ThreadRow& row = threads_.thread(*id);
  row.end_ns = ts;
  if (std::string_view error_text = ev.string("error"); !error_text.empty()) {
    row.failed = true;
    row.exception = threads_.intern(error_text);
  }
}

void LurkJsonlReader::on_span_begin(const Event& ev, int64_t ts, const Where& at) {
  std::optional<int64_t> id = thread_of(ev, at, true);
  if (!id) return;
  std::string_view name = ev.string("name");
  if (name.empty()) error(at, "missing-field", "expected \"name\" in the \"span_begin\" event");
  threads_.begin_span(*id, ts, threads_.intern(name.empty() ? "(unnamed)" : name),
                      args_with_conn(ev, at));
}

void LurkJsonlReader::on_span_end(const Event& ev, int64_t ts, const Where& at) {
  std::optional<int64_t> id = thread_of(ev, at, true);
  if (!id) return;
  if (!threads_.end_span(*id, ts)) {
    error(at, "unmatched-end",
          "\"span_end\" on thread " + threads_.thread(*id).ext_id + " with no open span; ignored");
    ++ctx_.source.skipped;
  }
}

void LurkJsonlReader::on_exception(const Event& ev, int64_t ts, const Where& at) {
  std::optional<int64_t> id = thread_of(ev, at, false);
  std::string_view message = ev.string("message");
  if (message.empty()) error(at, "missing-field", "expected \"message\" in the \"exception\" event");
  const Member* stack = ev.find("stack");
  stack_json_.clear();
  if (stack) stack->append_json(stack_json_);
  InstantRow row;
  row.thread_id = id;
  row.ts_ns = ts;
  row.kind = "exception";
  row.name = threads_.intern(message.empty() ? "(no message)" : message);
  row.args_json = args_with_conn(ev, at, {{stack ? "stack" : "", stack_json_}});
  threads_.instant(row);
  if (id && ev.is_true("uncaught")) {
    ThreadRow& thread = threads_.thread(*id);
    thread.failed = true;
    thread.exception = row.name;
  }
}

void LurkJsonlReader::on_log(const Event& ev, int64_t ts, const Where& at) {
  std::string_view level = ev.string("level"), source = ev.string("source");
  level_json_.clear();
  source_json_.clear();
  if (!level.empty()) append_json_string(level_json_, level);
  if (!source.empty()) append_json_string(source_json_, source);
  if (!ev.find("text") || ev.find("text")->kind != Kind::String)
    error(at, "missing-field", "expected \"text\" (a string) in the \"log\" event");
  InstantRow row;
  row.thread_id = thread_of(ev, at, false);
  row.ts_ns = ts;
  row.kind = "log";
  std::string_view log_text = ev.string("text");
  row.name = threads_.intern(log_text.empty() ? "(no text)" : log_text);
  row.args_json = args_with_conn(
      ev, at, {{level.empty() ? "" : "level", level_json_}, {source.empty() ? "" : "source", source_json_}});
  threads_.instant(row);
}

void LurkJsonlReader::on_label(const Event& ev, int64_t ts, const Where& at) {
  if (!ev.find("name") || ev.find("name")->kind != Kind::String)
    error(at, "missing-field", "expected \"name\" (a string) in the \"label\" event");
  InstantRow row;
  row.thread_id = thread_of(ev, at, false);
  row.ts_ns = ts;
  row.kind = "label";
  std::string_view label = ev.string("name");
  row.name = threads_.intern(label.empty() ? "(unnamed)" : label);
  row.args_json = args_with_conn(ev, at);
  threads_.instant(row);
}

void LurkJsonlReader::on_counter(const Event& ev, int64_t ts, const Where& at) {
  const Member* value = ev.find("value");
  std::string_view name = ev.string("name");
  if (name.empty() || !value || !value->is_number()) {
    error(at, "missing-field", "expected \"name\" and a numeric \"value\" in the \"counter\" event");
    ++ctx_.source.skipped;
    return;
  }
  CounterRow row;
  row.thread_id = thread_of(ev, at, false);
  row.name = threads_.intern(name);
  row.ts_ns = ts;
  row.value = value->number;
  threads_.counter(row);
}

void LurkJsonlReader::on_tcp(const Event& ev, int64_t ts, const Where& at) {
  std::optional<IpAddress> local = parse_ip_address(ev.string("laddr"));
  std::optional<IpAddress> remote = parse_ip_address(ev.string("raddr"));
  std::optional<uint64_t> lport = uint_field(ev, "lport", 65535), rport = uint_field(ev, "rport", 65535);
  std::optional<uint64_t> seq = uint_field(ev, "seq", 0xffffffff), ack = uint_field(ev, "ack", 0xffffffff);
  std::optional<uint64_t> len = uint_field(ev, "len", 0xffffffff), window = uint_field(ev, "window", 65535);
  std::string_view dir = ev.string("dir");
  const Member* flags_field = ev.find("flags");
  std::optional<uint8_t> flags = flags_field ? tcp_flags(*flags_field) : std::nullopt;
  if (!local || !remote || !lport || !rport || !seq || !ack || !len || !window || !flags ||
      (dir != "tx" && dir != "rx")) {
    error(at, "bad-field",
          "expected a tcp event with laddr, lport, raddr, rport, dir (\"tx\"/\"rx\"), seq, ack, "
          "len, flags (names or bits) and window (0-65535); segment skipped");
    ++ctx_.source.skipped;
    return;
  }
  bool tx = dir == "tx";
  TcpSegment s;
  s.ts_ns = ts;
  s.frame = at.line;
  s.src = tx ? *local : *remote;
  s.dst = tx ? *remote : *local;
  s.src_port = static_cast<uint16_t>(tx ? *lport : *rport);
  s.dst_port = static_cast<uint16_t>(tx ? *rport : *lport);
  s.seq = static_cast<uint32_t>(*seq);
  s.ack = static_cast<uint32_t>(*ack);
  s.flags = *flags;
  s.window = static_cast<uint16_t>(*window);
  s.payload_len = static_cast<uint32_t>(*len);
  if (auto wscale = uint_field(ev, "wscale", 14)) s.options.window_scale = static_cast<uint8_t>(*wscale);
  if (auto mss = uint_field(ev, "mss", 65535)) s.options.mss = static_cast<uint16_t>(*mss);
  if (const Member* sack_ok = ev.find("sack_permitted"); sack_ok && sack_ok->kind == Kind::Bool)
    s.options.sack_permitted = sack_ok->boolean;
  (tx ? s.sender_thread : s.receiver_thread) = thread_of(ev, at, false);
  connections_.add(s);
}

void LurkJsonlReader::finish() {
  size_t closed = threads_.finish(last_ts_ns_);
  if (closed > 0) counts_["spans-closed-at-end"] += static_cast<int64_t>(closed);
  connections_.finish();
  for (const auto& [name, value] : counts_)
    ctx_.writer.insert_source_counter(SourceCounterRow{ctx_.source.id, name, value});
}

}  // namespace lurk
