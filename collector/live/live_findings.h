// The findings of a profile while `lurk collect` writes it (docs/live.md,
// "Analysis while the data arrives"): after each batch, the rows the batch
// wrote are looked at, and only those (SQLite's update hook names them), so
// the cost of a batch follows the batch, not the profile. Kept up to date
// this way: failed threads grouped by exception message ("exception") and
// must-resolve threads that never resolved ("never-resolved"), worded by the
// same code as the whole-profile pass (findings/thread_findings.h), which
// replaces them when the collector stops.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "findings/thread_findings.h"

namespace lurk {
class Database;
}

namespace lurk::live {

class LiveFindings {
 public:
  explicit LiveFindings(Database& db);  // starts noting the rows written
  ~LiveFindings();
  LiveFindings(const LiveFindings&) = delete;
  LiveFindings& operator=(const LiveFindings&) = delete;

  // Right after a batch commit (the writer idle, the next batch's
  // transaction open): reads the thread and instant rows the batch wrote and
  // rewrites the live findings when they changed; they are then committed
  // with the next batch. `a_trace_ended`: a sender's trace ended in the
  // batch (only then can never-resolved threads appear). True when they changed.
  bool update(bool a_trace_ended);

 private:
  static void on_row_written(void* self, int op, const char* database, const char* table,
                             sqlite3_int64 rowid);
  void read_failed_threads(const std::vector<int64_t>& ids);
  void read_never_resolved(int64_t first_instant, int64_t last_instant);
  void rewrite();

  Database& db_;
  std::mutex mutex_;  // the hook runs on the writer's thread
  std::set<int64_t> threads_written_;
  int64_t first_instant_ = INT64_MAX, last_instant_ = 0;
  // What the findings are made of so far.
  std::map<std::string, std::vector<ExceptionEvent>> exceptions_;  // by message, (ts, id) order
  std::set<int64_t> failed_seen_;
  std::vector<FindingRow> never_resolved_;
  bool changed_ = false;
};

}  // namespace lurk::live
