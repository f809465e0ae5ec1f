// Keeps a file mapped read-only from killing the process when another
// process truncates it in place while it is read (the lane store of `lurk
// view --native`, lane_store.h, lives in the user's cache directory, where
// any of the user's processes can cut it short). Reading a mapped page that
// lies past the file's new end raises SIGBUS, whose default action ends the
// process; a size check before each frame narrows that to a race, and this
// guard closes the race: a SIGBUS handler that, for an address inside a
// guarded mapping, maps a page of zeros over the page that was cut off
// (mmap MAP_FIXED, one system call) and marks the mapping as faulted, then
// returns, so the read that faulted is done again and reads zeros. The
// reader checks faulted() after each read and throws away what it read (the
// lane is then read from the profile): no jump out of a copy, no C++ frame
// skipped. A SIGBUS at any other address is left to the handler that was
// there before (or the default action: the process ends as it would have).
#pragma once

#include <cstddef>

namespace lurk::server {

class TruncationGuard {
 public:
  // Guards [begin, begin + size), a read-only mapping the caller unmaps
  // after this guard is gone. At most kSlots mappings at once; past that the
  // mapping is not guarded (guarded() false) and reading it after a
  // truncation ends the process as before.
  TruncationGuard(const void* begin, size_t size);
  ~TruncationGuard();
  TruncationGuard(const TruncationGuard&) = delete;
  TruncationGuard& operator=(const TruncationGuard&) = delete;

  bool guarded() const { return slot_ >= 0; }
  // Whether a read of the mapping found a page past the file's end (its
  // reads since returned zeros there). Sticky.
  bool faulted() const;

  static constexpr int kSlots = 8;

 private:
  int slot_ = -1;
};

}  // namespace lurk::server
