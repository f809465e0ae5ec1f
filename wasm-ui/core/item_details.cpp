#include "core/item_details.h"

#include <cstdio>

#include <nlohmann/json.hpp>

#include "core/mark_style.h"
#include "core/ruler_ticks.h"
#include "core/timeline_frame.h"
#include "net/analysis_flags.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

std::string time_text(const ProfileModel& model, int64_t t_ns) {
  return format_duration(double(t_ns)) + "  (" + std::to_string(model.origin_ns() + t_ns) + " ns)";
}

void add(ItemDetails& d, std::string name, std::string value) {
  d.fields.push_back({std::move(name), std::move(value)});
}

// An exception's stack (the "stack" of its args: lurk JSONL writes the frames
// as a list), one frame per line, innermost first as written.
void add_stack(ItemDetails& d, std::string_view args) {
  nlohmann::json doc = nlohmann::json::parse(args, nullptr, false);
  if (!doc.is_object() || !doc.contains("stack")) return;
  const nlohmann::json& stack = doc["stack"];
  std::string lines;
  if (stack.is_array()) {
    for (const nlohmann::json& frame : stack) {
      if (!lines.empty()) lines += '\n';
      lines += frame.is_string() ? frame.get<std::string>() : frame.dump();
    }
  } else {
    lines = stack.is_string() ? stack.get<std::string>() : stack.dump();
  }
  if (!lines.empty()) add(d, "stack", lines);
}

void describe_packet(const ProfileModel& model, const ItemRef& item, Database* db, ItemDetails& d) {
  const ConnectionLanes& c = model.connections()[item.lane / 2];
  int dir = int(item.lane % 2);
  const PacketMark& m = c.lanes[dir][item.index];
  MarkKind kind = mark_kind(m.analysis, m.tcp_flags);
  d.title = "frame " + std::to_string(m.frame) + (kind != MarkKind::Normal
                                                     ? std::string(" \xc2\xb7 ") + mark_kind_name(kind)
                                                     : std::string());
  add(d, "connection", c.label);
  add(d, "direction", dir == 0 ? "A \xe2\x86\x92 B" : "B \xe2\x86\x92 A");
  add(d, "frame", std::to_string(m.frame));
  add(d, "time", time_text(model, m.t_ns));
  add(d, "flags", tcp_flag_names(m.tcp_flags));
  add(d, "payload", std::to_string(m.payload_len) + " bytes");
  add(d, "analysis", m.analysis ? analysis_names(m.analysis) : "none");
  if (!db) return;
  Statement q = db->prepare(
      "SELECT seq, ack, window, wire_len, dup_ack_num, dup_ack_frame, rtt_ns FROM packets "
      "WHERE connection_id = ? AND dir = ? AND ts_ns = ? AND frame = ? LIMIT 1");
  q.bind(1, c.id).bind(2, dir).bind(3, model.origin_ns() + m.t_ns).bind(4, int64_t(m.frame));
  if (!q.step()) return;
  add(d, "seq", std::to_string(q.column_int(0)));
  add(d, "ack", std::to_string(q.column_int(1)));
  add(d, "window", std::to_string(q.column_int(2)));
  add(d, "wire length", std::to_string(q.column_int(3)));
  if (!q.column_is_null(4))
    add(d, "duplicate ACK", "#" + std::to_string(q.column_int(4)) + " of frame " +
                                (q.column_is_null(5) ? "?" : std::to_string(q.column_int(5))));
  if (!q.column_is_null(6)) add(d, "RTT", format_duration(double(q.column_int(6))));
}

void describe_thread(const ProfileModel& model, uint32_t index, ItemDetails& d) {
  const ThreadLane& t = model.threads()[index];
  d.title = std::string(model.text(t.name));
  if (d.title.empty()) d.title = "thread " + std::to_string(t.id);
  add(d, "thread", std::to_string(t.id) + (t.kind.empty() ? "" : " (" + t.kind + ")"));
  add(d, "start", t.start_known ? time_text(model, t.start_ns) : "before the trace");
  add(d, "end", t.end_known ? time_text(model, t.end_ns) : "never ended in the trace");
  if (t.failed) add(d, "failed", t.exception ? std::string(model.text(t.exception)) : "yes");
  if (t.connection >= 0) add(d, "connection", model.connections()[size_t(t.connection)].label);
  std::string lineage;
  int32_t p = t.parent;
  for (int hops = 0; p >= 0 && hops < 16; ++hops) {
    const ThreadLane& parent = model.threads()[size_t(p)];
    std::string name(model.text(parent.name));
    if (!lineage.empty()) lineage += " \xe2\x86\x90 ";  // ←
    lineage += (name.empty() ? "thread" : name) + " #" + std::to_string(parent.id);
    p = parent.parent;
  }
  if (!lineage.empty()) add(d, "lineage", lineage);
  add(d, "spans", std::to_string(t.spans.size()));
}

// "GC 3.2 ms" for one period; "12 GC periods, 40 ms in all" for a merged block.
void describe_periods(const ProfileModel& model, const ItemRef& item, ItemDetails& d) {
  PeriodKind kind = PeriodKind(item.lane);
  std::span<const PeriodRecord> p = model.periods(kind);
  const char* name = kind == PeriodKind::Gc ? "GC" : "idle";
  double total = 0;
  size_t end = std::min<size_t>(p.size(), size_t(item.index) + item.count);
  for (size_t i = item.index; i < end; ++i) total += double(p[i].t1_ns - p[i].t0_ns);
  if (item.count <= 1 && item.index < p.size()) {
    d.title = std::string(name) + " " + format_duration(total);
    add(d, "start", time_text(model, p[item.index].t0_ns));
    add(d, "duration", format_duration(total));
    return;
  }
  d.title = std::to_string(item.count) + " " + name + " periods, " + format_duration(total) + " in all";
  if (item.index < p.size()) add(d, "first", time_text(model, p[item.index].t0_ns));
  add(d, "count", std::to_string(item.count));
}

}  // namespace

const std::string* ItemDetails::field(const std::string& name) const {
  for (const DetailField& f : fields)
    if (f.name == name) return &f.value;
  return nullptr;
}

std::string tcp_flag_names(uint8_t flags) {
  static const char* names[] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  std::string out;
  for (int bit = 0; bit < 8; ++bit)
    if (flags & (1u << bit)) out += (out.empty() ? "" : " ") + std::string(names[bit]);
  return out.empty() ? "none" : out;
}

std::string analysis_names(uint32_t analysis) {
  std::string out;
  for (const AnalysisFlagName& f : kAnalysisFlagNames)
    if (analysis & f.flag) {
      std::string_view name = f.field.substr(f.field.rfind('.') + 1);
      out += (out.empty() ? "" : ", ") + std::string(name);
    }
  return out;
}

bool item_in_model(const ProfileModel& model, const ItemRef& item) {
  auto thread = [&]() -> const ThreadLane* {
    return item.lane < model.threads().size() ? &model.threads()[item.lane] : nullptr;
  };
  switch (item.kind) {
    case ItemKind::None: return false;
    case ItemKind::Group: return item.lane < model.groups().size();
    case ItemKind::Packet:
    case ItemKind::PacketBlock:
      return item.lane / 2 < model.connections().size() &&
             item.index < model.connections()[item.lane / 2].lanes[item.lane % 2].size();
    case ItemKind::Thread: return thread() != nullptr;
    case ItemKind::Span:
    case ItemKind::SpanBlock: return thread() && item.index < thread()->spans.size();
    case ItemKind::Running: return thread() && item.index < thread()->running.size();
    case ItemKind::Instant:
    case ItemKind::InstantBlock: return thread() && item.index < thread()->instants.size();
    case ItemKind::Counter:
      return item.lane < model.counters().size() && item.index < model.counters()[item.lane].samples.size();
    case ItemKind::Period: return item.lane < 2 && item.index < model.periods(PeriodKind(item.lane)).size();
  }
  return false;
}

std::optional<std::pair<double, double>> item_extent(const ProfileModel& model, const ItemRef& item) {
  if (!item_in_model(model, item)) return std::nullopt;
  if (item.kind == ItemKind::Span || item.kind == ItemKind::Running) {
    const ThreadLane& t = model.threads()[item.lane];
    const SpanRecord& r = (item.kind == ItemKind::Span ? t.spans : t.running)[item.index];
    return std::make_pair(double(r.t0_ns), double(r.t1_ns));
  }
  if (item.kind == ItemKind::Thread)
    return std::make_pair(double(model.threads()[item.lane].start_ns), double(model.threads()[item.lane].end_ns));
  double t = item_time(model, item);
  if (t < 0) return std::nullopt;
  return std::make_pair(t, t);
}

double item_time(const ProfileModel& model, const ItemRef& item) {
  if (!item_in_model(model, item)) return -1;
  switch (item.kind) {
    case ItemKind::Packet:
    case ItemKind::PacketBlock:
      return double(model.connections()[item.lane / 2].lanes[item.lane % 2][item.index].t_ns);
    case ItemKind::Thread: {
      const ThreadLane& t = model.threads()[item.lane];
      return t.failed ? double(t.end_ns) : double(t.start_ns);
    }
    case ItemKind::Span:
    case ItemKind::SpanBlock: return double(model.threads()[item.lane].spans[item.index].t0_ns);
    case ItemKind::Running: return double(model.threads()[item.lane].running[item.index].t0_ns);
    case ItemKind::Instant:
    case ItemKind::InstantBlock: return double(model.threads()[item.lane].instants[item.index].t_ns);
    case ItemKind::Counter: return double(model.counters()[item.lane].samples[item.index].t_ns);
    case ItemKind::Group: {
      int32_t c = model.groups()[item.lane].connection;
      return c >= 0 ? double(model.connections()[size_t(c)].first_ns) : -1;
    }
    default: return -1;
  }
}

int32_t item_group(const ProfileModel& model, const ItemRef& item) {
  // Only the lane is looked at (a packet of a remote frame has its
  // connection's lane here, not its mark).
  bool lane_known = item.kind == ItemKind::Group       ? item.lane < model.groups().size()
                    : item.kind == ItemKind::Counter   ? item.lane < model.counters().size()
                    : item.kind == ItemKind::Packet || item.kind == ItemKind::PacketBlock
                        ? item.lane / 2 < model.connections().size()
                        : item.lane < model.threads().size();
  if (!lane_known) return -1;
  switch (item.kind) {
    case ItemKind::Group: return int32_t(item.lane);
    case ItemKind::Packet:
    case ItemKind::PacketBlock: return model.connections()[item.lane / 2].group;
    case ItemKind::Thread:
    case ItemKind::Span:
    case ItemKind::SpanBlock:
    case ItemKind::Running:
    case ItemKind::Instant:
    case ItemKind::InstantBlock: return model.threads()[item.lane].group;
    case ItemKind::Counter: return model.counters()[item.lane].group;
    default: return -1;
  }
}

namespace {

// A record's args text: the model's, or (a lazy model's lanes hold none:
// lurk view's /item) its row's, read by ProfileModel::read_item_args.
std::string args_text(const ProfileModel& model, const ItemRef& item, uint32_t args, Database* db) {
  if (args) return std::string(model.args(args));
  return db && model.lazy() ? model.read_item_args(*db, item) : std::string();
}

}  // namespace

ItemDetails describe_item(const ProfileModel& model, const ItemRef& item, Database* db) {
  ItemDetails d;
  if (item && !item_in_model(model, item)) {
    d.title = std::string(item_kind_name(item.kind)) + ": not in this model";
    return d;
  }
  switch (item.kind) {
    case ItemKind::None: break;
    case ItemKind::Packet: describe_packet(model, item, db, d); break;
    case ItemKind::Thread:
      describe_thread(model, item.lane, d);
      if (item.count > 1) {  // a packed row's threads merged into one block
        add(d, "first", d.title);
        d.title = std::to_string(item.count) + " threads";
      }
      break;
    case ItemKind::Group: {
      const LaneGroup& g = model.groups()[item.lane];
      if (g.connection < 0) {
        d.title = "threads on no connection";
        add(d, "threads", std::to_string(g.threads.size()));
        break;
      }
      const ConnectionLanes& c = model.connections()[size_t(g.connection)];
      d.title = c.label;
      add(d, "state", c.state);
      add(d, "duration", format_duration(double(c.last_ns - c.first_ns)));
      add(d, "packets", std::to_string(c.packets));
      add(d, "bytes", std::to_string(c.bytes));
      add(d, "retransmissions", std::to_string(c.retransmissions));
      add(d, "duplicate ACKs", std::to_string(c.dup_acks));
      add(d, "exceptions", std::to_string(c.exceptions));
      add(d, "threads", std::to_string(g.threads.size()));
      break;
    }
    case ItemKind::Span:
    case ItemKind::Running: {
      const ThreadLane& t = model.threads()[item.lane];
      const SpanRecord& s = (item.kind == ItemKind::Span ? t.spans : t.running)[item.index];
      d.title = item.kind == ItemKind::Running ? "running" : std::string(model.text(s.name));
      add(d, "thread", thread_title(model, item.lane) + " #" + std::to_string(t.id));
      add(d, "start", time_text(model, s.t0_ns));
      add(d, "duration", format_duration(double(s.t1_ns - s.t0_ns)));
      add(d, "depth", std::to_string(s.depth));
      if (std::string args = args_text(model, item, s.args, db); !args.empty()) add(d, "args", args);
      break;
    }
    case ItemKind::Instant: {
      const ThreadLane& t = model.threads()[item.lane];
      const InstantRecord& r = t.instants[item.index];
      bool exception = r.kind == InstantKind::Exception;
      d.title = (exception ? "exception: " : "") + std::string(model.text(r.name));
      add(d, "kind", exception ? "exception" : r.kind == InstantKind::Label ? "label"
                                              : r.kind == InstantKind::Log  ? "log" : "instant");
      add(d, exception ? "message" : "text", std::string(model.text(r.name)));
      add(d, "time", time_text(model, r.t_ns));
      add(d, "thread", thread_title(model, item.lane) + " #" + std::to_string(t.id));
      std::string args = args_text(model, item, r.args, db);
      if (exception && !args.empty()) add_stack(d, args);
      if (!args.empty()) add(d, "args", args);
      break;
    }
    case ItemKind::Counter: {
      const CounterLane& c = model.counters()[item.lane];
      d.title = std::string(model.text(c.name));
      char value[40];
      std::snprintf(value, sizeof value, "%.10g", c.samples[item.index].value);
      add(d, "value", value);
      add(d, "time", time_text(model, c.samples[item.index].t_ns));
      break;
    }
    case ItemKind::Period: describe_periods(model, item, d); break;
    case ItemKind::PacketBlock:
    case ItemKind::SpanBlock:
    case ItemKind::InstantBlock:
      d.title = std::to_string(item.count) + " " + item_kind_name(item.kind) + " merged";
      add(d, "count", std::to_string(item.count));
      break;
  }
  return d;
}

}  // namespace lurk::ui
