// The findings of a profile while `lurk collect` writes it (docs/live.md,
// "Analysis while the data arrives"): in each batch's transaction, the rows
// the batch wrote are looked at, and only those (live/batch_rows.h names
// them), so the cost of a batch follows the batch, not the profile. Kept up
// to date this way: failed threads grouped by exception message
// ("exception"), must-resolve threads that never resolved
// ("never-resolved"), and "N of M connections end with an exception"
// ("connection-end-exception", from the live joiner's links and the
// connections' ends), worded by the same code as the whole-profile pass
// (findings/thread_findings.h), rewritten when they change (their number is
// that of distinct messages, not of rows); and the TCP findings of the
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
  std::vector<FindingRow> connection_end_findings() const;
  void rewrite();
  void append_capture_findings();

  Database& db_;
  bool has_close_ = false;
  // What the findings are made of so far.
  std::map<std::string, std::vector<ExceptionEvent>> exceptions_;  // by message, (ts, id) order
  std::set<int64_t> failed_seen_;
  std::vector<FindingRow> never_resolved_;
  // Capture findings not yet in `findings` (appended as they come: readers
  // rank findings themselves, so the rows need not be rewritten for them).
  std::vector<FindingRow> new_capture_findings_;
  bool first_update_ = true;
  std::set<int64_t> merged_connections_;  // same_as set: their findings are the capture's
  std::vector<int64_t> thread_rows_;  // ids of the thread findings' rows in `findings`
  // For "N of M connections end with an exception": every exception event
  // (failed thread's end, exception instant) as (time, thread, message), the
  // threads' connections, the connections' ends; M is the connections with
  // a linked thread.
  std::set<std::tuple<int64_t, int64_t, std::string>> thread_exceptions_;
  std::unordered_map<int64_t, int64_t> thread_connection_;
  std::map<int64_t, int> linked_threads_;  // connection -> threads linked to it
  std::unordered_map<int64_t, ConnectionEnd> ends_;
  bool changed_ = false, ends_changed_ = false;
};

}  // namespace lurk::live
