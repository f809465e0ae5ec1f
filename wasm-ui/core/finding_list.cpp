#include "core/finding_list.h"

#include <utility>

#include "storage/sqlite_handle.h"

namespace lurk::ui {

MarkKind finding_mark_kind(const std::string& kind) {
  struct Entry {
    const char* kind;
    MarkKind mark;
  };
  // Threads that failed or never resolved read as the timeline's failures and
  // stalls; TCP kinds wear the colour of the packets they point at.
  static constexpr Entry kEntries[] = {
      {"connection-end-exception", MarkKind::Exception},
      {"exception", MarkKind::Exception},
      {"never-resolved", MarkKind::Retransmission},
      {"rst-established", MarkKind::Reset},
      {"rto-stall", MarkKind::Retransmission},
      {"zero-window-stall", MarkKind::ZeroWindow},
      {"dup-ack-run-no-fast-retransmission", MarkKind::DuplicateAck},
      {"spurious-retransmission", MarkKind::Spurious},
      {"dup-ack-after-fin", MarkKind::DuplicateAck},
  };
  for (const Entry& e : kEntries)
    if (kind == e.kind) return e.mark;
  return MarkKind::Normal;
}

FindingList FindingList::load(Database& db) {
  std::vector<FindingRow> rows;
  if (db.query_int("SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'findings'") == 0)
    return from_rows(std::move(rows));
  // The same order as `lurk findings` (collector/cli/cmd_findings.cpp): the
  // panel shows exactly its rows.
  Statement query = db.prepare(
      "SELECT id, kind, severity, title, detail, connection_id, thread_id, ts_ns, duration_ns "
      "FROM findings ORDER BY severity DESC, coalesce(duration_ns, 0) DESC, ts_ns, id");
  while (query.step()) {
    FindingRow r;
    r.id = query.column_int(0);
    r.kind = query.column_text(1);
    r.severity = query.column_int(2);
    r.title = query.column_text(3);
    if (!query.column_is_null(4)) r.detail = query.column_text(4);
    r.connection_id = query.column_optional_int(5);
    r.thread_id = query.column_optional_int(6);
    r.ts_ns = query.column_optional_int(7);
    r.duration_ns = query.column_optional_int(8);
    rows.push_back(std::move(r));
  }
  return from_rows(std::move(rows));
}

FindingList FindingList::from_rows(std::vector<FindingRow> rows) {
  FindingList list;
  list.rows_ = std::move(rows);
  for (FindingRow& r : list.rows_) r.mark = finding_mark_kind(r.kind);
  list.count_kinds();
  return list;
}

void FindingList::count_kinds() {
  kinds_.clear();
  for (const FindingRow& r : rows_) {
    auto it = kinds_.begin();
    while (it != kinds_.end() && it->kind != r.kind) ++it;
    if (it == kinds_.end()) kinds_.push_back({r.kind, 1, r.mark});
    else ++it->count;
  }
}

}  // namespace lurk::ui
