// Packs one group's threads into rows, the way mirage-trace-viewer laid out
// Lwt threads and Perfetto packs async slices: threads whose lifetimes do not
// overlap share a row. Rows are handed out depth-first over the creation
// tree, each thread trying first the row of the thread it continues (the one
// that became it, or the one it became), else its parent's row, and moving
// down while that row is taken; when crowded (after `max_probes` rows), it
// takes the first row below whose threads have all ended by its start, else
// the first such row from the top (a chain of promises each created while
// the last runs would otherwise walk down a staircase), else a new row. So a
// thread sits next to the threads it reads, wakes or became, and rows freed
// by finished threads are reused. Pure and deterministic.
//
// Cost: each row keeps its lifetimes in an ordered map (a probe is one
// O(log n) lookup), and each row's latest end sits in a tree of minima (the
// first free row is one O(log n) descent): packing n threads is O(n log n).
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

ThreadPacking pack_threads(std::span<const PackThread> threads, int max_probes = 64);

}  // namespace lurk::ui
