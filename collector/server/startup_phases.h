// The phases of `lurk view --native`'s start-up, timed (wall and this
// process's CPU), so that the time from start to the first frame can be
// broken down: `lurk view --timings` prints them on stderr and `/native`
// answers them as "loadPhases" (bench/native_bench.py records them).
#pragma once

#include <time.h>

#include <chrono>
#include <string>
#include <vector>

namespace lurk::server {

struct StartupPhase {
  std::string name;
  double wall_seconds = 0, cpu_seconds = 0;
};

class StartupPhases {
 public:
  // `this_thread`: CPU time of the calling thread only (a phase run on a
  // thread of its own while the process does other work), else the process's.
  explicit StartupPhases(bool this_thread = false) : clock_(this_thread ? CLOCK_THREAD_CPUTIME_ID : CLOCK_PROCESS_CPUTIME_ID) {
    restart();
  }
  // Ends the phase that began at the last mark (or construction) as `name`.
  void mark(std::string name) {
    auto wall = std::chrono::steady_clock::now();
    double cpu = cpu_now();
    phases_.push_back({std::move(name), std::chrono::duration<double>(wall - wall_).count(), cpu - cpu_});
    wall_ = wall;
    cpu_ = cpu;
  }
  void restart() {
    wall_ = std::chrono::steady_clock::now();
    cpu_ = cpu_now();
  }
  const std::vector<StartupPhase>& phases() const { return phases_; }

 private:
  double cpu_now() const {
    timespec ts{};
    clock_gettime(clock_, &ts);
    return double(ts.tv_sec) + double(ts.tv_nsec) / 1e9;
  }
  clockid_t clock_;
  std::chrono::steady_clock::time_point wall_;
  double cpu_ = 0;
  std::vector<StartupPhase> phases_;
};

}  // namespace lurk::server
