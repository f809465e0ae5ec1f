// The rule that says a trace's connection is a capture's (docs/joining.md,
// "One connection seen by a capture and by a trace"), shared by the whole
// pass (join/connection_joiner.cpp) and `lurk collect`'s per-batch merges
// (live/live_capture_joins.h): same 4-tuple, either orientation, and the
// same client ISN when both saw the SYN, else overlapping times.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>

#include "join/join_decision.h"
#include "storage/sqlite_handle.h"

namespace lurk {

// The seq of the A side's first SYN of a connection, read once per
// connection (a connection without a SYN scans its packets for one).
class ClientIsns {
 public:
  explicit ClientIsns(Database& db);
  std::optional<int64_t> of(const JoinConnection& c);

 private:
  Statement query_;
  std::unordered_map<int64_t, std::optional<int64_t>> cache_;
};

// True when `trace`'s connection is `capture`'s.
bool same_connection(const JoinConnection& trace, const JoinConnection& capture,
                     ClientIsns& trace_isns, ClientIsns& capture_isns);

// The unordered pair of a connection's endpoints, as text: the key both
// merges look captures up by.
std::string endpoint_pair_key(const JoinConnection& c);

// The connections a trace's connection may be merged into (from_capture:
// every source but a lurk JSONL trace), by their endpoints. Both merges pick
// with it, so that they pick alike: the whole pass over every connection,
// `lurk collect` per batch over the profile's at its start.
class MergeTargets {
 public:
  // Added in id order: the first one that is the same wins.
  void add(const JoinConnection& capture);
  bool empty() const { return by_pair_.empty(); }
  // The first (in id order) that `trace` is the same as, or null.
  const JoinConnection* first_same(const JoinConnection& trace, ClientIsns& trace_isns,
                                   ClientIsns& capture_isns) const;

 private:
  std::multimap<std::string, JoinConnection> by_pair_;  // equal keys keep their order
};

// Connections a CTF trace shows by its promise trees (root_thread_id set)
// are that trace's own: their threads are linked already, their clock is the
// trace's, and their endpoints are mostly unknown, so they are neither
// merged nor given other traces' threads (docs/joining.md). The condition
// that leaves them out, on `connections c`, followed by " AND "; "" for a
// profile older than that column.
std::string trace_own_rows_left_out(Database& db);

}  // namespace lurk
