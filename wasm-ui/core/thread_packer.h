// Packs one group's threads into rows, the way mirage-trace-viewer laid out
// Lwt threads and Perfetto packs async slices: threads whose lifetimes do not
// overlap share a row. Threads are placed by start time (ties: depth-first
// over the creation tree, a parent before its children), each trying first
// the row of the thread it continues (the one that became it, or the one it
// became), else its parent's row; when that row is taken, the first free row
// below it, else the first free row above it, else a new row. So a thread
// sits next to (mostly below) the threads it reads, wakes or became, and the
// rows are as few as they can be: a new row opens only when every row is
// busy, so the row count is the most threads alive at once. Pure and
// deterministic.
//
// Cost: each row's latest end sits in a tree of minima (the first free row in
// a range is one O(log n) descent): packing n threads is O(n log n).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

namespace lurk::ui {

struct PackThread {
  int64_t t0_ns = 0, t1_ns = 0;  // lifetime, inclusive; t1 < t0 is read as t1 = t0
  int32_t parent = -1;           // index in the input of the creating thread, -1: none
  int32_t became = -1;           // index in the input of the thread this one became, -1: none
};

struct ThreadPacking {
  std::vector<uint32_t> row_of;  // per input thread
  uint32_t rows = 0;
};

ThreadPacking pack_threads(std::span<const PackThread> threads);

}  // namespace lurk::ui
