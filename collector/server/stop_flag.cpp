// end_statements_when (stop_flag.h): a progress handler that reads the flag.
#include "server/stop_flag.h"

#include <sqlite3.h>

#include "storage/sqlite_handle.h"

namespace lurk::server {
namespace {

// Steps between two looks at the flag: a relaxed load each time costs
// nothing next to the steps, and a few thousand steps take microseconds.
constexpr int kStepsBetweenLooks = 4096;

int stop_requested(void* flag) {
  return static_cast<const std::atomic<bool>*>(flag)->load(std::memory_order_relaxed) ? 1 : 0;
}

}  // namespace

void end_statements_when(Database& db, const std::atomic<bool>* stop) {
  if (stop)
    sqlite3_progress_handler(db.raw(), kStepsBetweenLooks, stop_requested,
                             const_cast<void*>(static_cast<const void*>(stop)));
  else
    sqlite3_progress_handler(db.raw(), 0, nullptr, nullptr);
}

}  // namespace lurk::server
