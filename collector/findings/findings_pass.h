// The findings detector's post-pass (DESIGN.md "Findings: the lurking-bug
// detector", docs/findings.md): after each ingest, recomputes the whole
// `findings` table from what the profile holds, ranked (most severe first,
// then longest, then earliest), so row id order is rank order.
#pragma once

#include <cstdint>

#include "storage/rows.h"

namespace lurk {

class Database;
class Statement;

// The columns finding_row_from reads, in its order, for "SELECT "
// kFindingRowColumns " FROM capture_findings ..." (the whole pass and
// `lurk collect`'s per-batch findings read capture findings so).
inline constexpr const char* kFindingRowColumns =
    "kind, severity, title, detail, connection_id, ts_ns, duration_ns";
FindingRow finding_row_from(Statement& row);

// A zero-window stall's "what the receiving thread did meanwhile" (its
// linked threads' spans and running time during the stall), added to its
// detail; other findings are left as they are. Shared with `lurk collect`'s
// per-batch findings (live/live_findings.h).
void add_thread_activity(Database& db, FindingRow& finding);

struct FindingsSummary {
  int64_t findings = 0;
};

// Runs in a savepoint of its own (storage/savepoint.h): atomic alone, or part
// of the ingest's transaction. Replaces every row of `findings`.
FindingsSummary compute_findings(Database& db);

}  // namespace lurk
