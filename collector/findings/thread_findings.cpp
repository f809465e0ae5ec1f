// Thread findings: see thread_findings.h; the rules are in docs/findings.md.
#include "findings/thread_findings.h"

#include <map>
#include <set>
#include <string>

#include "findings/finding_text.h"
#include "findings/tcp_findings.h"
#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

std::vector<ExceptionEvent> load_exceptions(Database& db, bool instants_too) {
  std::string sql =
      "SELECT t.id, coalesce(t.end_ns, (SELECT min(x.ts_ns) FROM instants x WHERE "
      "  x.thread_id = t.id AND x.kind = 'exception'), t.start_ns, 0), "
      "  coalesce(s.text, '(no message)'), "
      "  t.connection_id FROM threads t LEFT JOIN strings s ON s.id = t.exception "
      "WHERE t.failed = 1";
  if (instants_too)
    sql += " UNION ALL SELECT i.thread_id, i.ts_ns, coalesce(s.text, '(no message)'), "
           "  t.connection_id FROM instants i JOIN threads t ON t.id = i.thread_id "
           "  LEFT JOIN strings s ON s.id = i.name WHERE i.kind = 'exception'";
  Statement s = db.prepare(sql + " ORDER BY 2, 1");
  std::vector<ExceptionEvent> out;
  while (s.step()) {
    ExceptionEvent e{s.column_int(0), s.column_int(1), std::nullopt, s.column_text(2)};
    e.connection_id = s.column_optional_int(3);
    out.push_back(std::move(e));
  }
  return out;
}

// Failed threads, one finding per message, at the first of them.
void exceptions_by_message(Database& db, std::vector<FindingRow>& out) {
  std::map<std::string, std::vector<ExceptionEvent>> groups;
  for (ExceptionEvent& e : load_exceptions(db, false)) groups[e.message].push_back(std::move(e));
  for (const auto& [message, events] : groups) out.push_back(exception_finding(message, events));
}

// When each connection that has threads linked to it ends: its first FIN or
// RST, else when its trace saw it close (a CTF trace's own connections,
// docs/ctf.md), else its last time. Keyed by the id threads link to.
std::map<int64_t, int64_t> linked_connection_ends(Database& db) {
  bool has_close = db.query_int("SELECT count(*) FROM pragma_table_info('connections') "
                                "WHERE name = 'close_ns'") > 0;
  Statement s = db.prepare(
      "SELECT c.id, coalesce((SELECT min(p.ts_ns) FROM packets p WHERE p.connection_id = c.id "
      "  AND (p.tcp_flags & 5) <> 0), " + std::string(has_close ? "c.close_ns, " : "") +
      "c.last_ns) FROM connections c "
      "WHERE c.id IN (SELECT connection_id FROM threads WHERE connection_id IS NOT NULL)");
  std::map<int64_t, int64_t> ends;
  while (s.step()) ends[s.column_int(0)] = s.column_int(1);
  return ends;
}

// "N of M connections end with an exception", one finding per message.
void connections_ending_with_exceptions(Database& db, std::vector<FindingRow>& out) {
  std::map<int64_t, int64_t> ends = linked_connection_ends(db);
  if (ends.empty()) return;
  struct Group {
    std::set<int64_t> connections;
    ExceptionEvent first;
  };
  std::map<std::string, Group> groups;
  for (ExceptionEvent& e : load_exceptions(db, true)) {
    if (!e.connection_id) continue;
    auto end = ends.find(*e.connection_id);
    if (end == ends.end()) continue;
    int64_t distance = e.ts_ns > end->second ? e.ts_ns - end->second : end->second - e.ts_ns;
    if (distance > kConnectionEndWindowNs) continue;
    Group& g = groups[e.message];
    if (g.connections.empty()) g.first = e;
    g.connections.insert(*e.connection_id);
  }
  for (const auto& [message, g] : groups)
    out.push_back(connection_end_finding(message, g.connections, int64_t(ends.size()), g.first));
}

// Must-resolve threads that never resolved: the importers put a
// 'never-resolved' instant on them at the end of the trace.
void never_resolved(Database& db, std::vector<FindingRow>& out) {
  Statement s = db.prepare(
      "SELECT i.thread_id, i.ts_ns, t.ext_id, coalesce(n.text, ''), t.connection_id, "
      "  coalesce(t.start_ns, i.ts_ns) FROM instants i JOIN threads t ON t.id = i.thread_id "
      "LEFT JOIN strings n ON n.id = t.name WHERE i.kind = 'never-resolved' ORDER BY i.ts_ns, 1");
  while (s.step())
    out.push_back(never_resolved_finding(s.column_int(0), s.column_text(2), s.column_text(3),
                                         s.column_optional_int(4), s.column_int(5),
                                         s.column_int(1)));
}

}  // namespace

FindingRow exception_finding(const std::string& message,
                             const std::vector<ExceptionEvent>& events) {
  FindingRow r;
  r.kind = "exception";
  r.severity = kSeverityException;
  r.title = std::to_string(events.size()) + (events.size() == 1 ? " thread" : " threads") +
            " failed with " + message;
  std::string ids;
  for (size_t i = 0; i < events.size() && i < 10; ++i)
    ids += (i ? ", " : "") + std::to_string(events[i].thread_id);
  r.detail = "threads " + ids + (events.size() > 10 ? ", ..." : "");
  r.thread_id = events.front().thread_id;
  r.connection_id = events.front().connection_id;
  r.ts_ns = events.front().ts_ns;
  return r;
}

FindingRow connection_end_finding(const std::string& message, const std::set<int64_t>& connections,
                                  int64_t linked_connections, const ExceptionEvent& first) {
  FindingRow r;
  r.kind = "connection-end-exception";
  r.severity = kSeverityConnectionEndException;
  r.title = std::to_string(connections.size()) + " of " + std::to_string(linked_connections) +
            " connections end with an exception: " + message;
  std::string ids;
  for (int64_t id : connections) ids += (ids.empty() ? "" : ", ") + std::to_string(id);
  r.detail = "connections " + ids + "; exception within " +
             format_duration(kConnectionEndWindowNs) +
             " of the connection's end (FIN/RST, close seen by the trace, or last time)";
  r.connection_id = first.connection_id;
  r.thread_id = first.thread_id;
  r.ts_ns = first.ts_ns;
  return r;
}

FindingRow never_resolved_finding(int64_t thread_id, const std::string& ext_id,
                                  const std::string& name, std::optional<int64_t> connection_id,
                                  int64_t start_ns, int64_t marked_ns) {
  FindingRow r;
  r.kind = "never-resolved";
  r.severity = kSeverityNeverResolved;
  r.title = "Thread " + ext_id + (name.empty() ? "" : " (" + name + ")") + " never resolved";
  r.detail = "marked as one that must resolve; still pending at the end of the trace";
  r.thread_id = thread_id;
  r.connection_id = connection_id;
  r.ts_ns = start_ns;
  r.duration_ns = marked_ns - start_ns;
  return r;
}

bool finding_ranks_before(const FindingRow& x, const FindingRow& y) {
  if (x.severity != y.severity) return x.severity > y.severity;
  if (x.duration_ns.value_or(0) != y.duration_ns.value_or(0))
    return x.duration_ns.value_or(0) > y.duration_ns.value_or(0);
  return x.ts_ns.value_or(0) < y.ts_ns.value_or(0);
}

std::vector<FindingRow> find_thread_findings(Database& db) {
  std::vector<FindingRow> out;
  connections_ending_with_exceptions(db, out);
  exceptions_by_message(db, out);
  never_resolved(db, out);
  return out;
}

}  // namespace lurk
