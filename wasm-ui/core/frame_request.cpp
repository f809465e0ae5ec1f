// The text form of a frame request (GET /frame?...): writing it, and parsing
// it strictly (docs/server.md, "Server-backed viewing").
#include "core/frame_request.h"
#include "core/view_state.h"

#include <charconv>
#include <cmath>
#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace lurk::ui {
namespace {

// Doubles are written with 17 significant digits: relative nanosecond times
// survive the trip exactly, so both sides lay out the same window.
std::string number(double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

std::string flags(const std::vector<bool>& v) {
  std::string s;
  size_t last = v.size();
  while (last > 0 && !v[last - 1]) --last;  // trailing "not set" is the default
  for (size_t i = 0; i < last; ++i) s += v[i] ? '1' : '0';
  return s;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string unescape(const std::string& name, const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '+') {
      out += ' ';
    } else if (s[i] != '%') {
      out += s[i];
    } else {
      int hi = i + 2 < s.size() ? hex_value(s[i + 1]) : -1, lo = hi >= 0 ? hex_value(s[i + 2]) : -1;
      if (lo < 0) throw FrameRequestError("frame parameter " + name + ": malformed percent escape");
      out += char(hi * 16 + lo);
      i += 2;
    }
  }
  return out;
}

[[noreturn]] void bad(const std::string& name, const std::string& expected, const std::string& got) {
  std::string shown = got.size() > 40 ? got.substr(0, 40) + "..." : got;
  throw FrameRequestError("frame parameter " + name + ": expected " + expected + ", got \"" + shown + "\"");
}

struct Params {
  std::map<std::string, std::string> values;
  const std::string* find(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? nullptr : &it->second;
  }
  const std::string& need(const std::string& name) const {
    if (const std::string* v = find(name)) return *v;
    throw FrameRequestError("frame parameter " + name + " is missing");
  }
  double real(const std::string& name, double lo, double hi) const {
    const std::string& text = need(name);
    // strtod, not from_chars: Emscripten's libc++ has no floating-point
    // from_chars. It would skip leading blanks and read hex: neither is taken.
    char* end = nullptr;
    double v = text.empty() || !(std::isdigit(static_cast<unsigned char>(text[0])) || text[0] == '-' ||
                                 text[0] == '+' || text[0] == '.')
                   ? NAN
                   : std::strtod(text.c_str(), &end);
    bool hex = text.find_first_of("xX") != std::string::npos;
    if (end != text.c_str() + text.size() || hex || !std::isfinite(v) || v < lo || v > hi)
      bad(name, "a number in [" + number(lo) + ", " + number(hi) + "]", text);
    return v;
  }
  double real_or(const std::string& name, double lo, double hi, double fallback) const {
    return find(name) ? real(name, lo, hi) : fallback;
  }
  uint32_t index(const std::string& name, const std::string& text) const {
    uint32_t v = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
    if (text.empty() || ec != std::errc() || end != text.data() + text.size())
      bad(name, "an index (0 to 4294967295)", text);
    return v;
  }
  std::optional<uint32_t> maybe_index(const std::string& name) const {
    if (const std::string* v = find(name)) return index(name, *v);
    return std::nullopt;
  }
  bool boolean(const std::string& name, bool fallback) const {
    const std::string* v = find(name);
    if (!v) return fallback;
    if (*v != "0" && *v != "1") bad(name, "0 or 1", *v);
    return *v == "1";
  }
  std::vector<bool> bits(const std::string& name) const {
    std::vector<bool> out;
    const std::string* v = find(name);
    if (!v) return out;
    if (v->size() > kMaxGroupFlags) bad(name, "at most 1000000 flags", v->substr(0, 20));
    for (char c : *v) {
      if (c != '0' && c != '1') bad(name, "a string of 0 and 1 (one per group)", *v);
      out.push_back(c == '1');
    }
    return out;
  }
};

Params split_query(const std::string& query) {
  Params p;
  size_t start = 0;
  while (start < query.size()) {
    size_t amp = query.find('&', start);
    std::string pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    start = amp == std::string::npos ? query.size() : amp + 1;
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string name = pair.substr(0, eq);
    std::string value = eq == std::string::npos ? "" : unescape(name, pair.substr(eq + 1));
    if (!p.values.emplace(name, value).second)
      throw FrameRequestError("frame parameter " + name + " is given twice");
  }
  return p;
}

ItemRef parse_item(const Params& p) {
  const std::string* text = p.find("sel");
  if (!text) return {};
  // kind.lane.index.count
  std::vector<std::string> parts;
  size_t start = 0;
  for (;;) {
    size_t dot = text->find('.', start);
    parts.push_back(text->substr(start, dot == std::string::npos ? std::string::npos : dot - start));
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  if (parts.size() != 4) bad("sel", "kind.lane.index.count", *text);
  uint32_t kind = p.index("sel", parts[0]);
  if (kind > uint32_t(ItemKind::Period)) bad("sel", "an item kind (0 to 12)", *text);
  // Kind 0 is no item: what follows it means nothing, and is not kept (the
  // query written back has no sel at all; the wire fuzzer's round trip).
  if (kind == 0) return {};
  return {ItemKind(kind), p.index("sel", parts[1]), p.index("sel", parts[2]), p.index("sel", parts[3])};
}

}  // namespace

bool FrameRequest::operator==(const FrameRequest& o) const {
  const FrameView &a = view, &b = o.view;
  return a.window.t0() == b.window.t0() && a.window.t1() == b.window.t1() &&
         a.label_left == b.label_left && a.label_width == b.label_width && a.left == b.left &&
         a.width == b.width && a.ruler_top == b.ruler_top && a.ruler_height == b.ruler_height &&
         a.top == b.top && a.height == b.height && a.scroll_y == b.scroll_y && a.light == b.light &&
         a.text_height == b.text_height && packed == o.packed && hide_idle == o.hide_idle &&
         keep_group == o.keep_group && flags(counters_open) == flags(o.counters_open) &&
         flags(collapsed) == flags(o.collapsed) && selected_group == o.selected_group &&
         selected == o.selected && selected.count == o.selected.count && measure == o.measure &&
         search == o.search;
}

std::string frame_request_query(const FrameRequest& r) {
  const FrameView& v = r.view;
  std::string q = "t0=" + number(v.window.t0()) + "&t1=" + number(v.window.t1()) +
                  "&lx=" + number(v.label_left) + "&lw=" + number(v.label_width) +
                  "&x=" + number(v.left) + "&w=" + number(v.width) + "&ry=" + number(v.ruler_top) +
                  "&rh=" + number(v.ruler_height) + "&y=" + number(v.top) + "&h=" + number(v.height) +
                  "&sy=" + number(v.scroll_y) + "&th=" + number(v.text_height) +
                  "&light=" + (v.light ? "1" : "0") + "&packed=" + (r.packed ? "1" : "0") +
                  "&idle=" + (r.hide_idle ? "1" : "0");
  if (r.keep_group) q += "&keep=" + std::to_string(*r.keep_group);
  if (std::string co = flags(r.counters_open); !co.empty()) q += "&co=" + co;
  if (std::string col = flags(r.collapsed); !col.empty()) q += "&col=" + col;
  if (r.selected_group) q += "&sg=" + std::to_string(*r.selected_group);
  if (r.selected)
    q += "&sel=" + std::to_string(int(r.selected.kind)) + "." + std::to_string(r.selected.lane) + "." +
         std::to_string(r.selected.index) + "." + std::to_string(r.selected.count);
  if (r.measure) q += "&m0=" + number(r.measure->first) + "&m1=" + number(r.measure->second);
  if (!r.search.empty()) q += "&q=" + percent_encode(r.search);  // the links' encoding (view_state.h)
  return q;
}

FrameRequest parse_frame_request(const std::string& query) {
  Params p = split_query(query);
  for (const auto& [name, value] : p.values) {
    static const char* known[] = {"t0", "t1", "lx", "lw", "x",  "w",  "ry", "rh",  "y", "h", "sy",
                                  "th", "light", "packed", "idle", "keep", "co", "col", "sg", "sel",
                                  "m0", "m1", "q", "token"};
    bool ok = false;
    for (const char* k : known) ok = ok || name == k;
    if (!ok) throw FrameRequestError("unknown frame parameter " + name.substr(0, 40));
  }
  FrameRequest r;
  FrameView& v = r.view;
  double t0 = p.real("t0", -kMaxAbsTimeNs, kMaxAbsTimeNs), t1 = p.real("t1", -kMaxAbsTimeNs, kMaxAbsTimeNs);
  if (!(t1 - t0 >= TimeWindow::kMinSpanNs))
    bad("t1", "a time at least 10 ns after t0 (" + number(t0) + ")", p.need("t1"));
  v.window.set(t0, t1);
  v.label_left = float(p.real("lx", 0, kMaxFramePixels));
  v.label_width = float(p.real("lw", 0, kMaxFramePixels));
  v.left = float(p.real("x", 0, kMaxFramePixels));
  v.width = float(p.real("w", 1, kMaxFramePixels));
  v.ruler_top = float(p.real("ry", 0, kMaxFramePixels));
  v.ruler_height = float(p.real("rh", 0, kMaxFramePixels));
  v.top = float(p.real("y", 0, kMaxFramePixels));
  v.height = float(p.real("h", 1, kMaxFramePixels));
  v.scroll_y = float(p.real_or("sy", 0, kMaxScrollPixels, 0));
  v.text_height = float(p.real_or("th", 1, 200, 15));
  v.light = p.boolean("light", false);
  r.packed = p.boolean("packed", true);
  r.hide_idle = p.boolean("idle", true);
  r.keep_group = p.maybe_index("keep");
  r.counters_open = p.bits("co");
  r.collapsed = p.bits("col");
  r.selected_group = p.maybe_index("sg");
  r.selected = parse_item(p);
  if (p.find("m0") || p.find("m1"))
    r.measure = std::make_pair(p.real("m0", -kMaxAbsTimeNs, kMaxAbsTimeNs), p.real("m1", -kMaxAbsTimeNs, kMaxAbsTimeNs));
  if (const std::string* q = p.find("q")) {
    if (q->size() > kMaxSearchBytes) bad("q", "a search text of at most 256 bytes", *q);
    r.search = *q;
  }
  return r;
}

// A query of one parameter `name`: a row id of the profile (64-bit).
static int64_t parse_id_request(const std::string& query, const std::string& name, const std::string& what) {
  Params p = split_query(query);
  for (const auto& [key, value] : p.values)
    if (key != name && key != "token") throw FrameRequestError("unknown " + what + " parameter " + key.substr(0, 40));
  const std::string& text = p.need(name);
  int64_t id = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size())
    bad(name, "a " + what + " id (a 64-bit integer)", text);
  return id;
}

std::string samples_request_query(int64_t connection_id) { return "c=" + std::to_string(connection_id); }
int64_t parse_samples_request(const std::string& query) { return parse_id_request(query, "c", "connection"); }

std::string finding_request_query(int64_t finding_id) { return "id=" + std::to_string(finding_id); }
int64_t parse_finding_request(const std::string& query) { return parse_id_request(query, "id", "finding"); }

std::string item_request_query(const ItemRef& item) {
  return "sel=" + std::to_string(int(item.kind)) + "." + std::to_string(item.lane) + "." +
         std::to_string(item.index) + "." + std::to_string(item.count);
}

ItemRef parse_item_request(const std::string& query) {
  Params p = split_query(query);
  for (const auto& [name, value] : p.values)
    if (name != "sel" && name != "token") throw FrameRequestError("unknown item parameter " + name.substr(0, 40));
  ItemRef item = parse_item(p);
  if (!item) bad("sel", "an item (kind 1 to 12)", p.find("sel") ? *p.find("sel") : std::string("nothing"));
  return item;
}

std::string measure_request_query(double t0, double t1) { return "t0=" + number(t0) + "&t1=" + number(t1); }

std::pair<double, double> parse_measure_request(const std::string& query) {
  Params p = split_query(query);
  for (const auto& [name, value] : p.values)
    if (name != "t0" && name != "t1" && name != "token")
      throw FrameRequestError("unknown measure parameter " + name.substr(0, 40));
  double t0 = p.real("t0", -kMaxAbsTimeNs, kMaxAbsTimeNs), t1 = p.real("t1", -kMaxAbsTimeNs, kMaxAbsTimeNs);
  if (t1 < t0) bad("t1", "a time at or after t0 (" + number(t0) + ")", p.need("t1"));
  return {t0, t1};
}

std::string mark_request_query(const MarkRequest& r) {
  std::string q = std::string("dir=") + (r.forward ? "1" : "0") + "&t=" + number(r.t_ns);
  if (r.current) q += "&" + item_request_query(r.current);
  if (r.group) q += "&g=" + std::to_string(*r.group);
  if (!r.search.empty()) q += "&q=" + percent_encode(r.search);
  return q;
}

MarkRequest parse_mark_request(const std::string& query) {
  Params p = split_query(query);
  for (const auto& [name, value] : p.values)
    if (name != "dir" && name != "t" && name != "sel" && name != "g" && name != "q" && name != "token")
      throw FrameRequestError("unknown mark parameter " + name.substr(0, 40));
  MarkRequest r;
  r.forward = p.boolean("dir", true);
  if (!p.find("dir")) p.need("dir");
  r.t_ns = p.real("t", -kMaxAbsTimeNs, kMaxAbsTimeNs);
  r.current = parse_item(p);
  r.group = p.maybe_index("g");
  if (const std::string* q = p.find("q")) {
    if (q->size() > kMaxSearchBytes) bad("q", "a search text of at most 256 bytes", *q);
    r.search = *q;
  }
  return r;
}

}  // namespace lurk::ui
