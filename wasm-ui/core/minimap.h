// The minimap: the whole trace squeezed into a fixed number of bins, each
// with how many things happen there and the worst mark kind it holds, so a
// red or orange sliver shows where to look. Built once per profile, and
// grown with each follow update by the rows it added (append).
//
// A bin's width is a power of two of nanoseconds, the smallest with the
// profile's duration short of kBins bins: the bins keep their edges as a
// followed profile grows, and when it outgrows them they merge in pairs, so a
// minimap appended to is exactly the one built after the same rows. The bins
// past the duration are empty (between half and all of them are used).
#pragma once

#include <cstdint>
#include <vector>

#include "core/mark_style.h"
#include "core/profile_model.h"

namespace lurk::ui {

struct MinimapBin {
  uint32_t count = 0;
  MarkKind worst = MarkKind::Normal;
  bool operator==(const MinimapBin&) const = default;
};

class Minimap {
 public:
  static constexpr size_t kBins = 1024;
  void build(const ProfileModel& model);
  // After model.append() said yes: the rows it added binned (their number,
  // not the profile's, is the cost; plus the threads, for the failed ones).
  void append(const ProfileModel& model);
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
  double start_ns() const { return 0; }
  double end_ns() const { return end_; }  // the profile's duration (at least 1)
  double bin_ns() const { return bin_ns_; }
  uint32_t max_count() const { return max_count_; }
  size_t bin_of(double t_ns) const;
  // The bin width for a duration (see above).
  static double bin_width(double duration_ns);

 private:
  void add(int64_t t_ns, MarkKind kind);
  void widen_to(double bin_ns);
  // The lanes' events; bins_ is these and the failed threads' ends (which
  // move with the end of a thread still open, so are added anew each time).
  std::vector<MinimapBin> event_bins_;
  std::vector<MinimapBin> bins_;
  std::vector<int64_t> failures_;
  double end_ = 1, bin_ns_ = 1;
  uint32_t max_count_ = 0;
};

}  // namespace lurk::ui
