// What each batch's analysis cost: see batch_cost.h.
#include "live/batch_cost.h"

#include <sqlite3.h>

#include <stdexcept>

#include "live/batch_rows.h"
#include "storage/sqlite_handle.h"

namespace lurk::live {

BatchCostLog::BatchCostLog(const std::string& path) {
  if (path.empty()) return;
  out_.open(path, std::ios::trunc);
  if (!out_) throw std::runtime_error("cannot write " + path);
  on_ = true;
}

int BatchCostLog::on_step(void* self) {
  ++static_cast<BatchCostLog*>(self)->steps_;
  return 0;  // go on
}

void BatchCostLog::start(Database& db) {
  if (!on_) return;
  steps_ = 0;
  sqlite3_progress_handler(db.raw(), 1, &BatchCostLog::on_step, this);
}

void BatchCostLog::finish(Database& db, int64_t batch, const BatchRows& rows,
                          const BatchRows& analysis) {
  if (!on_) return;
  sqlite3_progress_handler(db.raw(), 0, nullptr, nullptr);
  auto count = [](const IdRange& r) { return r.empty() ? 0 : r.last - r.first + 1; };
  out_ << "{\"batch\":" << batch << ",\"vm_steps\":" << steps_
       << ",\"threads\":" << rows.threads.size() << ",\"connections\":" << rows.connections.size()
       << ",\"spans\":" << count(rows.spans) << ",\"instants\":" << count(rows.instants)
       << ",\"packets\":" << count(rows.packets)
       << ",\"findings_rows\":" << analysis.findings_written << "}\n";
  out_.flush();
}

}  // namespace lurk::live
