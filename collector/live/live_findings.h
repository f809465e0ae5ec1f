// The findings of a profile while `lurk collect` writes it (docs/live.md,
// "Analysis while the data arrives"): in each batch's transaction, the rows
// the batch wrote are looked at, and only those (live/batch_rows.h names
// them), so the cost of a batch follows the batch, not the profile. Kept up
// to date this way: failed threads grouped by exception message
// ("exception"), must-resolve threads that never resolved
// ("never-resolved"), and "N of M connections end with an exception"
// ("connection-end-exception", from the live joiner's links and the
// connections' ends), worded by the same code as the whole-profile pass
// (findings/thread_findings.h); only the rows that changed are written (a
// message's row when a thread failed with it, an "N of M" row when its
// connections or M changed, a never-resolved row once), so a batch writes
// what it changed, not the session's findings again; and the TCP findings of the
// traces' segments as they close (capture_findings, written by the batch
// that closed them), appended. The whole-profile pass replaces them all when the
// collector stops.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <tuple>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "findings/thread_findings.h"
#include "live/batch_rows.h"
#include "storage/sqlite_handle.h"
#include "live/live_joiner.h"

namespace lurk {
class Database;
}

namespace lurk::live {

class LiveFindings {
 public:
  // Reads the capture findings already there, and with `analyse` (the
  // collector analyses each batch) the rest of what the profile holds.
  explicit LiveFindings(Database& db, bool analyse = true);
  LiveFindings(const LiveFindings&) = delete;
  LiveFindings& operator=(const LiveFindings&) = delete;

  // In the batch's transaction, its rows written (the writer idle): reads
  // the thread, instant, packet and connection rows the batch wrote, takes
  // the joiner's link changes, and rewrites the live findings when they
  // changed, so they commit with the batch. `a_trace_ended`: a sender's
  // trace ended in the batch (only then can never-resolved threads appear).
  // True when they changed.
  bool update(const BatchRows& rows, const std::vector<LinkChange>& links, bool a_trace_ended);
  // Before update, in the batch's transaction: trace connections merged
  // with a capture's (live_capture_joins.h). Their TCP findings are the
  // capture's, as in the whole pass: those already written are deleted,
  // later ones are not written.
  void take_merges(const std::vector<int64_t>& connections);
  // Before update: a source's rows moved by delta_ns (a clock offset decided
  // while collecting, live_capture_joins.h). The exceptions of its threads
  // and the ends of its connections kept here move too, and its threads'
  // exceptions are counted again against their connections' ends.
  void shift_source(const std::set<int64_t>& threads, const std::set<int64_t>& connections,
                    int64_t delta_ns);

 private:
  // When a connection ends (thread_findings.cpp's rule): its first FIN or
  // RST, else when its trace saw it close, else its last time.
  struct ConnectionEnd {
    std::optional<int64_t> fin_or_rst, close;
    int64_t last = 0;
    int64_t at() const { return fin_or_rst ? *fin_or_rst : close ? *close : last; }
  };
  void read_failed_threads(const std::set<int64_t>& ids);
  void read_never_resolved(int64_t first_instant, int64_t last_instant);
  void read_exception_instants(const IdRange& instants);
  // The batch's capture findings (`range`), or, at start, the profile's.
  void read_capture_findings(const IdRange* range);
  // At start: what the profile already holds (a collector restarted on
  // its file), so that the first batch's rewrite keeps its findings.
  void read_profile();
  IdRange whole_table(const char* table);
  void read_connection_ends(const std::set<int64_t>& ids, const IdRange& packets);
  void take_links(const std::vector<LinkChange>& links);
  // "N of M", kept as exceptions, links and ends arrive (live_findings.cpp).
  void add_thread_exception(int64_t thread, int64_t ts, const std::string& message);
  void recount_thread(int64_t thread);
  void end_changed(int64_t connection, bool was_known);
  void link_count_changed(int64_t connection, bool linked_now);
  // Writes the findings rows that changed (inserted, updated or deleted by id).
  void write_changes();
  void put_row(int64_t& id, const FindingRow& row);
  void append_capture_findings();

  Database& db_;
  bool has_close_ = false;
  std::optional<Statement> insert_, update_, remove_;
  // Failed threads by message ((ts, id) order), and the findings row of each
  // message; the messages whose row the next write rewrites.
  std::map<std::string, std::vector<ExceptionEvent>> exceptions_;
  std::map<std::string, int64_t> exception_rows_;
  std::set<std::string> changed_messages_;
  std::set<int64_t> failed_seen_;
  // Never-resolved findings not yet written (each is written once: it does
  // not change while collecting).
  std::vector<FindingRow> new_never_resolved_;
  // Capture findings not yet in `findings` (appended as they come: readers
  // rank findings themselves, so the rows need not be rewritten for them).
  std::vector<FindingRow> new_capture_findings_;
  bool first_update_ = true;
  std::set<int64_t> merged_connections_;  // same_as set: their findings are the capture's
  // The findings rows appended from capture findings, by connection (a
  // trace's connection merged later takes its rows back out).
  std::unordered_map<int64_t, std::vector<int64_t>> capture_finding_rows_;
  // For "N of M connections end with an exception": every exception event
  // (failed thread's end, exception instant) of each thread as (time,
  // message), the threads' connections and each connection's threads, the
  // connections' ends; M is the connections with a linked thread and an end.
  // Per message, the exceptions that count now (within the window of their
  // connection's end) as (time, thread, connection), and per connection how
  // many of them; `counted_` says where each counted one is, so that a
  // thread whose link or connection's end changes is counted again alone.
  struct EndGroup {
    std::set<std::tuple<int64_t, int64_t, int64_t>> events;
    std::map<int64_t, int> connections;
    int64_t row_id = 0;
  };
  std::unordered_map<int64_t, std::set<std::pair<int64_t, std::string>>> thread_exceptions_;
  std::unordered_map<int64_t, int64_t> thread_connection_;
  std::unordered_map<int64_t, std::set<int64_t>> connection_threads_;
  std::unordered_map<int64_t, ConnectionEnd> ends_;
  std::map<std::tuple<int64_t, int64_t, std::string>, int64_t> counted_;  // (ts, thread, message) -> connection
  std::map<std::string, EndGroup> end_groups_;
  std::set<std::string> changed_groups_;
  int64_t linked_with_end_ = 0;  // M
  bool linked_changed_ = false;  // M changed: every "N of M" row is rewritten
  bool changed_ = false;
};

}  // namespace lurk::live
