// Text helpers for findings: see finding_text.h.
#include "findings/finding_text.h"

#include <cstdio>

#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

std::string endpoint(const std::string& addr, int64_t port) {
  bool v6 = addr.find(':') != std::string::npos;
  return (v6 ? "[" + addr + "]" : addr) + ":" + std::to_string(port);
}

}  // namespace

ConnectionNames names_of(const std::string& addr_a, int64_t port_a, const std::string& addr_b,
                         int64_t port_b) {
  return {endpoint(addr_a, port_a), endpoint(addr_b, port_b)};
}

std::map<int64_t, ConnectionNames> load_connection_names(Database& db) {
  std::map<int64_t, ConnectionNames> names;
  Statement s = db.prepare("SELECT id, addr_a, port_a, addr_b, port_b FROM connections");
  while (s.step()) {
    names[s.column_int(0)] = {endpoint(s.column_text(1), s.column_int(2)),
                              endpoint(s.column_text(3), s.column_int(4))};
  }
  return names;
}

std::string format_duration(int64_t ns) {
  char text[32];
  if (ns < 1'000'000) std::snprintf(text, sizeof text, "%.0f us", double(ns) / 1e3);
  else if (ns < 1'000'000'000) std::snprintf(text, sizeof text, "%.1f ms", double(ns) / 1e6);
  else std::snprintf(text, sizeof text, "%.2f s", double(ns) / 1e9);
  return text;
}

}  // namespace lurk
