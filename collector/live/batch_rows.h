// Which rows a `lurk collect` batch wrote (docs/live.md, "Analysis while the
// data arrives"): SQLite's update hook names every row as the writer writes
// it, and this notes the ones the per-batch analysis reads again (threads
// and connections by id, the ranges of instant, span, packet, flow and
// capture finding ids inserted), so that analysis reads what the batch wrote and nothing else.
// One hook per connection: this owns it for the collector's Database.
//
// No lock: the hook runs on the writer's thread while a batch is written,
// and the notes are taken by the batch's analysis, on that same thread, in
// the batch's end job (TraceWriter::queue_commit_batch); a write the
// collector's thread makes itself (a CTF stream continued) comes after it
// waited for every queued job, which orders the two.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <set>

namespace lurk {
class Database;
}

namespace lurk::live {

// An inclusive range of row ids; empty when first > last.
struct IdRange {
  int64_t first = INT64_MAX, last = 0;
  bool empty() const { return first > last; }
  void add(int64_t id) {
    if (id < first) first = id;
    if (id > last) last = id;
  }
};

struct BatchRows {
  std::set<int64_t> threads, connections;  // inserted or updated
  IdRange instants, spans, packets, capture_findings, flows;  // inserted
  int64_t findings_written = 0;  // rows of `findings` inserted, updated or deleted
};

class BatchRowLog {
 public:
  explicit BatchRowLog(Database& db);  // starts noting
  ~BatchRowLog();
  BatchRowLog(const BatchRowLog&) = delete;
  BatchRowLog& operator=(const BatchRowLog&) = delete;

  // The rows noted since the last take (and forgets them).
  BatchRows take();
  // Stops noting (the stop pass writes rows no batch reads: noting them
  // only grew a set per row it touched).
  void stop();

 private:
  static void on_row_written(void* self, int op, const char* database, const char* table,
                             sqlite3_int64 rowid);
  Database& db_;
  BatchRows rows_;
};

}  // namespace lurk::live
