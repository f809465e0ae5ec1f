#include "live/live_findings.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "storage/sqlite_handle.h"

namespace lurk::live {
namespace {

// Thread ids looked up per statement (SQLite's default variable limit is far above).
constexpr size_t kIdsPerQuery = 500;

constexpr char kLiveKinds[] = "('exception', 'never-resolved')";

}  // namespace

LiveFindings::LiveFindings(Database& db) : db_(db) {
  sqlite3_update_hook(db_.raw(), &LiveFindings::on_row_written, this);
}

LiveFindings::~LiveFindings() { sqlite3_update_hook(db_.raw(), nullptr, nullptr); }

void LiveFindings::on_row_written(void* self, int op, const char*, const char* table,
                                  sqlite3_int64 rowid) {
  // Called for every row the writer writes: the first letter rules out most
  // tables (packets, spans, counters, strings) before any comparison.
  if (op == SQLITE_DELETE || (table[0] != 't' && table[0] != 'i')) return;
  auto* me = static_cast<LiveFindings*>(self);
  if (std::strcmp(table, "threads") == 0) {
    std::lock_guard<std::mutex> lock(me->mutex_);
    me->threads_written_.insert(rowid);
  } else if (op == SQLITE_INSERT && std::strcmp(table, "instants") == 0) {
    std::lock_guard<std::mutex> lock(me->mutex_);
    me->first_instant_ = std::min<int64_t>(me->first_instant_, rowid);
    me->last_instant_ = std::max<int64_t>(me->last_instant_, rowid);
  }
}

bool LiveFindings::update(bool a_trace_ended) {
  std::vector<int64_t> threads;
  int64_t first_instant, last_instant;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    threads.assign(threads_written_.begin(), threads_written_.end());
    threads_written_.clear();
    first_instant = std::exchange(first_instant_, INT64_MAX);
    last_instant = std::exchange(last_instant_, 0);
  }
  read_failed_threads(threads);
  // 'never-resolved' instants are written when a trace ends, so only the
  // batch in which one ended can hold any: the others skip the scan.
  if (a_trace_ended && first_instant <= last_instant)
    read_never_resolved(first_instant, last_instant);
  if (!changed_) return false;
  rewrite();
  changed_ = false;
  return true;
}

// The threads of the batch that failed (each counted once: a thread row is
// written again when it ends, or at each flush).
void LiveFindings::read_failed_threads(const std::vector<int64_t>& ids) {
  for (size_t from = 0; from < ids.size(); from += kIdsPerQuery) {
    size_t count = std::min(kIdsPerQuery, ids.size() - from);
    std::string sql =
        "SELECT t.id, coalesce(t.end_ns, (SELECT min(x.ts_ns) FROM instants x WHERE "
        "  x.thread_id = t.id AND x.kind = 'exception'), t.start_ns, 0), "
        "  coalesce(s.text, '(no message)'), t.connection_id FROM threads t "
        "LEFT JOIN strings s ON s.id = t.exception WHERE t.failed = 1 AND t.id IN (?";
    for (size_t i = 1; i < count; ++i) sql += ",?";
    Statement s = db_.prepare(sql + ")");
    for (size_t i = 0; i < count; ++i) s.bind(int(i + 1), ids[from + i]);
    while (s.step()) {
      int64_t id = s.column_int(0);
      if (!failed_seen_.insert(id).second) continue;
      ExceptionEvent e{id, s.column_int(1), s.column_optional_int(3), s.column_text(2)};
      std::vector<ExceptionEvent>& group = exceptions_[e.message];
      auto at = std::upper_bound(group.begin(), group.end(), e, [](const auto& a, const auto& b) {
        return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.thread_id < b.thread_id;
      });
      group.insert(at, std::move(e));
      changed_ = true;
    }
  }
}

// 'never-resolved' instants are put on a thread when its trace ends.
void LiveFindings::read_never_resolved(int64_t first_instant, int64_t last_instant) {
  Statement s = db_.prepare(
      "SELECT i.thread_id, i.ts_ns, t.ext_id, coalesce(n.text, ''), t.connection_id, "
      "  coalesce(t.start_ns, i.ts_ns) FROM instants i JOIN threads t ON t.id = i.thread_id "
      "LEFT JOIN strings n ON n.id = t.name "
      "WHERE i.id BETWEEN ?1 AND ?2 AND i.kind = 'never-resolved' ORDER BY i.ts_ns, 1");
  s.bind(1, first_instant).bind(2, last_instant);
  while (s.step()) {
    never_resolved_.push_back(never_resolved_finding(s.column_int(0), s.column_text(2),
                                                     s.column_text(3), s.column_optional_int(4),
                                                     s.column_int(5), s.column_int(1)));
    changed_ = true;
  }
}

// The live findings replace the previous ones (their count is that of
// distinct messages plus never-resolved threads, not of the rows).
void LiveFindings::rewrite() {
  std::vector<FindingRow> rows;
  for (const auto& [message, events] : exceptions_)
    rows.push_back(exception_finding(message, events));
  rows.insert(rows.end(), never_resolved_.begin(), never_resolved_.end());
  std::stable_sort(rows.begin(), rows.end(), finding_ranks_before);
  db_.exec(std::string("DELETE FROM findings WHERE kind IN ") + kLiveKinds);
  Statement insert = db_.prepare(
      "INSERT INTO findings(kind, severity, title, detail, connection_id, thread_id, ts_ns, "
      "duration_ns) VALUES (?,?,?,?,?,?,?,?)");
  for (const FindingRow& r : rows) {
    insert.bind(1, r.kind).bind(2, r.severity).bind(3, r.title);
    if (r.detail) insert.bind(4, std::string_view(*r.detail));
    else insert.bind(4, std::nullopt);
    insert.bind(5, r.connection_id).bind(6, r.thread_id).bind(7, r.ts_ns).bind(8, r.duration_ns);
    insert.run();
  }
}

}  // namespace lurk::live
