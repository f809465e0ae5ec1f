// Asks the kernel to back a big, freshly allocated array with huge pages
// (Linux transparent huge pages, when set to "madvise"), so that filling it
// faults in 2 MB at a time instead of 4 KB: on the VMs lurk was measured on,
// a page fault costs ~20 µs, and the 64 MB of flows a 100M-event profile's
// open copies were 16k of them (bench/RESULTS.md). Native only; a no-op in
// the page (WebAssembly memory has no pages to advise) and for small arrays.
#pragma once

#include <cstddef>
#include <cstdint>

#if defined(__linux__) && !defined(__EMSCRIPTEN__)
#include <sys/mman.h>
#endif

namespace lurk::ui {

inline void advise_huge_pages([[maybe_unused]] void* begin, [[maybe_unused]] size_t bytes) {
#if defined(__linux__) && !defined(__EMSCRIPTEN__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t(2) << 20;
  if (bytes < 2 * kHuge) return;
  uintptr_t first = (reinterpret_cast<uintptr_t>(begin) + kHuge - 1) & ~(kHuge - 1);
  uintptr_t last = (reinterpret_cast<uintptr_t>(begin) + bytes) & ~(kHuge - 1);
  if (last > first) ::madvise(reinterpret_cast<void*>(first), last - first, MADV_HUGEPAGE);  // advice only
#endif
}

}  // namespace lurk::ui
