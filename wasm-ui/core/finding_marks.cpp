#include "core/finding_marks.h"

#include <algorithm>

namespace lurk::ui {

void FindingMarks::build(const ProfileModel& model) {
  marks_.clear();
  const auto& connections = model.connections();
  for (size_t c = 0; c < connections.size(); ++c)
    for (int dir = 0; dir < 2 && connections[c].shown(); ++dir) {
      const auto& lane = connections[c].lanes[dir];
      for (size_t i = 0; i < lane.size(); ++i) {
        MarkKind kind = mark_kind(lane[i].analysis, lane[i].tcp_flags);
        if (kind <= MarkKind::WindowUpdate) continue;
        marks_.push_back({lane[i].t_ns, kind, uint32_t(connections[c].group),
                          {ItemKind::Packet, uint32_t(c * 2 + size_t(dir)), uint32_t(i)}});
      }
    }
  const auto& threads = model.threads();
  for (size_t t = 0; t < threads.size(); ++t) {
    bool has_exception = false;
    for (size_t i = 0; i < threads[t].instants.size(); ++i) {
      if (threads[t].instants[i].kind != InstantKind::Exception) continue;
      has_exception = true;
      marks_.push_back({threads[t].instants[i].t_ns, MarkKind::Exception,
                        uint32_t(threads[t].group), {ItemKind::Instant, uint32_t(t), uint32_t(i)}});
    }
    if (threads[t].failed && !has_exception)
      marks_.push_back({threads[t].end_ns, MarkKind::Exception, uint32_t(threads[t].group),
                        {ItemKind::Thread, uint32_t(t), 0}});
  }
  std::stable_sort(marks_.begin(), marks_.end(),
                   [](const FindingMark& a, const FindingMark& b) { return a.t_ns < b.t_ns; });
}

bool FindingMarks::in_scope(size_t i, int32_t group) const {
  return group < 0 || marks_[i].group == uint32_t(group);
}

int64_t FindingMarks::next(int64_t current, double t_ns, int32_t group) const {
  size_t n = marks_.size();
  size_t start;
  if (current >= 0 && size_t(current) < n && in_scope(size_t(current), group)) {
    start = size_t(current) + 1;
  } else {
    auto it = std::upper_bound(marks_.begin(), marks_.end(), t_ns,
                               [](double t, const FindingMark& m) { return t < double(m.t_ns); });
    start = size_t(it - marks_.begin());
  }
  for (size_t k = 0; k < n; ++k)
    if (size_t i = (start + k) % n; in_scope(i, group)) return int64_t(i);
  return -1;
}

int64_t FindingMarks::previous(int64_t current, double t_ns, int32_t group) const {
  int64_t n = int64_t(marks_.size());
  int64_t start;
  if (current >= 0 && current < n && in_scope(size_t(current), group)) {
    start = current - 1;
  } else {
    auto it = std::lower_bound(marks_.begin(), marks_.end(), t_ns,
                               [](const FindingMark& m, double t) { return double(m.t_ns) < t; });
    start = int64_t(it - marks_.begin()) - 1;
  }
  for (int64_t k = 0; k < n; ++k)
    if (int64_t i = ((start - k) % n + n) % n; in_scope(size_t(i), group)) return i;
  return -1;
}

int64_t FindingMarks::find(const ItemRef& item) const {
  for (size_t i = 0; i < marks_.size(); ++i)
    if (marks_[i].item == item) return int64_t(i);
  return -1;
}

std::vector<int64_t> FindingMarks::count_by_kind(double t0_ns, double t1_ns) const {
  std::vector<int64_t> counts(size_t(MarkKind::Count), 0);
  auto it = std::lower_bound(marks_.begin(), marks_.end(), t0_ns,
                             [](const FindingMark& m, double t) { return double(m.t_ns) < t; });
  for (; it != marks_.end() && double(it->t_ns) <= t1_ns; ++it) ++counts[size_t(it->kind)];
  return counts;
}

}  // namespace lurk::ui
