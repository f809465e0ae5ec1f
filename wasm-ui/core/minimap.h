// The minimap: the whole trace squeezed into a fixed number of bins, each
// with how many things happen there and the worst mark kind it holds, so a
// red or orange sliver shows where to look. Built once per profile.
#pragma once

#include <cstdint>
#include <vector>

#include "core/mark_style.h"
#include "core/profile_model.h"

namespace lurk::ui {

struct MinimapBin {
  uint32_t count = 0;
  MarkKind worst = MarkKind::Normal;
};

class Minimap {
 public:
  static constexpr size_t kBins = 1024;
  void build(const ProfileModel& model);
  // The same built a lane at a time (a lazy model holds one at a time):
  // begin, add every connection and thread, finish.
  void begin(const ProfileModel& model);
  void add_connection(const ConnectionLanes& connection);
  void add_thread(const ThreadLane& thread);
  void finish();
  // Server-backed viewing: the bins lurk view built on the whole profile
  // (GET /native's `minimap`), the page's outline having no events to bin.
  // Fewer or more than kBins bins leave the minimap empty.
  void adopt(const std::vector<MinimapBin>& bins, double duration_ns);
  const std::vector<MinimapBin>& bins() const { return bins_; }
  double start_ns() const { return start_; }
  double end_ns() const { return end_; }
  uint32_t max_count() const { return max_count_; }
  size_t bin_of(double t_ns) const;

 private:
  std::vector<MinimapBin> bins_;
  double start_ = 0, end_ = 1;
  uint32_t max_count_ = 0;
  void add(int64_t t_ns, MarkKind kind);
};

}  // namespace lurk::ui
