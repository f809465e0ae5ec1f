#include "join/connection_joiner.h"

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "join/connection_merge.h"
#include "join/join_decision.h"
#include "join/join_evidence.h"
#include "storage/savepoint.h"
#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

using Connection = JoinConnection;

bool has_column(Database& db, const std::string& table, const std::string& column) {
  return db.query_int("SELECT count(*) FROM pragma_table_info('" + table + "') WHERE name = '" +
                      column + "'") > 0;
}

std::vector<Connection> load_connections(Database& db) {
  // The client's ISN is looked up only for connections a merge compares
  // (client_isn()): finding it scans a connection's packets when it has no SYN.
  // A CTF trace's own rows are left out (connection_merge.h).
  Statement s = db.prepare(std::string("SELECT ") + kJoinConnectionColumns +
                           " FROM connections c LEFT JOIN sources src ON src.id = c.source_id WHERE " +
                           trace_own_rows_left_out(db) + "1 ORDER BY c.id");
  std::vector<Connection> out;
  while (s.step()) out.push_back(join_connection_from(s));
  return out;
}

// Each trace connection not merged yet is the first capture connection
// that is the same (join/connection_merge.h).
int64_t merge_same_connections(Database& db, std::vector<Connection>& connections) {
  Statement update = db.prepare("UPDATE connections SET same_as = ? WHERE id = ?");
  ClientIsns isns(db);
  int64_t merged = 0;
  MergeTargets captures;
  for (const Connection& c : connections)
    if (c.from_capture) captures.add(c);
  for (Connection& trace : connections) {
    if (trace.from_capture || trace.same_as) continue;
    const Connection* capture = captures.first_same(trace, isns, isns);
    if (!capture) continue;
    trace.same_as = capture->id;
    update.bind(1, trace.same_as).bind(2, trace.id);
    update.run();
    ++merged;
  }
  // Threads a trace linked to its own row move to the capture's.
  db.exec(
      "UPDATE threads SET connection_id = (SELECT same_as FROM connections c "
      "  WHERE c.id = threads.connection_id) "
      "WHERE connection_id IN (SELECT id FROM connections WHERE same_as IS NOT NULL)");
  return merged;
}

// The evidence of the threads not linked yet, from their names and from the
// names and args of their spans and instants. Plain scans: when most threads
// are unlinked, reading each table once beats an index lookup per row.
std::map<int64_t, ThreadEvidence> gather_evidence(Database& db) {
  std::map<int64_t, ThreadEvidence> evidence;
  NameEvidence names(db);
  auto add_name = [&](ThreadEvidence& to, int64_t name_id, int64_t ts) {
    for (JoinEvidence e : names.of(name_id)) {
      e.ts_ns = ts;
      to.add(e);
    }
  };
  std::unordered_map<int64_t, ThreadEvidence*> unlinked;
  Statement threads = db.prepare(
      "SELECT id, coalesce(start_ns, 0), coalesce(name, 0) FROM threads WHERE connection_id IS NULL");
  while (threads.step()) {
    ThreadEvidence& e = evidence[threads.column_int(0)];
    unlinked.emplace(threads.column_int(0), &e);
    add_name(e, threads.column_int(2), threads.column_int(1));
  }
  if (unlinked.empty()) return evidence;
  for (const char* sql : {"SELECT thread_id, start_ns, coalesce(name, 0), args_json FROM spans",
                          "SELECT thread_id, ts_ns, coalesce(name, 0), args_json FROM instants "
                          "WHERE thread_id IS NOT NULL"}) {
    Statement events = db.prepare(sql);
    while (events.step()) {
      auto thread = unlinked.find(events.column_int(0));
      if (thread == unlinked.end()) continue;
      int64_t ts = events.column_int(1);
      add_name(*thread->second, events.column_int(2), ts);
      if (events.column_is_null(3)) continue;
      std::string args = events.column_text(3);
      if (!may_name_endpoint(args)) continue;
      for (const JoinEvidence& e : evidence_in_event(args, "", ts)) thread->second->add(e);
    }
  }
  std::erase_if(evidence, [](const auto& entry) { return entry.second.empty(); });
  return evidence;
}

// The candidates of the whole pass: every connection, scanned.
class ScanCandidates : public JoinCandidates {
 public:
  explicit ScanCandidates(const std::vector<Connection>& all) : all_(all) {}
  std::vector<const JoinConnection*> with_tuple(const JoinEvidence& e) const override {
    return matching([&](const Connection& c) { return c.has_tuple(e); });
  }
  std::vector<const JoinConnection*> with_endpoint(const std::string& addr, int port) const override {
    return matching([&](const Connection& c) { return c.has_endpoint(addr, port); });
  }
  std::vector<const JoinConnection*> starting_between(int64_t from, int64_t to) const override {
    return matching([&](const Connection& c) { return c.first_ns >= from && c.first_ns <= to; });
  }
  const JoinConnection* by_id(int64_t id) const override {
    auto it = std::lower_bound(all_.begin(), all_.end(), id,
                               [](const Connection& x, int64_t wanted) { return x.id < wanted; });
    return it != all_.end() && it->id == id ? &*it : nullptr;
  }

 private:
  template <typename Fits>
  std::vector<const JoinConnection*> matching(Fits fits) const {
    std::vector<const JoinConnection*> out;
    for (const Connection& c : all_)
      if (fits(c)) out.push_back(&c);
    return out;
  }
  const std::vector<Connection>& all_;
};

// Whether the pass would change nothing: no connection of a trace (lurk
// JSONL) left to merge with a capture's, no thread still on a merged row,
// and no thread without a connection. A profile of captures only stops here
// instead of loading and keying every connection (3% of ingesting a
// 2,000-connection capture, bench/RESULTS.md, pcap10). The sources first
// (CROSS JOIN keeps that order): left to itself SQLite read every connection
// to find its source's format, 1.3 k instructions a connection of a capture
// (3.9 M of 3,000 connections' ingest, after the import; bench/RESULTS.md, pcap14).
bool nothing_to_join(Database& db) {
  return db.query_int(
             "SELECT NOT EXISTS (SELECT 1 FROM sources src CROSS JOIN connections c "
             "  ON src.id = c.source_id WHERE src.format = 'lurk-jsonl' AND c.same_as IS NULL "
             "  AND c.root_thread_id IS NULL) "
             "AND NOT EXISTS (SELECT 1 FROM threads WHERE connection_id IS NULL) "
             "AND NOT EXISTS (SELECT 1 FROM threads t JOIN connections c "
             "  ON c.id = t.connection_id WHERE c.same_as IS NOT NULL)") != 0;
}

}  // namespace

JoinSummary join_connections(Database& db) {
  JoinSummary summary;
  if (has_column(db, "connections", "root_thread_id") && nothing_to_join(db)) return summary;
  Savepoint pass(db, "join_connections");
  std::vector<Connection> connections = load_connections(db);
  summary.merged_connections = merge_same_connections(db, connections);
  if (!connections.empty()) {
    Statement link = db.prepare("UPDATE threads SET connection_id = ?, link_how = ? WHERE id = ?");
    ScanCandidates candidates(connections);
    for (const auto& [thread_id, evidence] : gather_evidence(db)) {
      auto decided = decide_link(candidates, evidence);
      if (!decided) continue;
      link.bind(1, decided->first).bind(2, std::string_view(decided->second)).bind(3, thread_id);
      link.run();
      ++summary.linked_threads;
    }
  }
  pass.release();
  return summary;
}

}  // namespace lurk
