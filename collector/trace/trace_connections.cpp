// The ingest pass that turns a CTF trace's promise trees into connections
// (trace_connections.h): loads each new CTF source's promises, labels and
// flows with one scan each, runs find_promise_connections, writes the rows.
#include "trace/trace_connections.h"

#include <string>
#include <unordered_map>
#include <vector>

#include "join/join_evidence.h"
#include "storage/savepoint.h"
#include "storage/sqlite_handle.h"
#include "trace/promise_connections.h"

namespace lurk {
namespace {

// CTF sources that this pass has not looked at yet.
std::vector<int64_t> sources_to_look_at(Database& db) {
  Statement s = db.prepare(
      "SELECT id FROM sources WHERE format = 'ctf' AND id NOT IN "
      "(SELECT source_id FROM source_counters WHERE name = 'trace_connections') ORDER BY id");
  std::vector<int64_t> out;
  while (s.step()) out.push_back(s.column_int(0));
  return out;
}

std::vector<PromiseInfo> load_promises(Database& db, int64_t source_id) {
  Statement s = db.prepare(
      "SELECT id, parent_id, start_ns, end_ns, became_id FROM threads WHERE source_id = ?");
  s.bind(1, source_id);
  std::vector<PromiseInfo> out;
  while (s.step())
    out.push_back({s.column_int(0), s.column_optional_int(1), s.column_optional_int(2),
                   s.column_optional_int(3), s.column_optional_int(4)});
  return out;
}

std::vector<PromiseLabel> load_labels(Database& db, int64_t source_id) {
  Statement s = db.prepare(
      "SELECT i.thread_id, i.ts_ns, coalesce(n.text, '') FROM instants i "
      "JOIN threads t ON t.id = i.thread_id LEFT JOIN strings n ON n.id = i.name "
      "WHERE t.source_id = ? AND i.kind = 'label'");
  s.bind(1, source_id);
  std::vector<PromiseLabel> out;
  while (s.step()) out.push_back({s.column_int(0), s.column_int(1), s.column_text(2)});
  return out;
}

std::vector<PromiseFlow> load_flows(Database& db, int64_t source_id) {
  // A trace's flows are between its own threads: the reader's side says whose.
  Statement s = db.prepare(
      "SELECT f.from_thread, f.to_thread, f.from_ns FROM flows f "
      "JOIN threads t ON t.id = f.to_thread WHERE t.source_id = ? AND f.from_thread IS NOT NULL");
  s.bind(1, source_id);
  std::vector<PromiseFlow> out;
  while (s.step()) out.push_back({s.column_int(0), s.column_int(1), s.column_int(2)});
  return out;
}

std::string_view trace_link_how(Certainty how) {
  return how == Certainty::Certain ? "ctf-label-tree:certain" : "ctf-flow:likely";
}

using LabelsByThread = std::unordered_map<int64_t, std::vector<const PromiseLabel*>>;

struct Endpoints {
  std::string addr_a, addr_b;  // '' and port 0: unknown
  int port_a = 0, port_b = 0;
};

// Endpoints a member's label names ("10.0.0.2:80 -> 10.0.0.1:5001", or one
// "addr:port": the other side). The first label that names both wins.
Endpoints endpoints_in_labels(const PromiseConnection& c, const LabelsByThread& by_thread) {
  Endpoints found;
  for (const auto& [thread, how] : c.members) {
    auto labels = by_thread.find(thread);
    if (labels == by_thread.end()) continue;
    for (const PromiseLabel* label : labels->second) {
      if (label->text.find(':') == std::string::npos) continue;
      for (const JoinEvidence& e : evidence_in_event("", label->text, label->ts_ns)) {
        if (e.kind == JoinEvidence::Kind::FourTuple)
          return {e.addr_1, e.addr_2, e.port_1, e.port_2};
        if (e.kind == JoinEvidence::Kind::Port && found.port_b == 0) {
          found.addr_b = e.addr_1;
          found.port_b = e.port_1;
        }
      }
    }
  }
  return found;
}

}  // namespace

int64_t write_trace_connection(Database& db, int64_t source_id, const PromiseConnection& c,
                               const std::vector<PromiseLabel>& labels, std::optional<int64_t> id) {
  LabelsByThread by_thread;
  for (const PromiseLabel& l : labels) by_thread[l.thread_id].push_back(&l);
  Statement insert = db.prepare(
      "INSERT INTO connections(source_id, addr_a, port_a, addr_b, port_b, first_ns, last_ns, "
      "state, root_thread_id, close_ns, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  Statement link = db.prepare("UPDATE threads SET connection_id = ?, link_how = ? WHERE id = ?");
  Endpoints ends = endpoints_in_labels(c, by_thread);
  insert.bind(1, source_id).bind(2, std::string_view(ends.addr_a)).bind(3, int64_t{ends.port_a});
  insert.bind(4, std::string_view(ends.addr_b)).bind(5, int64_t{ends.port_b});
  insert.bind(6, c.first_ns).bind(7, c.last_ns);
  insert.bind(8, std::string_view(c.close_ns ? "closed" : "open"));
  insert.bind(9, c.root_thread).bind(10, c.close_ns).bind(11, id);  // NULL: the next rowid
  insert.run();
  int64_t connection_id = db.last_insert_id();
  for (const auto& [thread, how] : c.members) {
    link.bind(1, connection_id).bind(2, std::string_view(trace_link_how(how))).bind(3, thread);
    link.run();
  }
  return connection_id;
}

void clear_trace_connections(Database& db, int64_t source_id) {
  Statement unlink = db.prepare(
      "UPDATE threads SET connection_id = NULL, link_how = NULL WHERE source_id = ? AND "
      "link_how IN ('ctf-label-tree:certain', 'ctf-flow:likely')");
  unlink.bind(1, source_id).run();
  Statement remove =
      db.prepare("DELETE FROM connections WHERE source_id = ? AND root_thread_id IS NOT NULL");
  remove.bind(1, source_id).run();
}

namespace {

bool schema_has_trace_connections(Database& db) {
  return db.query_int("SELECT count(*) FROM pragma_table_info('connections') "
                      "WHERE name IN ('root_thread_id', 'close_ns')") == 2;
}

}  // namespace

TraceConnectionsSummary find_trace_connections(Database& db) {
  TraceConnectionsSummary summary;
  // A profile written before these columns existed waits for its migration.
  if (!schema_has_trace_connections(db)) return summary;
  std::vector<int64_t> sources = sources_to_look_at(db);
  if (sources.empty()) return summary;
  Savepoint pass(db, "trace_connections");
  Statement mark = db.prepare(
      "INSERT INTO source_counters(source_id, name, value) VALUES (?, 'trace_connections', ?)");
  for (int64_t source_id : sources) {
    // What `lurk collect` recognised while the trace arrived is decided
    // again on the whole trace (docs/live.md): the same rows as an ingest.
    clear_trace_connections(db, source_id);
    std::vector<PromiseLabel> labels = load_labels(db, source_id);
    std::vector<PromiseConnection> found =
        find_promise_connections(load_promises(db, source_id), labels, load_flows(db, source_id));
    for (const PromiseConnection& c : found) {
      write_trace_connection(db, source_id, c, labels);
      summary.linked_threads += static_cast<int64_t>(c.members.size());
    }
    summary.connections += static_cast<int64_t>(found.size());
    ++summary.sources;
    mark.bind(1, source_id).bind(2, static_cast<int64_t>(found.size()));
    mark.run();
  }
  pass.release();
  return summary;
}

}  // namespace lurk
