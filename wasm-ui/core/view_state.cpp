// ViewState as URL hash text and back (view_state.h). The format is
// `v=1&t=T0,T1&sel=...&...`: percent-encoded values, keys in a fixed order,
// values equal to the profile's opening view left out.
#include "core/view_state.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>

namespace lurk::ui {
namespace {

// The shortest decimal text that reads back as exactly `v`.
std::string number_text(double v) {
  char buf[40];
  for (int precision = 6; precision <= 17; ++precision) {
    std::snprintf(buf, sizeof buf, "%.*g", precision, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  return buf;
}

std::optional<double> parse_number(const std::string& text) {
  if (text.empty()) return std::nullopt;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() + text.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::vector<std::string> split(const std::string& text, char sep) {
  std::vector<std::string> out;
  if (text.empty()) return out;
  size_t start = 0;
  for (;;) {
    size_t at = text.find(sep, start);
    out.push_back(text.substr(start, at == std::string::npos ? std::string::npos : at - start));
    if (at == std::string::npos) return out;
    start = at + 1;
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string out;
  for (const std::string& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

bool is_plain(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '-' || c == '_' || c == '.' || c == '~' || c == ',' || c == ':';
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Reads one boolean key ("1" / "0"); anything else is a problem.
void read_flag(const std::string& key, const std::string& value, bool& out,
               std::vector<std::string>& problems) {
  if (value == "1" || value == "0") out = value == "1";
  else problems.push_back("'" + key + "=" + value + "' is not 0 or 1");
}

void read_window(const std::string& value, ViewState& s, std::vector<std::string>& problems) {
  std::vector<std::string> parts = split(value, ',');
  std::optional<double> t0 = parts.size() == 2 ? parse_number(parts[0]) : std::nullopt;
  std::optional<double> t1 = parts.size() == 2 ? parse_number(parts[1]) : std::nullopt;
  if (t0 && t1 && *t1 > *t0) s.window = std::make_pair(*t0, *t1);
  else problems.push_back("the time range 't=" + value + "' is not two increasing numbers");
}

// "-bytes": by bytes, descending; "state": by state, ascending.
void read_sort(const std::string& value, ViewState& s, std::vector<std::string>& problems) {
  bool descending = !value.empty() && value[0] == '-';
  std::string column = descending ? value.substr(1) : value;
  if (column.empty() || column.find_first_not_of("abcdefghijklmnopqrstuvwxyz-") != std::string::npos) {
    problems.push_back("'csort=" + value + "' is not a column");
    return;
  }
  s.table_sort = column;
  s.table_descending = descending;
}

std::optional<int64_t> parse_integer(const std::string& text) {
  std::optional<double> v = parse_number(text);
  if (!v || *v != std::floor(*v) || std::fabs(*v) > 9.0e18) return std::nullopt;
  return int64_t(*v);
}

// "2:1500000000,3:-20": source 2 shifted by 1.5 s, source 3 by -20 ns.
void read_clocks(const std::string& value, ViewState& s, std::vector<std::string>& problems) {
  std::map<int64_t, int64_t> shifts;
  for (const std::string& part : split(value, ',')) {
    size_t colon = part.find(':');
    std::optional<int64_t> id = parse_integer(part.substr(0, colon));
    std::optional<int64_t> ns = colon == std::string::npos ? std::nullopt : parse_integer(part.substr(colon + 1));
    if (!id || !ns) {
      problems.push_back("'clock=" + value + "' is not SOURCE:NS pairs");
      return;
    }
    shifts[*id] = *ns;
  }
  s.clock_by_hand = shifts;
}

void read_key(const std::string& key, const std::string& value, ParsedView& out) {
  ViewState& s = out.state;
  std::vector<std::string>& problems = out.problems;
  if (key == "t") {
    read_window(value, s, problems);
  } else if (key == "sel") {
    s.selection = value;
  } else if (key == "finding") {
    std::optional<double> rank = parse_number(value);
    if (rank && *rank >= 1 && *rank == std::floor(*rank)) s.finding_rank = int64_t(*rank);
    else problems.push_back("'finding=" + value + "' is not a finding's rank");
  } else if (key == "fkind") {
    s.finding_kind = value;
  } else if (key == "findings") {
    read_flag(key, value, s.findings_shown, problems);
  } else if (key == "table") {
    read_flag(key, value, s.table_shown, problems);
  } else if (key == "cfilter") {
    s.table_filter = value;
  } else if (key == "csort") {
    read_sort(value, s, problems);
  } else if (key == "y") {
    std::optional<double> y = parse_number(value);
    if (y && *y >= 0) s.scroll_y = *y;
    else problems.push_back("'y=" + value + "' is not a scroll position");
  } else if (key == "clock") {
    read_clocks(value, s, problems);
  } else if (key == "q") {
    s.search = value;
  } else if (key == "fold") {
    s.fold_all = value == "all";
    s.fold = s.fold_all ? std::vector<std::string>{} : split(value, ',');
  } else if (key == "open") {
    if (s.fold_all) s.fold = split(value, ',');
    else problems.push_back("'open=' without 'fold=all'");
  } else if (key == "packed") {
    read_flag(key, value, s.packed, problems);
  } else if (key == "idle") {
    bool shown = !s.hide_idle;
    read_flag(key, value, shown, problems);
    s.hide_idle = !shown;
  } else if (key == "help") {
    read_flag(key, value, s.help, problems);
  } else if (key == "theme") {
    if (value == "dark" || value == "light") s.theme = value;
    else problems.push_back("unknown theme '" + value + "'");
  } else {
    problems.push_back("unknown key '" + key + "'");
  }
}

}  // namespace

std::string percent_encode(const std::string& text) {
  static const char* hex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (is_plain(char(c))) {
      out += char(c);
    } else {
      out += '%';
      out += hex[c >> 4];
      out += hex[c & 15];
    }
  }
  return out;
}

std::string percent_decode(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    int hi = i + 2 < text.size() && text[i] == '%' ? hex_value(text[i + 1]) : -1;
    int lo = hi >= 0 ? hex_value(text[i + 2]) : -1;
    if (text[i] == '%' && hi >= 0 && lo >= 0) {
      out += char(hi * 16 + lo);
      i += 2;
    } else {
      out += text[i] == '+' ? ' ' : text[i];
    }
  }
  return out;
}

std::string view_to_hash(const ViewState& s, const ViewState& d) {
  std::vector<std::pair<std::string, std::string>> keys;
  keys.emplace_back("v", std::to_string(ViewState::kVersion));
  if (s.window && s.window != d.window)
    keys.emplace_back("t", number_text(s.window->first) + "," + number_text(s.window->second));
  if (!s.selection.empty()) keys.emplace_back("sel", s.selection);
  if (s.finding_rank > 0) keys.emplace_back("finding", std::to_string(s.finding_rank));
  if (!s.finding_kind.empty()) keys.emplace_back("fkind", s.finding_kind);
  if (s.findings_shown != d.findings_shown) keys.emplace_back("findings", s.findings_shown ? "1" : "0");
  if (s.table_shown != d.table_shown) keys.emplace_back("table", s.table_shown ? "1" : "0");
  if (!s.table_filter.empty()) keys.emplace_back("cfilter", s.table_filter);
  if (s.table_sort != d.table_sort || s.table_descending != d.table_descending)
    keys.emplace_back("csort", (s.table_descending ? "-" : "") + s.table_sort);
  if (!s.search.empty()) keys.emplace_back("q", s.search);
  if (s.fold_all != d.fold_all || s.fold != d.fold) {
    keys.emplace_back("fold", s.fold_all ? "all" : join(s.fold));
    if (s.fold_all && !s.fold.empty()) keys.emplace_back("open", join(s.fold));
  }
  if (s.packed != d.packed) keys.emplace_back("packed", s.packed ? "1" : "0");
  if (s.hide_idle != d.hide_idle) keys.emplace_back("idle", s.hide_idle ? "0" : "1");
  if (s.scroll_y != d.scroll_y) keys.emplace_back("y", number_text(s.scroll_y));
  if (s.clock_by_hand != d.clock_by_hand) {
    std::vector<std::string> shifts;
    for (const auto& [id, ns] : s.clock_by_hand) shifts.push_back(std::to_string(id) + ":" + std::to_string(ns));
    keys.emplace_back("clock", join(shifts));
  }
  if (s.help) keys.emplace_back("help", "1");
  if (s.theme != d.theme) keys.emplace_back("theme", s.theme);
  std::string out;
  for (const auto& [key, value] : keys)
    out += (out.empty() ? "" : "&") + key + "=" + percent_encode(value);
  return out;
}

ParsedView view_from_hash(const std::string& hash, const ViewState& defaults) {
  ParsedView out;
  out.state = defaults;
  std::string text = !hash.empty() && hash[0] == '#' ? hash.substr(1) : hash;
  std::map<std::string, std::string> seen;
  for (const std::string& pair : split(text, '&')) {
    if (pair.empty()) continue;
    size_t eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq));
    std::string value = eq == std::string::npos ? "" : percent_decode(pair.substr(eq + 1));
    seen[key] = value;
  }
  if (auto v = seen.find("v"); v != seen.end()) {
    std::optional<double> version = parse_number(v->second);
    out.version = version ? int(*version) : 0;
    if (!version || out.version < 1)
      out.problems.push_back("'v=" + v->second + "' is not a view version");
    else if (out.version > ViewState::kVersion)
      out.problems.push_back("the link is from a newer lurk (view version " + v->second +
                             ", this lurk reads " + std::to_string(ViewState::kVersion) + ")");
    seen.erase(v);
  }
  // "fold" before "open" (std::map order would read "open" first).
  if (auto f = seen.find("fold"); f != seen.end()) {
    read_key(f->first, f->second, out);
    seen.erase(f);
  }
  for (const auto& [key, value] : seen) read_key(key, value, out);
  return out;
}

bool is_chosen_change(const ViewState& before, const ViewState& after) {
  ViewState a = before, b = after;
  // Continuous: the range (drag, wheel), the scroll and text being typed.
  a.window = b.window;
  a.scroll_y = b.scroll_y;
  a.search = b.search;
  a.table_filter = b.table_filter;
  return a != b;
}

}  // namespace lurk::ui
