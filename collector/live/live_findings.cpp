#include "live/live_findings.h"

#include <algorithm>
#include <cstring>
#include <utility>

#include "findings/findings_pass.h"
#include "live/rows_by_ids.h"
#include "storage/sqlite_handle.h"

namespace lurk::live {

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
    // The profile's findings (of what it held before) give way to the live
    // ones: those read at start are all pending, so all are written now.
    db_.exec("DELETE FROM findings");
    first_update_ = false;
  }
  write_changes();
  changed_ = false;
  append_capture_findings();
  return any;
}

// The threads of the batch that failed (each counted once: a thread row is
// written again when it ends, or at each flush).
void LiveFindings::read_failed_threads(const std::set<int64_t>& ids) {
  const std::string sql =
      "SELECT t.id, coalesce(t.end_ns, (SELECT min(x.ts_ns) FROM instants x WHERE "
      "  x.thread_id = t.id AND x.kind = 'exception'), t.start_ns, 0), "
      "  coalesce(s.text, '(no message)'), t.connection_id FROM threads t "
      "LEFT JOIN strings s ON s.id = t.exception WHERE t.failed = 1 AND t.id IN ";
  for_rows_of_ids(db_, sql, ids, [this](Statement& s) {
    int64_t id = s.column_int(0);
    if (!failed_seen_.insert(id).second) return;
    ExceptionEvent e{id, s.column_int(1), s.column_optional_int(3), s.column_text(2)};
    add_thread_exception(id, e.ts_ns, e.message);
    changed_messages_.insert(e.message);
    std::vector<ExceptionEvent>& group = exceptions_[e.message];
    auto at = std::upper_bound(group.begin(), group.end(), e, [](const auto& a, const auto& b) {
      return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.thread_id < b.thread_id;
    });
    group.insert(at, std::move(e));
    changed_ = true;
  });
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
    new_never_resolved_.push_back(never_resolved_finding(s.column_int(0), s.column_text(2),
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
    if (r.connection_id) capture_finding_rows_[*r.connection_id].push_back(db_.last_insert_id());
  }
  new_capture_findings_.clear();
}

void LiveFindings::take_merges(const std::vector<int64_t>& connections) {
  if (connections.empty()) return;
  std::optional<Statement> remove;
  for (int64_t id : connections) {
    merged_connections_.insert(id);
    std::erase_if(new_capture_findings_, [id](const FindingRow& r) { return r.connection_id == id; });
    auto rows = capture_finding_rows_.find(id);
    if (rows == capture_finding_rows_.end()) continue;
    if (!remove) remove.emplace(db_.prepare("DELETE FROM findings WHERE id = ?"));
    for (int64_t row : rows->second) {
      remove->bind(1, row);
      remove->run();
    }
    capture_finding_rows_.erase(rows);
  }
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
    // The profile's merges at start, then those made live (take_merges).
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
  while (s.step()) add_thread_exception(s.column_int(0), s.column_int(1), s.column_text(2));
}

// The ends of the connections the batch wrote, and the first FIN or RST
// among its packets.
void LiveFindings::read_connection_ends(const std::set<int64_t>& ids, const IdRange& packets) {
  const std::string sql = std::string("SELECT id, last_ns, ") + (has_close_ ? "close_ns" : "NULL") +
                          " FROM connections WHERE id IN ";
  for_rows_of_ids(db_, sql, ids, [this](Statement& s) {
    bool known = ends_.count(s.column_int(0)) > 0;
    ConnectionEnd& end = ends_[s.column_int(0)];
    int64_t before = end.at();
    end.last = s.column_int(1);
    end.close = s.column_optional_int(2);
    if (!known || end.at() != before) end_changed(s.column_int(0), known);
  });
  if (packets.empty()) return;
  Statement s = db_.prepare(
      "SELECT connection_id, min(ts_ns) FROM packets WHERE id BETWEEN ?1 AND ?2 "
      "AND (tcp_flags & 5) <> 0 AND connection_id IS NOT NULL GROUP BY connection_id");
  s.bind(1, packets.first).bind(2, packets.last);
  while (s.step()) {
    bool known = ends_.count(s.column_int(0)) > 0;
    ConnectionEnd& end = ends_[s.column_int(0)];
    if (end.fin_or_rst && *end.fin_or_rst <= s.column_int(1)) continue;
    int64_t before = end.at();
    end.fin_or_rst = s.column_int(1);
    if (!known || end.at() != before) end_changed(s.column_int(0), known);
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
    if (before) {
      std::set<int64_t>& threads = connection_threads_[*before];
      threads.erase(change.thread_id);
      if (threads.empty()) {
        connection_threads_.erase(*before);
        link_count_changed(*before, false);
      }
    }
    if (change.connection_id) {
      thread_connection_[change.thread_id] = *change.connection_id;
      std::set<int64_t>& threads = connection_threads_[*change.connection_id];
      threads.insert(change.thread_id);
      if (threads.size() == 1) link_count_changed(*change.connection_id, true);
    } else {
      thread_connection_.erase(change.thread_id);
    }
    recount_thread(change.thread_id);
  }
}

// M counts the connections that have a linked thread and a known end.
void LiveFindings::link_count_changed(int64_t connection, bool linked_now) {
  if (!ends_.count(connection)) return;
  linked_with_end_ += linked_now ? 1 : -1;
  linked_changed_ = true;
}

// A connection's end appeared or moved: its threads' exceptions are
// counted again (the cost: that connection's threads).
void LiveFindings::end_changed(int64_t connection, bool was_known) {
  auto threads = connection_threads_.find(connection);
  if (threads == connection_threads_.end()) return;
  if (!was_known) {
    ++linked_with_end_;
    linked_changed_ = true;
  }
  for (int64_t thread : threads->second) recount_thread(thread);
}

void LiveFindings::shift_source(const std::set<int64_t>& threads,
                                const std::set<int64_t>& connections, int64_t delta_ns) {
  std::set<int64_t> recount;
  for (int64_t thread : threads) {
    auto events = thread_exceptions_.find(thread);
    if (events == thread_exceptions_.end()) continue;
    std::set<std::pair<int64_t, std::string>> moved;
    for (const auto& [ts, message] : events->second) {
      // Uncounted at the old time: recount_thread counts it at the new one.
      if (auto was = counted_.find({ts, thread, message}); was != counted_.end()) {
        EndGroup& group = end_groups_[message];
        group.events.erase({ts, thread, was->second});
        if (--group.connections[was->second] == 0) group.connections.erase(was->second);
        counted_.erase(was);
        changed_groups_.insert(message);
      }
      moved.emplace(ts + delta_ns, message);
    }
    events->second = std::move(moved);
    recount.insert(thread);
  }
  for (auto& [message, group] : exceptions_) {
    bool any = false;
    for (ExceptionEvent& e : group)
      if (threads.count(e.thread_id)) e.ts_ns += delta_ns, any = true;
    if (!any) continue;
    std::sort(group.begin(), group.end(), [](const auto& a, const auto& b) {
      return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.thread_id < b.thread_id;
    });
    changed_messages_.insert(message);
  }
  for (int64_t connection : connections) {
    auto end = ends_.find(connection);
    if (end == ends_.end()) continue;
    if (end->second.fin_or_rst) *end->second.fin_or_rst += delta_ns;
    if (end->second.close) *end->second.close += delta_ns;
    end->second.last += delta_ns;
    if (auto linked = connection_threads_.find(connection); linked != connection_threads_.end())
      recount.insert(linked->second.begin(), linked->second.end());
  }
  changed_ = true;
  for (int64_t thread : recount) recount_thread(thread);
}

void LiveFindings::add_thread_exception(int64_t thread, int64_t ts, const std::string& message) {
  if (!thread_exceptions_[thread].emplace(ts, message).second) return;
  changed_ = true;
  recount_thread(thread);
}

// Whether each exception of the thread counts for "N of M" (its thread
// linked, within the window of the connection's end), as
// thread_findings.cpp decides it for the whole profile.
void LiveFindings::recount_thread(int64_t thread) {
  auto events = thread_exceptions_.find(thread);
  if (events == thread_exceptions_.end()) return;
  auto link = thread_connection_.find(thread);
  const ConnectionEnd* end = nullptr;
  if (link != thread_connection_.end()) {
    auto e = ends_.find(link->second);
    if (e != ends_.end()) end = &e->second;
  }
  for (const auto& [ts, message] : events->second) {
    std::optional<int64_t> now;
    if (end) {
      int64_t at = end->at();
      if ((ts > at ? ts - at : at - ts) <= kConnectionEndWindowNs) now = link->second;
    }
    auto key = std::make_tuple(ts, thread, message);
    auto was = counted_.find(key);
    std::optional<int64_t> before;
    if (was != counted_.end()) before = was->second;
    if (before == now) continue;
    EndGroup& group = end_groups_[message];
    if (before) {
      group.events.erase({ts, thread, *before});
      if (--group.connections[*before] == 0) group.connections.erase(*before);
      counted_.erase(was);
    }
    if (now) {
      group.events.emplace(ts, thread, *now);
      ++group.connections[*now];
      counted_.emplace(key, *now);
    }
    changed_groups_.insert(message);
    changed_ = true;
  }
}

// A row written where it was (updated by id) or added.
void LiveFindings::put_row(int64_t& id, const FindingRow& r) {
  if (!insert_) {
    insert_.emplace(db_.prepare(
        "INSERT INTO findings(kind, severity, title, detail, connection_id, thread_id, ts_ns, "
        "duration_ns) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)"));
    update_.emplace(db_.prepare(
        "UPDATE findings SET kind = ?1, severity = ?2, title = ?3, detail = ?4, connection_id = ?5, "
        "thread_id = ?6, ts_ns = ?7, duration_ns = ?8 WHERE id = ?9"));
  }
  Statement& s = id ? *update_ : *insert_;
  s.bind(1, r.kind).bind(2, r.severity).bind(3, r.title);
  if (r.detail) s.bind(4, std::string_view(*r.detail));
  else s.bind(4, std::nullopt);
  s.bind(5, r.connection_id).bind(6, r.thread_id).bind(7, r.ts_ns).bind(8, r.duration_ns);
  if (id) s.bind(9, id);
  s.run();
  if (!id) id = db_.last_insert_id();
}

// Only what changed: the rows of the messages a thread failed with, the
// "N of M" rows whose connections changed (all of them when M did: their
// number is that of distinct messages), and new never-resolved threads.
// Readers rank findings themselves; the stop pass writes them in rank order.
void LiveFindings::write_changes() {
  for (const std::string& message : changed_messages_)
    put_row(exception_rows_[message], exception_finding(message, exceptions_.at(message)));
  changed_messages_.clear();
  if (linked_changed_)
    for (const auto& [message, group] : end_groups_) changed_groups_.insert(message);
  linked_changed_ = false;
  for (const std::string& message : changed_groups_) {
    EndGroup& group = end_groups_[message];
    if (group.events.empty()) {
      if (group.row_id) {
        if (!remove_) remove_.emplace(db_.prepare("DELETE FROM findings WHERE id = ?"));
        remove_->bind(1, group.row_id).run();
      }
      end_groups_.erase(message);
      continue;
    }
    const auto& [ts, thread, connection] = *group.events.begin();
    std::set<int64_t> connections;
    for (const auto& entry : group.connections) connections.insert(connections.end(), entry.first);
    put_row(group.row_id, connection_end_finding(message, connections, linked_with_end_,
                                                 ExceptionEvent{thread, ts, connection, message}));
  }
  changed_groups_.clear();
  for (const FindingRow& r : new_never_resolved_) {
    int64_t id = 0;
    put_row(id, r);
  }
  new_never_resolved_.clear();
}

}  // namespace lurk::live
