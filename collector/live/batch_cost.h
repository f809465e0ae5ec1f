// What the per-batch analysis of `lurk collect` cost, batch by batch
// (`lurk collect --analysis-stats FILE`, docs/live.md): the SQLite virtual
// machine steps its statements took (counted by a progress handler, so a
// query that scanned a table whole shows as many steps as rows, whatever
// the machine's load) and how many rows of each kind the batch wrote. One
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
  void finish(Database& db, int64_t batch, const BatchRows& rows);

 private:
  static int on_step(void* self);
  std::ofstream out_;
  bool on_ = false;
  int64_t steps_ = 0;
};

}  // namespace lurk::live
