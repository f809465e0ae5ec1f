// The connections a mirage-profile CTF trace shows by itself: run by the
// ingest after the importers and before the joiner and the findings, for
// every CTF source not looked at yet. Each connection the promise tree shows
// (trace/promise_connections.h) becomes a `connections` row of the trace's
// source, with unknown endpoints (addr '' port 0) unless its labels name
// them, `root_thread_id` = the promise whose label started it and `close_ns`
// = when the trace saw it close; its promises get `threads.connection_id`
// and `link_how` 'ctf-label-tree:certain' or 'ctf-flow:likely'.
// docs/ctf.md ("Connections from the trace") has the rules.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace lurk {

class Database;

struct TraceConnectionsSummary {
  int64_t sources = 0;      // CTF sources looked at in this run
  int64_t connections = 0;  // connections rows written
  int64_t linked_threads = 0;
};

// Runs in a savepoint of its own (storage/savepoint.h): atomic alone, or part
// of the ingest's transaction. A source once looked at has the
// source_counters row 'trace_connections' (its count) and is not looked at
// again.
TraceConnectionsSummary find_trace_connections(Database& db);

struct PromiseConnection;
struct PromiseLabel;

// One connection the promise tree shows: its row, and its members linked
// ('ctf-label-tree:certain' / 'ctf-flow:likely'); returns the row's id.
// `labels`: the source's labels (those of the members name the endpoints).
// Shared by the pass above and `lurk collect`'s per-batch recognition of
// connections whose subtree ended (live/live_trace_connections.h), which
// gives the `id` (the collector's writer hands out connection ids of its own:
// the next rowid could be one it already gave a sender's connection).
int64_t write_trace_connection(Database& db, int64_t source_id, const PromiseConnection& c,
                               const std::vector<PromiseLabel>& labels,
                               std::optional<int64_t> id = std::nullopt);
// Undoes what a live collection recognised of the source (its promise
// connections and their links) before the pass decides them on the whole trace.
void clear_trace_connections(Database& db, int64_t source_id);

}  // namespace lurk
