// See heap_pages.h.
#include "cli/heap_pages.h"

#include <cstdint>
#include <cstdlib>

// A sanitizer's allocator is not glibc's: leave it alone (gcc says so with
// __SANITIZE_*, clang with __has_feature).
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define LURK_SANITIZED_HEAP 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || \
    __has_feature(memory_sanitizer)
#define LURK_SANITIZED_HEAP 1
#endif
#endif

#if defined(__GLIBC__) && !defined(LURK_SANITIZED_HEAP)
#define LURK_HEAP_PAGES 1
#include <malloc.h>
#include <unistd.h>

#include "core/huge_pages.h"
#endif

namespace lurk::cli {

#ifdef LURK_HEAP_PAGES
namespace {

constexpr size_t kHugePage = size_t(2) << 20;
// The heap grows by at least this much at a time: room for a typical run's
// whole heap in one advised stretch (a larger heap grows on in small pages).
constexpr size_t kHeapStep = size_t(64) << 20;

}  // namespace

void use_huge_pages_for_heap() {
  // One arena: the write-behind thread's allocations (SQLite's page cache,
  // the rows it is handed) come from the same advised heap, not from a
  // thread arena of its own grown 128 KB at a time. Each thread's cache of
  // small blocks (tcache) keeps the shared lock off the hot paths.
  mallopt(M_ARENA_MAX, 1);
  mallopt(M_TOP_PAD, int(kHeapStep));
  mallopt(M_TRIM_THRESHOLD, int(2 * kHeapStep));
  // Batches and buffers up to a few MB live in the heap, not in mappings
  // of their own (each a fresh set of faults when made again).
  mallopt(M_MMAP_THRESHOLD, int(8 << 20));
  auto* before = static_cast<char*>(sbrk(0));
  // A block larger than what is left at the top makes the heap grow now, by
  // the block and the pad.
  // (volatile: a malloc freed at once may otherwise be left out entirely.)
  void* volatile block = std::malloc(kHugePage);
  std::free(block);
  auto* after = static_cast<char*>(sbrk(0));
  if (after > before) ui::advise_huge_pages(before, size_t(after - before));
}
#else
void use_huge_pages_for_heap() {}
#endif

}  // namespace lurk::cli
