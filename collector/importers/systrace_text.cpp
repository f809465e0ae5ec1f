#include "importers/systrace_text.h"

#include <limits>
#include <vector>

namespace lurk {
namespace {

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool is_digit(char c) { return c >= '0' && c <= '9'; }

std::string_view trim(std::string_view s) {
  while (!s.empty() && is_space(s.front())) s.remove_prefix(1);
  while (!s.empty() && is_space(s.back())) s.remove_suffix(1);
  return s;
}

// Digits at s[i...] as a number; i moves past them. nullopt when there are
// none or they overflow `max`.
std::optional<int64_t> read_digits(std::string_view s, size_t& i, int64_t max) {
  size_t start = i;
  int64_t value = 0;
  for (; i < s.size() && is_digit(s[i]); ++i) {
    int digit = s[i] - '0';
    if (value > (max - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  if (i == start) return std::nullopt;
  return value;
}

// A whole field as a number (an optional '-' when `signed_ok`), nothing else.
std::optional<int64_t> whole_number(std::string_view s, bool signed_ok, int64_t max) {
  bool negative = signed_ok && !s.empty() && s[0] == '-';
  size_t i = negative ? 1 : 0;
  std::optional<int64_t> v = read_digits(s, i, max);
  if (!v || i != s.size()) return std::nullopt;
  return negative ? -*v : *v;
}

constexpr int64_t kMaxU32 = std::numeric_limits<uint32_t>::max();
constexpr int64_t kMaxI64 = std::numeric_limits<int64_t>::max();

// "SECONDS.FRACTION" at s[i...] in nanoseconds (digits past the ninth dropped).
std::optional<int64_t> read_seconds(std::string_view s, size_t& i) {
  std::optional<int64_t> seconds = read_digits(s, i, kMaxI64 / 1000000000 - 1);
  if (!seconds || i >= s.size() || s[i] != '.') return std::nullopt;
  ++i;
  size_t start = i;
  int64_t ns = 0, place = 100000000;
  for (; i < s.size() && is_digit(s[i]); ++i, place /= 10) ns += (s[i] - '0') * place;
  if (i == start) return std::nullopt;
  return *seconds * 1000000000 + ns;
}

// The line read as ftrace text from its '-' at `dash` (the one before the
// tid); the fields Perfetto's tokenizer matches, in the same order.
std::optional<FtraceLine> match_at(std::string_view s, size_t dash) {
  FtraceLine out;
  size_t i = dash + 1;
  std::optional<int64_t> tid = read_digits(s, i, kMaxU32);
  if (!tid || i >= s.size() || !is_space(s[i])) return std::nullopt;
  out.tid = *tid;
  while (i < s.size() && is_space(s[i])) ++i;
  // "(TGID)" or "(-----)", either optional.
  if (i < s.size() && s[i] == '(') ++i;
  while (i < s.size() && is_space(s[i])) ++i;
  if (i < s.size() && is_digit(s[i])) out.tgid = read_digits(s, i, kMaxU32);
  else while (i < s.size() && s[i] == '-') ++i;
  if (i < s.size() && s[i] == ')') ++i;
  if (i < s.size() && s[i] == ' ') ++i;
  // "[CPU]"
  if (i >= s.size() || s[i] != '[') return std::nullopt;
  ++i;
  std::optional<int64_t> cpu = read_digits(s, i, kMaxU32);
  if (!cpu || i >= s.size() || s[i] != ']') return std::nullopt;
  out.cpu = *cpu;
  ++i;
  while (i < s.size() && is_space(s[i])) ++i;
  // Irq flags ("d..2", "...1."): three of [a-zA-Z.], then one or two of [0-9a-f.].
  auto flag_head = [](char c) { return c == '.' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); };
  auto flag_tail = [](char c) { return c == '.' || is_digit(c) || (c >= 'a' && c <= 'f'); };
  if (i + 3 < s.size() && flag_head(s[i]) && flag_head(s[i + 1]) && flag_head(s[i + 2]) &&
      flag_tail(s[i + 3])) {
    i += 4;
    if (i < s.size() && flag_tail(s[i]) && !(i + 1 < s.size() && s[i + 1] == '.' && is_digit(s[i])))
      ++i;
    while (i < s.size() && is_space(s[i])) ++i;
  }
  std::optional<int64_t> ts = read_seconds(s, i);
  if (!ts || i >= s.size() || s[i] != ':') return std::nullopt;
  out.ts_ns = *ts;
  ++i;
  if (i >= s.size() || !is_space(s[i])) return std::nullopt;
  while (i < s.size() && is_space(s[i])) ++i;
  // EVENT: the run of non-space bytes up to its last ':'.
  size_t run_end = i;
  while (run_end < s.size() && !is_space(s[run_end])) ++run_end;
  size_t colon = s.substr(i, run_end - i).rfind(':');
  if (colon == std::string_view::npos || colon == 0) return std::nullopt;
  out.event = s.substr(i, colon);
  out.payload = trim(s.substr(i + colon + 1));
  out.task = trim(s.substr(0, dash));
  return out;
}

// '|'-separated fields of an atrace payload.
std::vector<std::string_view> split_fields(std::string_view s) {
  std::vector<std::string_view> fields;
  for (size_t start = 0;;) {
    size_t bar = s.find('|', start);
    fields.push_back(s.substr(start, bar == std::string_view::npos ? bar : bar - start));
    if (bar == std::string_view::npos) return fields;
    start = bar + 1;
  }
}

}  // namespace

std::optional<FtraceLine> parse_ftrace_line(std::string_view line) {
  // The leftmost '-' from which the whole pattern matches: a task name may
  // itself hold '-' (kworker/u16:1-77, Binder-1-2).
  for (size_t dash = line.find('-'); dash != std::string_view::npos; dash = line.find('-', dash + 1))
    if (auto parsed = match_at(line, dash)) return parsed;
  return std::nullopt;
}

AtraceParse parse_atrace_point(std::string_view payload, AtracePoint& point, std::string& why) {
  point = AtracePoint{};
  while (!payload.empty() && (payload.back() == '\n' || payload.back() == '\0')) payload.remove_suffix(1);
  std::vector<std::string_view> f = split_fields(payload);
  auto field = [&f](size_t n) { return n < f.size() ? f[n] : std::string_view(); };
  if (f[0].empty()) {
    why = "expected an atrace point (B|pid|name, E|pid, C|pid|name|value, ...), found an empty one";
    return AtraceParse::kBad;
  }
  point.phase = f[0][0];
  if (auto tgid = whole_number(field(1), false, kMaxU32)) point.tgid = tgid;
  auto bad = [&](const char* form) {
    why = std::string("expected '") + form + "', found '" + std::string(payload) + "'";
    return AtraceParse::kBad;
  };
  switch (point.phase) {
    case 'B': {
      if (!point.tgid) return bad("B|pid|name");
      // The name is everything after the pid, '|' included.
      size_t second_bar = f.size() > 2 ? payload.find('|', payload.find('|') + 1) : payload.size();
      point.name = second_bar < payload.size() ? payload.substr(second_bar + 1) : std::string_view();
      if (point.name.empty()) point.name = "[empty slice name]";
      return AtraceParse::kPoint;
    }
    case 'E':  // Flutter writes a bare "E": the thread says which slice ends.
      return AtraceParse::kPoint;
    case 'S':
    case 'F': {
      std::optional<int64_t> cookie = whole_number(field(3), true, kMaxI64);
      if (!point.tgid || field(2).empty() || !cookie)
        return bad(point.phase == 'S' ? "S|pid|name|cookie" : "F|pid|name|cookie");
      point.name = field(2);
      point.value = *cookie;
      return AtraceParse::kPoint;
    }
    case 'I':
      if (!point.tgid || field(2).empty()) return bad("I|pid|name");
      point.name = field(2);
      return AtraceParse::kPoint;
    case 'N':
      if (!point.tgid || field(2).empty() || field(3).empty()) return bad("N|pid|track|name");
      point.track = field(2);
      point.name = field(3);
      return AtraceParse::kPoint;
    case 'C': {
      // A fifth field (Chromium's category group) is ignored.
      std::optional<int64_t> value = whole_number(field(3), true, kMaxI64);
      if (!point.tgid || field(2).empty() || !value) return bad("C|pid|name|integer value");
      point.name = field(2);
      point.value = *value;
      return AtraceParse::kPoint;
    }
    case 'G': {
      std::optional<int64_t> cookie = whole_number(field(4), true, kMaxI64);
      if (!point.tgid || field(2).empty() || field(3).empty() || !cookie)
        return bad("G|pid|track|name|cookie");
      point.track = field(2);
      point.name = field(3);
      point.value = *cookie;
      return AtraceParse::kPoint;
    }
    case 'H': {
      std::optional<int64_t> cookie = whole_number(field(4).empty() ? field(3) : field(4), true, kMaxI64);
      if (!point.tgid || field(2).empty() || !cookie) return bad("H|pid|track[|name]|cookie");
      point.track = field(2);
      point.value = *cookie;
      return AtraceParse::kPoint;
    }
    default:
      if (payload.starts_with("trace_event_clock_sync:")) return AtraceParse::kUnsupported;
      return bad("B|pid|name, E|pid, C|pid|name|value, S/F|pid|name|cookie, I|pid|name, N|pid|track|name or G/H|pid|track|...|cookie");
  }
}

}  // namespace lurk
