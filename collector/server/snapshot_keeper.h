// The copies of a profile `lurk view` serves as /trace.lurk (docs/server.md,
// "Snapshots of a changing profile"): the current one, and a thread of its
// own that takes the next when the file changed (lurk collect appending, a
// re-ingest), so that copying a large profile never holds up the poll loop
// that answers every client. Each response pins the copy it streams (its
// unlinked temporary file lives until the last reader is done); a slow
// reader can pin one for long, so at most `max_copies` copies exist at once:
// while that many are pinned, no new copy is taken and the current one goes
// on being served (a little older) until a reader finishes.
#pragma once

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "server/profile_snapshot.h"

namespace lurk::server {

class SnapshotKeeper {
 public:
  SnapshotKeeper(std::filesystem::path profile, std::filesystem::path temp_dir,
                 size_t max_copies = 3,
                 std::chrono::milliseconds look_every = std::chrono::milliseconds(500));
  ~SnapshotKeeper();  // stops the copying thread
  SnapshotKeeper(const SnapshotKeeper&) = delete;
  SnapshotKeeper& operator=(const SnapshotKeeper&) = delete;

  // Takes the first copy here, waiting up to `busy_wait` for a writer's lock
  // (before any client is served). Throws with the reason.
  void take_first(std::chrono::milliseconds busy_wait);
  // The copy to serve now (null when none could be made yet: `error()`
  // says why). Never waits for a copy: when the file changed since the
  // current one (looked at most twice a second), the thread is asked for a
  // new one, which later calls get.
  std::shared_ptr<const ProfileSnapshot> current();
  // The next current() looks at the file whatever the time since the last
  // look: the follow endpoint told a page the profile changed other than by
  // appending (a reset), and the page asks for the profile whole next. Served
  // a copy up to half a second older, the page was told "reset" again by its
  // next delta, and fetched the profile whole again, in a loop, until a look
  // came (101 fetches in a test; a large profile many times over).
  void look_now();
  std::string error() const;
  // A fresher copy is asked for or being made: a request that came after
  // the profile changed may wait for it (HttpResponse::defer) rather than
  // get the older one.
  bool refreshing() const;
  // Copies that exist now (the current one and those readers still pin).
  size_t copies() const;
  // For tests: blocks until the thread is idle (no copy asked for or under way).
  void wait_idle();

 private:
  void run();
  size_t alive_copies_locked() const;

  const std::filesystem::path profile_, temp_dir_;
  const size_t max_copies_;
  const std::chrono::milliseconds look_every_;  // a changed file is noticed this often
  mutable std::mutex mutex_;
  std::condition_variable wake_, idle_;
  std::shared_ptr<const ProfileSnapshot> current_;
  std::vector<std::weak_ptr<const ProfileSnapshot>> handed_out_;
  std::chrono::steady_clock::time_point last_look_{};
  bool look_asked_ = false;  // look_now: the next current() looks
  std::string error_;
  bool wanted_ = false, copying_ = false, stopping_ = false, said_full_ = false;
  std::thread thread_;
};

}  // namespace lurk::server
