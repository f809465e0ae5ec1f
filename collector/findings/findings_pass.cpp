// The findings post-pass: gathers the TCP and thread findings, adds what
// linked threads did during zero-window stalls, ranks and stores them.
#include "findings/findings_pass.h"

#include <algorithm>

#include "findings/finding_text.h"
#include "findings/tcp_findings.h"
#include "findings/thread_findings.h"
#include "storage/savepoint.h"
#include "storage/sqlite_handle.h"
#include "storage/trace_writer.h"

namespace lurk {

FindingRow finding_row_from(Statement& row) {
  FindingRow r;
  r.kind = row.column_text(0);
  r.severity = static_cast<int>(row.column_int(1));
  r.title = row.column_text(2);
  if (!row.column_is_null(3)) r.detail = row.column_text(3);
  r.connection_id = row.column_optional_int(4);
  r.ts_ns = row.column_optional_int(5);
  r.duration_ns = row.column_optional_int(6);
  return r;
}

namespace {

// What the captures' own packets showed, found while they were ingested.
std::vector<FindingRow> load_capture_findings(Database& db) {
  std::vector<FindingRow> rows;
  Statement s = db.prepare(
      std::string("SELECT ") + kFindingRowColumns +
      " FROM capture_findings WHERE connection_id NOT IN "
      // A trace's copy of a capture's connection repeats the capture's findings.
      "(SELECT id FROM connections WHERE same_as IS NOT NULL) ORDER BY id");
  while (s.step()) rows.push_back(finding_row_from(s));
  return rows;
}

}  // namespace

// "What the receiving thread did meanwhile": the running time and spans of
// the threads linked to the connection during the stall.
void add_thread_activity(Database& db, FindingRow& r) {
  if (r.kind != "zero-window-stall" || !r.connection_id || !r.ts_ns || !r.duration_ns) return;
  int64_t from = *r.ts_ns, to = *r.ts_ns + *r.duration_ns;
  Statement s = db.prepare(
      "SELECT count(DISTINCT t.id), "
      "  coalesce(sum(CASE WHEN sp.kind = 'running' THEN min(sp.end_ns, ?2) - max(sp.start_ns, ?1) "
      "    END), 0), count(CASE WHEN sp.kind <> 'running' THEN 1 END) "
      "FROM threads t LEFT JOIN spans sp ON sp.thread_id = t.id AND sp.start_ns < ?2 "
      "  AND sp.end_ns > ?1 WHERE t.connection_id = ?3");
  s.bind(1, from).bind(2, to).bind(3, *r.connection_id);
  if (!s.step() || s.column_int(0) == 0) return;
  *r.detail += "; meanwhile its " + std::to_string(s.column_int(0)) + " linked thread(s) had " +
               std::to_string(s.column_int(2)) + " span(s)";
  if (s.column_int(1) > 0) *r.detail += " and ran " + format_duration(s.column_int(1));
}

FindingsSummary compute_findings(Database& db) {
  std::vector<FindingRow> rows = find_thread_findings(db);
  for (FindingRow& r : load_capture_findings(db)) rows.push_back(std::move(r));
  for (FindingRow& r : rows) add_thread_activity(db, r);
  std::stable_sort(rows.begin(), rows.end(), finding_ranks_before);
  TraceWriter writer(db);
  Savepoint pass(db, "findings");
  db.exec("DELETE FROM findings");
  for (const FindingRow& r : rows) writer.insert_finding(r);
  pass.release();
  return {static_cast<int64_t>(rows.size())};
}

}  // namespace lurk
