// The copies of a profile the server serves: see snapshot_keeper.h.
#include "server/snapshot_keeper.h"

#include <algorithm>
#include <iostream>

namespace lurk::server {
namespace {

}  // namespace

SnapshotKeeper::SnapshotKeeper(std::filesystem::path profile, std::filesystem::path temp_dir,
                               size_t max_copies, std::chrono::milliseconds look_every)
    : profile_(std::move(profile)), temp_dir_(std::move(temp_dir)),
      max_copies_(std::max<size_t>(max_copies, 1)), look_every_(look_every),
      thread_([this] { run(); }) {}

SnapshotKeeper::~SnapshotKeeper() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void SnapshotKeeper::take_first(std::chrono::milliseconds busy_wait) {
  auto first = ProfileSnapshot::take(profile_, temp_dir_, busy_wait);
  std::lock_guard<std::mutex> lock(mutex_);
  current_ = std::move(first);
  last_look_ = std::chrono::steady_clock::now();
}

std::shared_ptr<const ProfileSnapshot> SnapshotKeeper::current() {
  std::lock_guard<std::mutex> lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  // A look asked for (look_now) waits for a copy under way, which may be
  // older than what made it ask, then happens whatever the time.
  if (!copying_ && !wanted_ && (look_asked_ || now - last_look_ >= look_every_)) {
    last_look_ = now;
    look_asked_ = false;
    // A stat per look, on the loop: cheap next to a copy. While readers pin
    // every copy there may be, none is asked for (and none is waited for).
    if (!current_ || signature_of(profile_) != current_->source()) {
      std::erase_if(handed_out_, [](const auto& weak) { return weak.expired(); });
      if (alive_copies_locked() < max_copies_) {
        wanted_ = true;
        said_full_ = false;
        wake_.notify_one();
      } else if (!said_full_) {
        said_full_ = true;
        std::cerr << "lurk: " << max_copies_ << " copies of the profile are still being read; "
                  << "the current one is served until a reader finishes\n";
      }
    }
  }
  // One handle per copy handed out (not per request), the finished ones forgotten.
  if (current_ && (handed_out_.empty() || handed_out_.back().lock() != current_)) {
    std::erase_if(handed_out_, [](const auto& weak) { return weak.expired(); });
    handed_out_.push_back(current_);
  }
  return current_;
}

void SnapshotKeeper::look_now() {
  std::lock_guard<std::mutex> lock(mutex_);
  look_asked_ = true;
}

bool SnapshotKeeper::refreshing() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return wanted_ || copying_;
}

std::string SnapshotKeeper::error() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return error_;
}

size_t SnapshotKeeper::copies() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return alive_copies_locked();
}

// The distinct copies alive: the current one and those readers still pin.
size_t SnapshotKeeper::alive_copies_locked() const {
  std::vector<const ProfileSnapshot*> alive;
  if (current_) alive.push_back(current_.get());
  for (const auto& weak : handed_out_)
    if (auto copy = weak.lock(); copy && std::find(alive.begin(), alive.end(), copy.get()) == alive.end())
      alive.push_back(copy.get());
  return alive.size();
}

void SnapshotKeeper::wait_idle() {
  std::unique_lock<std::mutex> lock(mutex_);
  idle_.wait(lock, [this] { return !wanted_ && !copying_; });
}

void SnapshotKeeper::run() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || wanted_; });
    if (stopping_) return;
    wanted_ = false;
    if (alive_copies_locked() >= max_copies_) {  // pinned since it was asked for
      idle_.notify_all();
      continue;  // asked again at the next look
    }
    copying_ = true;
    lock.unlock();
    std::shared_ptr<const ProfileSnapshot> fresh;
    std::string why;
    try {
      // No waiting for a writer's lock: the next look tries again.
      fresh = ProfileSnapshot::take(profile_, temp_dir_, std::chrono::milliseconds(0));
    } catch (const std::exception& e) {
      why = e.what();
    }
    lock.lock();
    copying_ = false;
    if (fresh) {
      current_ = std::move(fresh);
      error_.clear();
      // The next look counts from here: a request waiting for this copy gets
      // it, not a wait for the one after.
      last_look_ = std::chrono::steady_clock::now();
    } else if (why != error_) {
      if (current_) std::cerr << "lurk: serving the previous copy of the profile: " << why << "\n";
      error_ = why;
    }
    idle_.notify_all();
  }
}

}  // namespace lurk::server
