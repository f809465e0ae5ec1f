// The joiner's decision for one thread (docs/joining.md), shared by the
// whole-profile pass (join/connection_joiner.cpp) and `lurk collect`'s
// per-batch joiner (live/live_joiner.h): which connection a thread's
// earliest evidence of each kind names. The connections a piece of evidence
// could name are asked of a JoinCandidates: the whole pass scans them all,
// the live joiner looks them up in its indexes (the cost of a batch then
// follows the batch); both decide alike because `choose` does not depend on
// the order of the candidates.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "join/join_evidence.h"
#include "storage/sqlite_handle.h"

namespace lurk {

// Times of a trace and of a capture of the same run agree to well within
// this; it also absorbs a trace event logged just before the SYN went out.
inline constexpr int64_t kJoinTimeSlackNs = 1'000'000'000;
// A "connect" label and the SYN it causes.
inline constexpr int64_t kJoinLabelBeforeNs = 1'000'000;
inline constexpr int64_t kJoinLabelWindowNs = 1'000'000'000;

struct JoinConnection {
  int64_t id = 0;
  std::string addr_a, addr_b;
  int port_a = 0, port_b = 0;
  int64_t first_ns = 0, last_ns = 0;
  std::optional<int64_t> same_as;
  bool from_capture = true;
  int64_t canonical() const { return same_as.value_or(id); }
  bool has_endpoint(const std::string& addr, int port) const {
    return (port_a == port && (addr.empty() || addr_a == addr)) ||
           (port_b == port && (addr.empty() || addr_b == addr));
  }
  bool has_tuple(const JoinEvidence& e) const {
    return (addr_a == e.addr_1 && port_a == e.port_1 && addr_b == e.addr_2 && port_b == e.port_2) ||
           (addr_a == e.addr_2 && port_a == e.port_2 && addr_b == e.addr_1 && port_b == e.port_1);
  }
  bool covers(int64_t ts) const {
    return ts >= first_ns - kJoinTimeSlackNs && ts <= last_ns + kJoinTimeSlackNs;
  }
  int64_t distance(int64_t ts) const {
    return ts < first_ns ? first_ns - ts : ts > last_ns ? ts - last_ns : 0;
  }
};

// The columns join_connection_from reads, in its order, for
// "SELECT " kJoinConnectionColumns " FROM connections c LEFT JOIN sources src
// ON src.id = c.source_id ..." (both joiners load connections so).
inline constexpr const char* kJoinConnectionColumns =
    "c.id, c.addr_a, c.port_a, c.addr_b, c.port_b, c.first_ns, c.last_ns, c.same_as, "
    "coalesce(src.format, '') <> 'lurk-jsonl'";
JoinConnection join_connection_from(Statement& row);

// The earliest evidence of each kind a thread's events give.
struct ThreadEvidence {
  std::optional<JoinEvidence> tuple, port, label;
  // True when it changed what is kept.
  bool add(const JoinEvidence& e) {
    std::optional<JoinEvidence>& slot = e.kind == JoinEvidence::Kind::FourTuple ? tuple
                                        : e.kind == JoinEvidence::Kind::Port    ? port
                                                                                : label;
    if (slot && e.ts_ns >= slot->ts_ns) return false;
    slot = e;
    return true;
  }
  bool empty() const { return !tuple && !port && !label; }
};

// The connections a piece of evidence may name, and a connection by id.
class JoinCandidates {
 public:
  virtual ~JoinCandidates() = default;
  // Every connection with both of the evidence's endpoints.
  virtual std::vector<const JoinConnection*> with_tuple(const JoinEvidence& e) const = 0;
  // Every connection with the endpoint (any address when `addr` is empty).
  virtual std::vector<const JoinConnection*> with_endpoint(const std::string& addr,
                                                           int port) const = 0;
  // Every connection whose first time is in [from, to].
  virtual std::vector<const JoinConnection*> starting_between(int64_t from, int64_t to) const = 0;
  // The connection with this id, or null.
  virtual const JoinConnection* by_id(int64_t id) const = 0;
};

// Cheap test before parsing args: could they name an endpoint at all?
inline bool may_name_endpoint(const std::string& args) {
  return args.find("port") != std::string::npos || args.find("addr") != std::string::npos ||
         args.find("\"src\"") != std::string::npos || args.find("\"local\"") != std::string::npos;
}

// What a name says, once per interned name (names repeat: span names, log
// texts); the evidence's time is the event's.
class NameEvidence {
 public:
  explicit NameEvidence(Database& db) : text_(db.prepare("SELECT text FROM strings WHERE id = ?")) {}
  const std::vector<JoinEvidence>& of(int64_t name_id) {
    auto [it, fresh] = cache_.try_emplace(name_id);
    if (fresh) {
      text_.bind(1, name_id);
      if (text_.step()) it->second = evidence_in_event("", text_.column_text(0), 0);
      text_.reset();
    }
    return it->second;
  }

 private:
  Statement text_;
  std::unordered_map<int64_t, std::vector<JoinEvidence>> cache_;
};

// The connection and how ("4-tuple", "port", "label+time"), or nothing.
std::optional<std::pair<int64_t, const char*>> decide_link(const JoinCandidates& candidates,
                                                           const ThreadEvidence& e);

}  // namespace lurk
