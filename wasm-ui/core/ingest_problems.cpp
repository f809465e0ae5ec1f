// Loading the profile's ingest problems: see ingest_problems.h.
#include "core/ingest_problems.h"

#include "storage/sqlite_handle.h"

namespace lurk::ui {

IngestProblems IngestProblems::load(Database& db) {
  IngestProblems p;
  if (db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND "
                   "name = 'ingest_errors'") == 0)
    return p;
  p.total_rows = db.query_int("SELECT count(*) FROM ingest_errors");
  Statement s = db.prepare(
      "SELECT s.path, e.byte_offset, e.line, e.kind, e.message FROM ingest_errors e "
      "JOIN sources s ON s.id = e.source_id ORDER BY e.source_id, e.id LIMIT ?");
  s.bind(1, kMaxRows);
  while (s.step()) {
    p.rows.push_back({s.column_text(0), s.column_optional_int(1), s.column_optional_int(2),
                      s.column_text(3), s.column_text(4)});
  }
  return p;
}

}  // namespace lurk::ui
