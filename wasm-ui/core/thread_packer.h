// Packs one group's threads into rows, the way mirage-trace-viewer laid out
// Lwt threads and Perfetto packs async slices: threads whose lifetimes do not
// overlap share a row. Rows are handed out depth-first over the creation
// tree, each thread trying first the row of the thread it continues (the one
// that became it, or the one it became), else its parent's row, and moving
// down while that row is taken; so a thread sits next to the threads it reads,
// wakes or became. Pure and deterministic (same input, same rows).
//
// Cost: each row keeps its lifetimes in an ordered map, so a probe is one
// O(log n) lookup; a thread probes at most `max_probes` rows before it opens a
// new row at the bottom, so packing n threads is O(n log n).
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
