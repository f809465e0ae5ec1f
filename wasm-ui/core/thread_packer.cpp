#include "core/thread_packer.h"

#include <algorithm>
#include <cstdint>

namespace lurk::ui {
namespace {

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
// first row in [from, to) whose threads all end before t" is one O(log n)
// descent.
class RowEnds {
 public:
  explicit RowEnds(size_t rows) {
    while (size_ < std::max<size_t>(rows, 1)) size_ *= 2;
    min_.assign(2 * size_, INT64_MAX);
  }
  void set(size_t row, int64_t end) {
    size_t i = size_ + row;
    min_[i] = end;
    for (i /= 2; i >= 1; i /= 2) min_[i] = std::min(min_[2 * i], min_[2 * i + 1]);
  }
  // First row in [from, to) whose latest end is < t (SIZE_MAX when none).
  size_t first_free(size_t from, size_t to, int64_t t) const {
    return descend(1, 0, size_, from, to, t);
  }

 private:
  size_t descend(size_t node, size_t lo, size_t hi, size_t from, size_t to, int64_t t) const {
    if (hi <= from || lo >= to || min_[node] >= t) return SIZE_MAX;
    if (hi - lo == 1) return lo;
    size_t mid = (lo + hi) / 2;
    size_t left = descend(2 * node, lo, mid, from, to, t);
    return left != SIZE_MAX ? left : descend(2 * node + 1, mid, hi, from, to, t);
  }
  size_t size_ = 1;
  std::vector<int64_t> min_;
};

}  // namespace

ThreadPacking pack_threads(std::span<const PackThread> threads) {
  size_t n = threads.size();
  ThreadPacking out;
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
  // By start time, ties in depth-first order (a parent before its children):
  // every row's threads then all start by the current one's start, so a row is
  // free exactly when its latest end is before that start.
  std::vector<uint32_t> rank(n);
  {
    std::vector<uint32_t> dfs = depth_first_order(threads);
    for (uint32_t k = 0; k < n; ++k) rank[dfs[k]] = k;
  }
  std::vector<uint32_t> order(n);
  for (uint32_t i = 0; i < n; ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return threads[a].t0_ns != threads[b].t0_ns ? threads[a].t0_ns < threads[b].t0_ns
                                                : rank[a] < rank[b];
  });
  RowEnds ends(n);
  size_t opened = 0;
  for (uint32_t t : order) {
    const PackThread& p = threads[t];
    int64_t t0 = p.t0_ns, t1 = std::max(p.t1_ns, p.t0_ns);
    int64_t preferred = placed_row(became_from[t]);
    if (preferred < 0) preferred = placed_row(p.became);
    if (preferred < 0) preferred = placed_row(p.parent);
    if (preferred < 0) preferred = 0;
    // The preferred row, else the first free one below it, else the first free
    // one above it, else a new row at the bottom.
    size_t r = ends.first_free(size_t(preferred), opened, t0);
    if (r == SIZE_MAX) r = ends.first_free(0, opened, t0);
    if (r == SIZE_MAX) r = opened++;
    ends.set(r, t1);
    row[t] = uint32_t(r);
  }
  out.row_of = std::move(row);
  out.rows = uint32_t(opened);
  return out;
}

}  // namespace lurk::ui
