#include "storage/write_behind.h"

#include <utility>

namespace lurk {

#ifdef __EMSCRIPTEN__
constexpr bool kHaveThreads = false;  // the wasm build has no pthreads
#else
constexpr bool kHaveThreads = true;
#endif

WriteBehindQueue::~WriteBehindQueue() {
  if (!worker_.joinable()) return;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void WriteBehindQueue::go_background() {
  if (!kHaveThreads) return;
  background_ = true;
  if (!worker_.joinable()) worker_ = std::thread([this] { run_worker(); });
}

void WriteBehindQueue::go_inline() {
  if (!background_) return;
  drain();
  background_ = false;
}

void WriteBehindQueue::rethrow_error_locked(std::unique_lock<std::mutex>&) {
  if (!error_) return;
  std::exception_ptr error = std::exchange(error_, nullptr);
  std::rethrow_exception(error);
}

void WriteBehindQueue::push(Job job) {
  if (!background_) {
    job();
    return;
  }
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return jobs_.size() < kMaxQueuedJobs || error_; });
  rethrow_error_locked(lock);
  jobs_.push_back(std::move(job));
  lock.unlock();
  changed_.notify_all();
}

void WriteBehindQueue::drain() {
  if (!background_) return;
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [this] { return jobs_.empty() && !running_job_; });
  rethrow_error_locked(lock);
}

void WriteBehindQueue::discard() {
  if (!background_) return;
  std::unique_lock<std::mutex> lock(mutex_);
  jobs_.clear();
  changed_.wait(lock, [this] { return !running_job_; });
  error_ = nullptr;
}

void WriteBehindQueue::run_worker() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    changed_.wait(lock, [this] { return !jobs_.empty() || stopping_; });
    if (jobs_.empty()) return;  // stopping, and nothing left to do
    Job job = std::move(jobs_.front());
    jobs_.pop_front();
    running_job_ = true;
    lock.unlock();
    std::exception_ptr failed;
    try {
      job();
    } catch (...) {
      failed = std::current_exception();
    }
    lock.lock();
    running_job_ = false;
    // After a failure the rest of the source is thrown away (the importer
    // sees the error at its next row and rolls back), so stop writing.
    if (failed) {
      if (!error_) error_ = failed;
      jobs_.clear();
    }
    changed_.notify_all();
  }
}

}  // namespace lurk
