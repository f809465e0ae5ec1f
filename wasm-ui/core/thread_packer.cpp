#include "core/thread_packer.h"

#include <algorithm>
#include <map>

namespace lurk::ui {
namespace {

// One row's lifetimes, disjoint, keyed by start; ends are then sorted too.
using RowIntervals = std::map<int64_t, int64_t>;

bool row_free(const RowIntervals& row, int64_t t0, int64_t t1) {
  auto after = row.upper_bound(t1);  // first lifetime starting after ours ends
  if (after == row.begin()) return true;
  return std::prev(after)->second < t0;  // the last one starting before ours must end before it
}

// Depth-first order over the creation tree: roots (and threads whose parent is
// outside the input, or in a cycle) by start time, children by start time.
std::vector<uint32_t> depth_first_order(std::span<const PackThread> threads) {
  size_t n = threads.size();
  auto earlier = [&](uint32_t a, uint32_t b) {
    return threads[a].t0_ns != threads[b].t0_ns ? threads[a].t0_ns < threads[b].t0_ns : a < b;
  };
  std::vector<std::vector<uint32_t>> children(n);
  std::vector<uint32_t> roots;
  for (uint32_t i = 0; i < n; ++i) {
    int32_t p = threads[i].parent;
    if (p >= 0 && size_t(p) < n && uint32_t(p) != i) children[size_t(p)].push_back(i);
    else roots.push_back(i);
  }
  for (auto& c : children) std::sort(c.begin(), c.end(), earlier);
  std::sort(roots.begin(), roots.end(), earlier);
  std::vector<uint32_t> order;
  order.reserve(n);
  std::vector<bool> seen(n, false);
  std::vector<uint32_t> stack;
  auto walk = [&](uint32_t root) {
    stack.push_back(root);
    while (!stack.empty()) {
      uint32_t t = stack.back();
      stack.pop_back();
      if (seen[t]) continue;
      seen[t] = true;
      order.push_back(t);
      // Pushed in reverse so the earliest child is visited first.
      for (auto it = children[t].rbegin(); it != children[t].rend(); ++it)
        if (!seen[*it]) stack.push_back(*it);
    }
  };
  for (uint32_t r : roots) walk(r);
  // Threads only reachable through a parent cycle (bad input): in input order.
  for (uint32_t i = 0; i < n; ++i)
    if (!seen[i]) walk(i);
  return order;
}

// Each row's latest end, in a tree of minima over row indices, so that "the
// first row at or after r whose threads all end before t" is one O(log n)
// descent. Rows not opened yet hold INT64_MIN: the search finds a new row
// when no open one is free.
class RowEnds {
 public:
  explicit RowEnds(size_t rows) {
    while (size_ < std::max<size_t>(rows, 1)) size_ *= 2;
    min_.assign(2 * size_, INT64_MIN);
  }
  void raise(size_t row, int64_t end) {
    size_t i = size_ + row;
    if (min_[i] >= end) return;
    min_[i] = end;
    for (i /= 2; i >= 1; i /= 2) min_[i] = std::min(min_[2 * i], min_[2 * i + 1]);
  }
  // First row >= from whose latest end is < t (size() when none).
  size_t first_free(size_t from, int64_t t) const { return descend(1, 0, size_, from, t); }

 private:
  size_t descend(size_t node, size_t lo, size_t hi, size_t from, int64_t t) const {
    if (hi <= from || min_[node] >= t) return size_;
    if (hi - lo == 1) return lo;
    size_t mid = (lo + hi) / 2;
    size_t left = descend(2 * node, lo, mid, from, t);
    return left != size_ ? left : descend(2 * node + 1, mid, hi, from, t);
  }
  size_t size_ = 1;
  std::vector<int64_t> min_;
};

}  // namespace

ThreadPacking pack_threads(std::span<const PackThread> threads, int max_probes) {
  size_t n = threads.size();
  ThreadPacking out;
  out.row_of.assign(n, 0);
  constexpr uint32_t kUnplaced = UINT32_MAX;
  std::vector<uint32_t> row(n, kUnplaced);
  // The thread that became each thread (its predecessor), when there is one.
  std::vector<int32_t> became_from(n, -1);
  for (size_t i = 0; i < n; ++i) {
    int32_t b = threads[i].became;
    if (b >= 0 && size_t(b) < n && size_t(b) != i && became_from[size_t(b)] < 0)
      became_from[size_t(b)] = int32_t(i);
  }
  auto placed_row = [&](int32_t t) -> int64_t {
    return t >= 0 && size_t(t) < n && row[size_t(t)] != kUnplaced ? int64_t(row[size_t(t)]) : -1;
  };
  std::vector<RowIntervals> rows;
  RowEnds ends(n);
  for (uint32_t t : depth_first_order(threads)) {
    const PackThread& p = threads[t];
    int64_t t0 = p.t0_ns, t1 = std::max(p.t1_ns, p.t0_ns);
    int64_t preferred = placed_row(became_from[t]);
    if (preferred < 0) preferred = placed_row(p.became);
    if (preferred < 0) preferred = placed_row(p.parent);
    if (preferred < 0) preferred = 0;
    // The preferred row, then down while taken (gaps between lifetimes count)...
    uint32_t r = uint32_t(preferred);
    int probes = 0;
    while (r < rows.size() && !row_free(rows[r], t0, t1) && ++probes < max_probes) ++r;
    // ...then, crowded, the first row from the top whose threads have all ended
    // by then (rows freed by threads that are over), else a new row.
    if (r >= rows.size() || !row_free(rows[r], t0, t1)) {
      r = uint32_t(ends.first_free(size_t(preferred), t0));
      if (r >= rows.size()) r = uint32_t(ends.first_free(0, t0));
    }
    if (r >= rows.size()) rows.resize(r + 1);
    rows[r].emplace(t0, t1);
    ends.raise(r, t1);
    row[t] = r;
  }
  out.row_of = std::move(row);
  out.rows = uint32_t(rows.size());
  return out;
}

}  // namespace lurk::ui
