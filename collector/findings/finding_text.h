// Text helpers for finding titles and details: how a connection and each of
// its directions are named, and durations in human units.
#pragma once

#include <cstdint>
#include <map>
#include <string>

namespace lurk {

class Database;

struct ConnectionNames {
  std::string a, b;  // "addr:port" of each endpoint (IPv6 in brackets)
  // Who sent in direction `dir` (0: A to B).
  std::string sender(int dir) const { return dir == 0 ? a + " -> " + b : b + " -> " + a; }
  std::string both() const { return a + " <-> " + b; }
};

// The names of one connection's endpoints.
ConnectionNames names_of(const std::string& addr_a, int64_t port_a, const std::string& addr_b,
                         int64_t port_b);

// Every connection's names, by id.
std::map<int64_t, ConnectionNames> load_connection_names(Database& db);

// "850 us", "12.3 ms", "1.52 s".
std::string format_duration(int64_t ns);

}  // namespace lurk
