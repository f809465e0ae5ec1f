// Runs the writer's database work on one background thread, in the order it
// was queued, so that reading and analysing a capture on one core overlaps
// SQLite's insert work on another. Natively the queue is bounded (a fast
// reader waits instead of buffering the whole file); under Emscripten, which
// lurk builds without threads, and when not started, jobs run inline.
//
// The rule that keeps this safe: while jobs may be pending, only jobs touch
// the database. Anyone else calls drain() first (TraceWriter does).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>

namespace lurk {

class WriteBehindQueue {
 public:
  using Job = std::function<void()>;

  WriteBehindQueue() = default;
  ~WriteBehindQueue();
  WriteBehindQueue(const WriteBehindQueue&) = delete;
  WriteBehindQueue& operator=(const WriteBehindQueue&) = delete;

  // From now on jobs run on the background thread (where threads exist).
  void go_background();
  // Jobs run inline again, after every queued job ran (errors rethrown).
  void go_inline();

  // Queues `job` (or runs it inline). Rethrows the error of an earlier job,
  // so a failed insert surfaces at the importer's next row.
  void push(Job job);
  // Waits until every queued job ran; rethrows the first error of one.
  void drain();
  // Waits for the running job, drops the queued ones and any error: for a
  // rollback, which throws away what they would have written anyway.
  void discard();

 private:
  static constexpr size_t kMaxQueuedJobs = 8;

  void run_worker();
  void rethrow_error_locked(std::unique_lock<std::mutex>& lock);

  bool background_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Job> jobs_;
  bool running_job_ = false;
  bool stopping_ = false;
  std::exception_ptr error_;
  std::thread worker_;
};

}  // namespace lurk
