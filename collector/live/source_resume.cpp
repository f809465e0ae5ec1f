// Reading back a live source's row and threads: see source_resume.h.
#include "live/source_resume.h"

#include "storage/sqlite_handle.h"

namespace lurk::live {

std::optional<SourceRow> read_source_row(Database& db, int64_t source_id) {
  Statement s = db.prepare(
      "SELECT path, format, content_hash, size_bytes, records, skipped, errors, status, "
      "clock_domain FROM sources WHERE id = ?");
  s.bind(1, source_id);
  if (!s.step()) return std::nullopt;
  SourceRow row;
  row.id = source_id;
  row.path = s.column_text(0);
  row.format = s.column_text(1);
  row.content_hash = s.column_text(2);
  row.size_bytes = s.column_int(3);
  row.records = s.column_int(4);
  row.skipped = s.column_int(5);
  row.errors = s.column_int(6);
  row.status = s.column_text(7);
  row.clock_domain = s.column_text(8);
  return row;
}

std::vector<ThreadRow> read_thread_rows(Database& db, int64_t source_id) {
  Statement s = db.prepare(
      "SELECT id, ext_id, name, kind, parent_id, start_ns, end_ns, failed, exception, "
      "should_resolve, became_id, connection_id, link_how, sort_index FROM threads "
      "WHERE source_id = ? ORDER BY sort_index, id");
  s.bind(1, source_id);
  std::vector<ThreadRow> rows;
  while (s.step()) {
    ThreadRow r;
    r.id = s.column_int(0);
    r.source_id = source_id;
    r.ext_id = s.column_text(1);
    r.name = s.column_optional_int(2);
    r.kind = s.column_text(3);
    r.parent_id = s.column_optional_int(4);
    r.start_ns = s.column_optional_int(5);
    r.end_ns = s.column_optional_int(6);
    r.failed = s.column_int(7) != 0;
    r.exception = s.column_optional_int(8);
    r.should_resolve = s.column_int(9) != 0;
    r.became_id = s.column_optional_int(10);
    r.connection_id = s.column_optional_int(11);
    if (!s.column_is_null(12)) r.link_how = s.column_text(12);
    r.sort_index = s.column_int(13);
    rows.push_back(std::move(r));
  }
  return rows;
}

}  // namespace lurk::live
