// The thread part of the findings detector (docs/findings.md): failed
// threads grouped by exception message, "N of M connections end with an
// exception" for threads linked to connections, and must-resolve threads
// that never resolved.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "storage/rows.h"

namespace lurk {

class Database;

// An exception on a thread linked to a connection counts as ending that
// connection when it is at most this far from the connection's first FIN
// or RST (or from its last time, when no FIN/RST was captured).
inline constexpr int64_t kConnectionEndWindowNs = 500'000'000;

std::vector<FindingRow> find_thread_findings(Database& db);

// The pieces, shared with `lurk collect`'s per-batch findings
// (live/live_findings.h), so both word a finding alike.
// One exception: a failed thread's end (its first exception instant when it
// has no end), or an exception instant on a thread.
struct ExceptionEvent {
  int64_t thread_id = 0, ts_ns = 0;
  std::optional<int64_t> connection_id;
  std::string message;
};
// The "exception" finding of the failed threads with one message, `events`
// in (time, thread id) order, at least one.
FindingRow exception_finding(const std::string& message,
                             const std::vector<ExceptionEvent>& events);
// "N of M connections end with an exception: MESSAGE": `connections` the
// connections ending with it, `linked_connections` (M) those with linked
// threads, `first` the earliest such exception.
FindingRow connection_end_finding(const std::string& message, const std::set<int64_t>& connections,
                                  int64_t linked_connections, const ExceptionEvent& first);
// A must-resolve thread still pending when its trace ended (marked then).
FindingRow never_resolved_finding(int64_t thread_id, const std::string& ext_id,
                                  const std::string& name, std::optional<int64_t> connection_id,
                                  int64_t start_ns, int64_t marked_ns);
// Rank order: most severe first, then longest, then earliest.
bool finding_ranks_before(const FindingRow& x, const FindingRow& y);

}  // namespace lurk
