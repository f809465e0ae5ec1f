// Selection tokens and group keys of links (view_selection.h).
#include "core/view_selection.h"

#include <cstdlib>
#include <vector>

namespace lurk::ui {
namespace {

std::vector<std::string> dot_parts(const std::string& token) {
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t at = token.find('.', start);
    parts.push_back(token.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return parts;
    start = at + 1;
  }
}

// A non-negative decimal integer, nullopt for anything else.
std::optional<int64_t> whole_number(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  return std::strtoll(text.c_str(), nullptr, 10);
}

std::string thread_token(const char* prefix, const ProfileModel& model, const ItemRef& item) {
  return std::string(prefix) + "." + std::to_string(model.threads()[item.lane].id) + "." +
         std::to_string(item.index);
}

ResolvedSelection missing(const std::string& what) { return {ItemRef{}, what}; }

ResolvedSelection resolve_packet(const ProfileModel& model, const std::vector<std::string>& p) {
  std::optional<int64_t> id = p.size() == 3 ? whole_number(p[1]) : std::nullopt;
  std::optional<int64_t> frame = p.size() == 3 ? whole_number(p[2]) : std::nullopt;
  if (!id || !frame) return missing("the selected packet's name is not readable");
  int32_t c = model.connection_index(*id);
  if (c < 0) return missing("connection " + p[1] + " of the selected packet is not in this profile");
  const ConnectionLanes& lanes = model.connections()[size_t(c)];
  for (uint32_t dir = 0; dir < 2; ++dir)
    for (size_t i = 0; i < lanes.lanes[dir].size(); ++i)
      if (lanes.lanes[dir][i].frame == uint64_t(*frame))
        return {ItemRef{ItemKind::Packet, uint32_t(c) * 2 + dir, uint32_t(i)}, ""};
  return missing("frame " + p[2] + " is not a packet of connection " + p[1]);
}

// sp / ru / in: a thread's id and the item's place in that thread.
ResolvedSelection resolve_thread_item(const ProfileModel& model, const std::vector<std::string>& p,
                                      ItemKind kind, const char* what) {
  std::optional<int64_t> id = p.size() == 3 ? whole_number(p[1]) : std::nullopt;
  std::optional<int64_t> index = p.size() == 3 ? whole_number(p[2]) : std::nullopt;
  if (!id || !index) return missing(std::string("the selected ") + what + "'s name is not readable");
  int32_t t = model.thread_index(*id);
  if (t < 0) return missing("thread " + p[1] + " of the selected " + what + " is not in this profile");
  const ThreadLane& lane = model.threads()[size_t(t)];
  size_t count = kind == ItemKind::Span ? lane.spans.size()
               : kind == ItemKind::Running ? lane.running.size()
                                           : lane.instants.size();
  if (size_t(*index) >= count)
    return missing(std::string("the selected ") + what + " (" + p[2] + ") is past the end of thread " +
                   p[1] + " (" + std::to_string(count) + ")");
  return {ItemRef{kind, uint32_t(t), uint32_t(*index)}, ""};
}

ResolvedSelection resolve_counter(const ProfileModel& model, const std::vector<std::string>& p) {
  std::optional<int64_t> lane = p.size() == 3 ? whole_number(p[1]) : std::nullopt;
  std::optional<int64_t> index = p.size() == 3 ? whole_number(p[2]) : std::nullopt;
  if (!lane || !index) return missing("the selected counter sample's name is not readable");
  if (size_t(*lane) >= model.counters().size() ||
      size_t(*index) >= model.counters()[size_t(*lane)].samples.size())
    return missing("the selected counter sample is not in this profile");
  return {ItemRef{ItemKind::Counter, uint32_t(*lane), uint32_t(*index)}, ""};
}

ResolvedSelection resolve_period(const ProfileModel& model, const std::vector<std::string>& p) {
  std::optional<int64_t> index = p.size() == 3 ? whole_number(p[2]) : std::nullopt;
  bool gc = p.size() == 3 && p[1] == "gc", idle = p.size() == 3 && p[1] == "idle";
  if ((!gc && !idle) || !index) return missing("the selected period's name is not readable");
  if (size_t(*index) >= model.periods(gc ? PeriodKind::Gc : PeriodKind::Idle).size())
    return missing("the selected " + p[1] + " period is past the end of this profile's");
  return {ItemRef{ItemKind::Period, gc ? 0u : 1u, uint32_t(*index)}, ""};
}

}  // namespace

std::string group_key(const ProfileModel& model, uint32_t group) {
  int32_t c = model.groups()[group].connection;
  return c >= 0 ? std::to_string(model.connections()[size_t(c)].id) : "none";
}

std::optional<uint32_t> group_of_key(const ProfileModel& model, const std::string& key) {
  for (uint32_t g = 0; g < model.groups().size(); ++g)
    if (model.groups()[g].connection < 0 && key == "none") return g;
  std::optional<int64_t> id = whole_number(key);
  if (!id) return std::nullopt;
  int32_t c = model.connection_index(*id);
  if (c < 0 || model.connections()[size_t(c)].group < 0) return std::nullopt;
  return uint32_t(model.connections()[size_t(c)].group);
}

std::string selection_token(const ProfileModel& model, const ItemRef& item) {
  switch (item.kind) {
    case ItemKind::None: return "";
    case ItemKind::Group: return "g." + group_key(model, item.lane);
    case ItemKind::Packet:
    case ItemKind::PacketBlock: {
      const ConnectionLanes& c = model.connections()[item.lane / 2];
      return "p." + std::to_string(c.id) + "." + std::to_string(c.lanes[item.lane % 2][item.index].frame);
    }
    case ItemKind::Thread: return "th." + std::to_string(model.threads()[item.lane].id);
    case ItemKind::Span:
    case ItemKind::SpanBlock: return thread_token("sp", model, item);
    case ItemKind::Running: return thread_token("ru", model, item);
    case ItemKind::Instant:
    case ItemKind::InstantBlock: return thread_token("in", model, item);
    case ItemKind::Counter: return "ct." + std::to_string(item.lane) + "." + std::to_string(item.index);
    case ItemKind::Period: return std::string("pe.") + (item.lane == 0 ? "gc." : "idle.") + std::to_string(item.index);
  }
  return "";
}

ResolvedSelection resolve_selection(const ProfileModel& model, const std::string& token) {
  if (token.empty()) return {};
  std::vector<std::string> p = dot_parts(token);
  const std::string& kind = p[0];
  if (kind == "g" && p.size() == 2) {
    if (std::optional<uint32_t> g = group_of_key(model, p[1])) return {ItemRef{ItemKind::Group, *g, 0}, ""};
    return missing(p[1] == "none" ? std::string("this profile has no threads on no connection")
                                  : "connection " + p[1] + " is not in this profile");
  }
  if (kind == "p") return resolve_packet(model, p);
  if (kind == "th" && p.size() == 2) {
    std::optional<int64_t> id = whole_number(p[1]);
    int32_t t = id ? model.thread_index(*id) : -1;
    if (t < 0) return missing("thread " + p[1] + " is not in this profile");
    return {ItemRef{ItemKind::Thread, uint32_t(t), 0}, ""};
  }
  if (kind == "sp") return resolve_thread_item(model, p, ItemKind::Span, "span");
  if (kind == "ru") return resolve_thread_item(model, p, ItemKind::Running, "running period");
  if (kind == "in") return resolve_thread_item(model, p, ItemKind::Instant, "event");
  if (kind == "ct") return resolve_counter(model, p);
  if (kind == "pe") return resolve_period(model, p);
  return missing("the selection '" + token + "' is not one this lurk knows");
}

}  // namespace lurk::ui
