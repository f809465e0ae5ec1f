// The connections a mirage-profile CTF trace shows by its promise trees,
// recognised while `lurk collect` runs (docs/live.md, "Analysis while the
// data arrives"): a connection starts at a root label (`new-server-connection`,
// `TCP connect`) and is known once its subtree has ended: its close is seen
// and every promise that may belong to it has ended, or the trace's time is
// past the close by more than what a close can still cause (kAfterCloseNs).
// Then the batch that ended it runs the stop pass's own code
// (find_promise_connections, write_trace_connection) on that subtree only:
// the root, what it created, became, read, resolved or signalled, and so on
// from those. Cost: the batch's rows, and a sweep of a subtree only when the
// batch may have ended it (a close seen, or a member the closed connection
// waited on ended), not the file.
//
// Kept in memory per CTF source: each promise's parent, times and becomes,
// its labels and flows, as the batches write them. A connection recognised
// live may differ from the stop pass's only when a promise is reached from
// two connections (the pass gives it to neither); the stop pass decides
// every connection again on the whole trace (clear_trace_connections), so
// the profile after the stop is what `lurk ingest` makes.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "live/batch_rows.h"
#include "trace/promise_connections.h"

namespace lurk {
class Database;
}

namespace lurk::live {

class LiveTraceConnections {
 public:
  // `claim_connection_id`: the collector's writer's next connection id
  // (TraceWriter::claim_connection_id). The writer gives each sender's
  // connection its id when the row is made, before it is written: a
  // connection written here with the next rowid took one the writer gave
  // (UNIQUE constraint failed, the collector stopped: a CTF and a JSON lines
  // sender in one collection).
  LiveTraceConnections(Database& db, std::function<int64_t()> claim_connection_id)
      : db_(db), claim_connection_id_(std::move(claim_connection_id)) {}

  // In the batch's transaction, before the joiner: reads the batch's CTF
  // promises, labels and flows, writes the connections whose subtree ended
  // and links their members (again, when the trace's writer wrote a linked
  // row over the link). Adds the threads it linked to `rows.threads`, so the
  // joiner takes those links as the trace's own (and hands them to the
  // findings). Returns how many connections it wrote.
  size_t update(BatchRows& rows);
  // The source's rows moved by delta_ns (a clock offset decided while
  // collecting, live_capture_joins.h): the times kept of it move too, so
  // that its later rows (written on the new clock) compare with them.
  void shift_source(int64_t source_id, int64_t delta_ns);

 private:
  struct Promise {
    PromiseInfo info;
    bool parent_noted = false, became_noted = false;
    std::vector<int64_t> children;                  // threads.id it created
    std::vector<PromiseFlow> flows;                 // from or to it
    std::vector<int64_t> became_from;               // promises that became this one
  };
  // A root label whose connection is not written yet; once a sweep saw it
  // closed, the members not ended yet (it is known when they have).
  struct Pending {
    PromiseLabel label;
    std::optional<int64_t> close_ns;
    std::vector<int64_t> waiting_on;
  };
  struct Source {
    std::unordered_map<int64_t, Promise> promises;
    std::unordered_map<int64_t, std::vector<PromiseLabel>> labels;  // by thread
    std::map<int64_t, Pending> roots;       // not yet recognised, by thread
    std::set<int64_t> recognised;           // roots whose connection is written
    std::set<int64_t> close_waiters;        // promises labelled `urx_close`
    int64_t last_ns = 0;                    // the latest time seen
    // The batch brought what can close a connection (a `Close socket`
    // label, a close waiter's end): roots whose close is not known yet are
    // swept again only then.
    bool close_signal = false;
  };

  void read_threads(const std::set<int64_t>& ids, std::set<int64_t>& touched);
  void read_labels(const IdRange& range, std::set<int64_t>& touched);
  void read_flows(const IdRange& range, std::set<int64_t>& touched);
  // Whether a sweep may now find `p` known: a close signal in the batch
  // while its close is unknown, else its waited-on members ended or the
  // trace's time past what the close can still cause.
  static bool worth_a_sweep(const Source& source, const Pending& p);
  // The stop pass's sweep on the root's subtree: its connection, if any.
  // `labels`: the subtree's, filled for write().
  std::optional<PromiseConnection> sweep(const Source& source, const PromiseLabel& root,
                                         std::vector<PromiseLabel>& labels);
  std::vector<int64_t> reachable(const Source& source, const PromiseLabel& root) const;
  void write(int64_t source_id, const std::vector<PromiseLabel>& labels,
             const PromiseConnection& c, BatchRows& rows);
  void write_link(int64_t thread, int64_t connection, Certainty how);

  Database& db_;
  std::function<int64_t()> claim_connection_id_;
  std::map<int64_t, Source> sources_;                  // CTF sources of this collection
  std::unordered_map<int64_t, int64_t> source_of_;     // threads.id -> its CTF source
  // Links written, to write back when the trace's writer overwrites a row.
  std::unordered_map<int64_t, std::pair<int64_t, Certainty>> linked_;
};

}  // namespace lurk::live
