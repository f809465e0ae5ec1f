// What the per-batch analysis of `lurk collect` cost, batch by batch
// (`lurk collect --analysis-stats FILE`, docs/live.md): the SQLite virtual
// machine steps its statements took (counted by a progress handler, so a
// query that scanned a table whole shows as many steps as rows, whatever
// the machine's load), how many rows of each kind the batch wrote, and how
// many rows of `findings` its analysis wrote (inserted, updated or deleted). One
// JSON line per batch; tests/cli/live_batch_cost.py asserts that the steps
// follow the batch, not the file. Without a file, nothing is counted.
#pragma once

#include <cstdint>
#include <fstream>
#include <string>

namespace lurk {
class Database;
}

namespace lurk::live {

struct BatchRows;

class BatchCostLog {
 public:
  explicit BatchCostLog(const std::string& path);  // empty: off
  void start(Database& db);
  // `rows`: what the batch wrote; `analysis`: what its analysis wrote.
  void finish(Database& db, int64_t batch, const BatchRows& rows, const BatchRows& analysis);

 private:
  static int on_step(void* self);
  std::ofstream out_;
  bool on_ = false;
  int64_t steps_ = 0;
};

}  // namespace lurk::live
