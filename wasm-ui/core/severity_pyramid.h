// The worst (highest) severity over any index range of a lane in O(log n):
// level 0 holds one byte per item, each level above the max of two below.
// Level-of-detail blocks ask it for the worst kind they hold, so merging a
// block costs the same whether it holds ten marks or ten million.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace lurk::ui {

class SeverityPyramid {
 public:
  void build(std::vector<uint8_t> level0);
  // Items added at the end: the same pyramid as build() of all of them, at
  // the cost of the new items (each level recomputes only its new tail).
  void append(const std::vector<uint8_t>& more);
  // Max over [begin, end); 0 for an empty range.
  uint8_t max(size_t begin, size_t end) const;
  size_t size() const { return levels_.empty() ? 0 : levels_[0].size(); }
  size_t memory_bytes() const;

  // The levels, level 0 first: what server-backed viewing's lane store
  // (collector/server/lane_store.h) keeps, so that a lane read back from it
  // takes its pyramid as is instead of building it again.
  const std::vector<std::vector<uint8_t>>& levels() const { return levels_; }
  // The size of each level build() makes of `items` items.
  static std::vector<size_t> level_sizes(size_t items);
  // Takes levels kept from levels(); false (the pyramid left empty) when
  // their sizes are not level_sizes() of the first's.
  bool adopt(std::vector<std::vector<uint8_t>> levels);

 private:
  std::vector<std::vector<uint8_t>> levels_;
};

}  // namespace lurk::ui
