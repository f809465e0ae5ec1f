// The joiner while `lurk collect` writes a profile (docs/live.md, "Analysis
// while the data arrives"; the rules are docs/joining.md's): after each batch
// it puts the threads of the traces under the connections their events name,
// deciding as the whole-profile pass (join/connection_joiner.h) would on the
// data so far, with the same code (join/join_decision.h).
//
// What it holds so that a batch costs what the batch wrote: every
// connection the joiner may pick (indexed by 4-tuple, port and first time),
// and each unlinked thread's earliest evidence (indexed the same way). A
// batch's new evidence re-decides its threads; a connection the batch wrote
// re-decides only the threads whose decision it can change: those whose
// evidence it names at a time its new extent covers (and did not before),
// and those no connection of that name covers yet (they take the nearest).
// Links the trace made itself (connection_id set by the importer) stay.
// A trace connection merged with a capture's (same_as) is merged before the
// joiner reads it (live_capture_joins.h, traces on an aligned clock). A
// clock offset decided live moves what it keeps of the source (shift_source);
// the stop pass decides the clocks again, and the live links are undone
// first (undo_links) so that it decides every thread on the final clocks.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "join/join_decision.h"
#include "live/batch_rows.h"

namespace lurk {
class Database;
}

namespace lurk::live {

// A thread's connection as the batch left it (nullopt: not linked).
struct LinkChange {
  int64_t thread_id = 0;
  std::optional<int64_t> connection_id;
};

class LiveJoiner {
 public:
  explicit LiveJoiner(Database& db);  // reads the connections already in the profile
  ~LiveJoiner();
  LiveJoiner(const LiveJoiner&) = delete;
  LiveJoiner& operator=(const LiveJoiner&) = delete;

  // In the batch's transaction, after its rows are written: reads what it
  // wrote and links (or relinks, or unlinks) the threads concerned. Returns
  // every thread whose connection changed, imported links included.
  std::vector<LinkChange> update(const BatchRows& rows);
  // Before the whole-profile pass: the links made here are undone.
  void undo_links();
  // A source got its clock offset while collecting (live_capture_joins.h):
  // its rows moved by delta_ns. What is kept of its threads' evidence moves
  // with them, its connections are read again, and the threads they
  // concern decide again. Before update() of the batch that moved them.
  std::vector<LinkChange> shift_source(const std::set<int64_t>& threads,
                                       const std::set<int64_t>& connections, int64_t delta_ns);

 private:
  struct ThreadState {
    bool row_seen = false;      // its row is in the file
    bool imported = false;      // the trace linked it itself: not the joiner's
    ThreadEvidence from_name, from_events;
    std::optional<int64_t> linked;  // the joiner's link
    std::string link_how;
    ThreadEvidence indexed;     // the evidence the indexes hold for it
  };
  class Candidates;

  void read_threads(const std::set<int64_t>& ids, std::set<int64_t>& touched,
                    std::vector<LinkChange>& changes);
  void read_events(const char* sql, const IdRange& range, std::set<int64_t>& touched);
  void read_connections(const std::set<int64_t>& ids, std::set<int64_t>& touched);
  void affected_by(const JoinConnection* before, const JoinConnection& now,
                   std::set<int64_t>& touched) const;
  void redecide(int64_t thread_id, std::vector<LinkChange>& changes);
  void reindex(int64_t thread_id, ThreadState& t, const ThreadEvidence& now);
  void index_connection(const JoinConnection& c, bool add);
  bool covered(const JoinEvidence& e) const;
  void write_link(int64_t thread_id, const ThreadState& t);

  Database& db_;
  NameEvidence names_;
  std::string own_rows_left_out_;  // a CTF trace's own connections (join/connection_merge.h)
  std::unordered_map<int64_t, JoinConnection> connections_;
  std::map<std::string, std::set<int64_t>> connections_by_tuple_;
  std::unordered_map<int, std::set<int64_t>> connections_by_port_;
  std::multimap<int64_t, int64_t> connections_by_first_;
  std::unordered_map<int64_t, ThreadState> threads_;
  // Unlinked threads' earliest evidence, by what it names: (time, thread).
  std::map<std::string, std::set<std::pair<int64_t, int64_t>>> threads_by_tuple_;
  std::unordered_map<int, std::set<std::pair<int64_t, int64_t>>> threads_by_port_;
  std::set<std::pair<int64_t, int64_t>> threads_by_label_;
  // Threads whose evidence of that name no connection covers yet.
  std::map<std::string, std::set<int64_t>> uncovered_by_tuple_;
  std::unordered_map<int, std::set<int64_t>> uncovered_by_port_;
  std::unique_ptr<Candidates> candidates_;
};

}  // namespace lurk::live
