#include "live/live_findings.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "findings/findings_pass.h"
#include "storage/sqlite_handle.h"

namespace lurk::live {
namespace {


// Thread ids looked up per statement (SQLite's default variable limit is far above).
constexpr size_t kIdsPerQuery = 500;

}  // namespace

LiveFindings::LiveFindings(Database& db, bool analyse) : db_(db) {
  has_close_ = db_.query_int("SELECT count(*) FROM pragma_table_info('connections') "
                             "WHERE name = 'close_ns'") > 0;
  read_capture_findings(nullptr);
  // Scans of the whole file: not for a collector that never analyses (--no-analysis).
  if (analyse) read_profile();
}

// The ids of a whole table (empty when it has no rows).
IdRange LiveFindings::whole_table(const char* table) {
  IdRange range;
  if (db_.query_int(std::string("SELECT count(*) FROM (SELECT 1 FROM ") + table + " LIMIT 1)") == 0)
    return range;
  range.add(db_.query_int(std::string("SELECT min(id) FROM ") + table));
  range.add(db_.query_int(std::string("SELECT max(id) FROM ") + table));
  return range;
}

// A collector started on a profile that holds data already (restarted on
// the same file after a kill or a stop): the thread findings of that data
// are where the live ones start, as its capture findings are. Without
// them the first batch (which replaces the findings table) dropped them
// until the stop pass made them again. Read once, before any batch.
void LiveFindings::read_profile() {
  std::set<int64_t> failed;
  Statement f = db_.prepare("SELECT id FROM threads WHERE failed = 1");
  while (f.step()) failed.insert(f.column_int(0));
  read_failed_threads(failed);
  IdRange instants = whole_table("instants");
  if (!instants.empty()) read_never_resolved(instants.first, instants.last);
  read_exception_instants(instants);
  std::vector<LinkChange> links;
  Statement l = db_.prepare("SELECT id, connection_id FROM threads WHERE connection_id IS NOT NULL");
  while (l.step()) links.push_back({l.column_int(0), l.column_int(1)});
  take_links(links);
  std::set<int64_t> connections;
  Statement c = db_.prepare("SELECT id FROM connections");
  while (c.step()) connections.insert(c.column_int(0));
  read_connection_ends(connections, whole_table("packets"));
}

bool LiveFindings::update(const BatchRows& rows, const std::vector<LinkChange>& links,
                          bool a_trace_ended) {
  read_failed_threads(rows.threads);
  // 'never-resolved' instants are written when a trace ends, so only the
  // batch in which one ended can hold any: the others skip the scan.
  if (a_trace_ended && !rows.instants.empty())
    read_never_resolved(rows.instants.first, rows.instants.last);
  read_exception_instants(rows.instants);
  if (!rows.capture_findings.empty())
    read_capture_findings(&rows.capture_findings);
  read_connection_ends(rows.connections, rows.packets);
  take_links(links);
  bool any = changed_ || !new_capture_findings_.empty();
  if (first_update_) {
    // The profile's findings (of what it held before) give way to the live ones.
    db_.exec("DELETE FROM findings");
    first_update_ = false;
    changed_ = true;
  }
  if (changed_) rewrite();
  changed_ = false;
  append_capture_findings();
  return any;
}

// The threads of the batch that failed (each counted once: a thread row is
// written again when it ends, or at each flush).
void LiveFindings::read_failed_threads(const std::set<int64_t>& id_set) {
  std::vector<int64_t> ids(id_set.begin(), id_set.end());
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
      thread_exceptions_.emplace(e.ts_ns, id, e.message);
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

// The capture findings that came, after the thread findings (the whole
// pass's order for equal ranks).
void LiveFindings::append_capture_findings() {
  if (new_capture_findings_.empty()) return;
  Statement insert = db_.prepare(
      "INSERT INTO findings(kind, severity, title, detail, connection_id, thread_id, ts_ns, "
      "duration_ns) VALUES (?,?,?,?,?,?,?,?)");
  for (FindingRow& r : new_capture_findings_) {
    add_thread_activity(db_, r);  // a zero-window stall: its threads so far
    insert.bind(1, r.kind).bind(2, r.severity).bind(3, r.title);
    if (r.detail) insert.bind(4, std::string_view(*r.detail));
    else insert.bind(4, std::nullopt);
    insert.bind(5, r.connection_id).bind(6, r.thread_id).bind(7, r.ts_ns).bind(8, r.duration_ns);
    insert.run();
  }
  new_capture_findings_.clear();
}

// Capture findings (those of the profile at start, then a batch's): as
// findings_pass.cpp reads them, a trace's copy of a capture's connection left out.
void LiveFindings::read_capture_findings(const IdRange* range) {
  if (!range) {  // at start: which connections are a trace's copy of a capture's
    Statement merged = db_.prepare("SELECT id FROM connections WHERE same_as IS NOT NULL");
    while (merged.step()) merged_connections_.insert(merged.column_int(0));
  }
  Statement s = db_.prepare(
      std::string("SELECT ") + kFindingRowColumns + " FROM capture_findings " +
      (range ? "WHERE id BETWEEN ?1 AND ?2 " : "") +
      "ORDER BY id");
  if (range) s.bind(1, range->first).bind(2, range->last);
  while (s.step()) {
    // Never merged while collecting (live_joiner.h): the set is the profile's at start.
    if (s.column_is_null(4) || merged_connections_.count(s.column_int(4))) continue;
    new_capture_findings_.push_back(finding_row_from(s));
  }
}

// Exception instants on threads (the "N of M" counts them too).
void LiveFindings::read_exception_instants(const IdRange& instants) {
  if (instants.empty()) return;
  Statement s = db_.prepare(
      "SELECT i.thread_id, i.ts_ns, coalesce(s.text, '(no message)') FROM instants i "
      "LEFT JOIN strings s ON s.id = i.name "
      "WHERE i.id BETWEEN ?1 AND ?2 AND i.kind = 'exception' AND i.thread_id IS NOT NULL");
  s.bind(1, instants.first).bind(2, instants.last);
  while (s.step()) {
    thread_exceptions_.emplace(s.column_int(1), s.column_int(0), s.column_text(2));
    changed_ = true;
  }
}

// The ends of the connections the batch wrote, and the first FIN or RST
// among its packets.
void LiveFindings::read_connection_ends(const std::set<int64_t>& ids, const IdRange& packets) {
  std::vector<int64_t> all(ids.begin(), ids.end());
  for (size_t from = 0; from < all.size(); from += kIdsPerQuery) {
    size_t count = std::min(kIdsPerQuery, all.size() - from);
    std::string sql = std::string("SELECT id, last_ns, ") + (has_close_ ? "close_ns" : "NULL") +
                      " FROM connections WHERE id IN (?";
    for (size_t i = 1; i < count; ++i) sql += ",?";
    Statement s = db_.prepare(sql + ")");
    for (size_t i = 0; i < count; ++i) s.bind(int(i + 1), all[from + i]);
    while (s.step()) {
      ConnectionEnd& end = ends_[s.column_int(0)];
      end.last = s.column_int(1);
      end.close = s.column_optional_int(2);
      if (linked_threads_.count(s.column_int(0))) changed_ = true;
    }
  }
  if (packets.empty()) return;
  Statement s = db_.prepare(
      "SELECT connection_id, min(ts_ns) FROM packets WHERE id BETWEEN ?1 AND ?2 "
      "AND (tcp_flags & 5) <> 0 AND connection_id IS NOT NULL GROUP BY connection_id");
  s.bind(1, packets.first).bind(2, packets.last);
  while (s.step()) {
    ConnectionEnd& end = ends_[s.column_int(0)];
    if (end.fin_or_rst && *end.fin_or_rst <= s.column_int(1)) continue;
    end.fin_or_rst = s.column_int(1);
    if (linked_threads_.count(s.column_int(0))) changed_ = true;
  }
}

// Which connection each thread is under now (the joiner's links and the
// traces' own).
void LiveFindings::take_links(const std::vector<LinkChange>& links) {
  for (const LinkChange& change : links) {
    auto it = thread_connection_.find(change.thread_id);
    std::optional<int64_t> before;
    if (it != thread_connection_.end()) before = it->second;
    if (before == change.connection_id) continue;
    if (before && --linked_threads_[*before] == 0) linked_threads_.erase(*before);
    if (change.connection_id) {
      thread_connection_[change.thread_id] = *change.connection_id;
      ++linked_threads_[*change.connection_id];
    } else {
      thread_connection_.erase(change.thread_id);
    }
    changed_ = true;
  }
}

// "N of M connections end with an exception", worded as the whole pass
// words it (thread_findings.cpp); its cost is the number of exceptions.
std::vector<FindingRow> LiveFindings::connection_end_findings() const {
  size_t linked = 0;
  for (const auto& entry : linked_threads_) linked += ends_.count(entry.first);
  std::vector<FindingRow> out;
  if (linked == 0) return out;
  std::map<std::string, std::pair<std::set<int64_t>, ExceptionEvent>> groups;
  for (const auto& [ts, thread, message] : thread_exceptions_) {
    auto link = thread_connection_.find(thread);
    if (link == thread_connection_.end()) continue;
    auto end = ends_.find(link->second);
    if (end == ends_.end()) continue;
    int64_t at = end->second.at();
    if ((ts > at ? ts - at : at - ts) > kConnectionEndWindowNs) continue;
    auto& [connections, first] = groups[message];
    if (connections.empty()) first = ExceptionEvent{thread, ts, link->second, message};
    connections.insert(link->second);
  }
  for (const auto& [message, group] : groups)
    out.push_back(connection_end_finding(message, group.first, int64_t(linked), group.second));
  return out;
}

// The thread findings replace the previous ones (their count is that of
// distinct messages plus never-resolved threads, not of the rows).
void LiveFindings::rewrite() {
  std::vector<FindingRow> rows = connection_end_findings();
  for (const auto& [message, events] : exceptions_)
    rows.push_back(exception_finding(message, events));
  rows.insert(rows.end(), never_resolved_.begin(), never_resolved_.end());
  std::stable_sort(rows.begin(), rows.end(), finding_ranks_before);
  // By id (the findings table has no index on kind, and holds the capture
  // findings too): the cost is the number of thread findings.
  Statement remove = db_.prepare("DELETE FROM findings WHERE id = ?");
  for (int64_t id : thread_rows_) remove.bind(1, id).run();
  thread_rows_.clear();
  Statement insert = db_.prepare(
      "INSERT INTO findings(kind, severity, title, detail, connection_id, thread_id, ts_ns, "
      "duration_ns) VALUES (?,?,?,?,?,?,?,?)");
  for (const FindingRow& r : rows) {
    insert.bind(1, r.kind).bind(2, r.severity).bind(3, r.title);
    if (r.detail) insert.bind(4, std::string_view(*r.detail));
    else insert.bind(4, std::nullopt);
    insert.bind(5, r.connection_id).bind(6, r.thread_id).bind(7, r.ts_ns).bind(8, r.duration_ns);
    insert.run();
    thread_rows_.push_back(db_.last_insert_id());
  }
}

}  // namespace lurk::live
