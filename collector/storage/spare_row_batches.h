// Row vectors the write-behind thread gives back once written, for the
// importer's next batch. A batch is 1,024 rows (a packet batch ~170 KB): freed
// on the writer thread and allocated afresh on the importer's, each batch's
// memory came back from the kernel as new pages, and the page faults were
// ~30% of a capture ingest's (perf record -e page-faults) — on this VM a
// fault costs more than writing the rows into the page. A few spares bound
// the memory kept: the queue holds at most WriteBehindQueue::kMaxQueuedJobs.
#pragma once

#include <cstddef>
#include <mutex>
#include <utility>
#include <vector>

namespace lurk {

template <typename Row>
class SpareRowBatches {
 public:
  // An empty vector with room for `capacity` rows: a spare if there is one.
  std::vector<Row> take(size_t capacity) {
    {
      std::lock_guard<std::mutex> lock(mutex_);
      if (!spares_.empty()) {
        std::vector<Row> rows = std::move(spares_.back());
        spares_.pop_back();
        return rows;
      }
    }
    std::vector<Row> rows;
    rows.reserve(capacity);
    return rows;
  }

  // Called by the job that wrote `rows`: kept (emptied) unless enough are.
  void give_back(std::vector<Row>&& rows) {
    rows.clear();
    std::lock_guard<std::mutex> lock(mutex_);
    if (spares_.size() < kKept) spares_.push_back(std::move(rows));
  }

 private:
  static constexpr size_t kKept = 4;
  std::mutex mutex_;
  std::vector<std::vector<Row>> spares_;
};

}  // namespace lurk
