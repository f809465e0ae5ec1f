// SeverityPyramid (severity_pyramid.h): built, appended to, asked, kept.
#include "core/severity_pyramid.h"

#include <algorithm>

namespace lurk::ui {

void SeverityPyramid::build(std::vector<uint8_t> level0) {
  levels_.clear();
  levels_.push_back(std::move(level0));
  while (levels_.back().size() > 1) {
    const std::vector<uint8_t>& below = levels_.back();
    std::vector<uint8_t> above((below.size() + 1) / 2);
    for (size_t i = 0; i < above.size(); ++i) {
      uint8_t a = below[2 * i];
      uint8_t b = 2 * i + 1 < below.size() ? below[2 * i + 1] : 0;
      above[i] = std::max(a, b);
    }
    levels_.push_back(std::move(above));
  }
}

void SeverityPyramid::append(const std::vector<uint8_t>& more) {
  if (more.empty()) return;
  if (levels_.empty()) levels_.emplace_back();
  size_t changed = levels_[0].size();  // first index whose value is new, per level
  levels_[0].insert(levels_[0].end(), more.begin(), more.end());
  for (size_t level = 0; levels_[level].size() > 1; ++level) {
    if (level + 1 == levels_.size()) levels_.emplace_back();
    const std::vector<uint8_t>& below = levels_[level];
    std::vector<uint8_t>& above = levels_[level + 1];
    above.resize((below.size() + 1) / 2);
    for (size_t i = changed / 2; i < above.size(); ++i) {
      uint8_t a = below[2 * i];
      uint8_t b = 2 * i + 1 < below.size() ? below[2 * i + 1] : 0;
      above[i] = std::max(a, b);
    }
    changed /= 2;
  }
}

uint8_t SeverityPyramid::max(size_t begin, size_t end) const {
  if (levels_.empty()) return 0;
  end = std::min(end, levels_[0].size());
  uint8_t worst = 0;
  // Walk up: take the odd item at either edge, then halve both bounds.
  for (size_t level = 0; begin < end && level < levels_.size(); ++level) {
    const std::vector<uint8_t>& v = levels_[level];
    if (begin & 1) worst = std::max(worst, v[begin++]);
    if (end & 1) worst = std::max(worst, v[--end]);
    begin /= 2;
    end /= 2;
  }
  return worst;
}

std::vector<size_t> SeverityPyramid::level_sizes(size_t items) {
  std::vector<size_t> sizes{items};
  while (sizes.back() > 1) sizes.push_back((sizes.back() + 1) / 2);
  return sizes;
}

bool SeverityPyramid::adopt(std::vector<std::vector<uint8_t>> levels) {
  levels_.clear();
  if (levels.empty()) return false;
  std::vector<size_t> sizes = level_sizes(levels[0].size());
  if (sizes.size() != levels.size()) return false;
  for (size_t i = 0; i < sizes.size(); ++i)
    if (levels[i].size() != sizes[i]) return false;
  levels_ = std::move(levels);
  return true;
}

size_t SeverityPyramid::memory_bytes() const {
  size_t bytes = 0;
  for (const auto& level : levels_) bytes += level.capacity();
  return bytes;
}

}  // namespace lurk::ui
