// A fast 128-bit content digest, used to recognise a source that was already
// ingested into a profile. Not cryptographic: it guards against accidents
// (the same file given twice), not against an adversary.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lurk {

class ByteSource;

class ContentHasher {
 public:
  void update(const uint8_t* data, size_t size);
  // Hex digest of everything given to update(), 32 characters.
  std::string hex() const;

 private:
  static constexpr size_t kLanes = 4;
  static constexpr size_t kBlock = 8 * kLanes;
  static void mix_block(uint64_t* lanes, const uint8_t* block);
  uint64_t lanes_[kLanes] = {0x243f6a8885a308d3ULL, 0x13198a2e03707344ULL, 0xa4093822299f31d0ULL,
                             0x082efa98ec4e6c89ULL};
  uint64_t length_ = 0;
  uint8_t tail_[kBlock] = {};
  size_t tail_size_ = 0;
};

// Reads the source to its end and returns its digest.
std::string hash_source(ByteSource& source);

}  // namespace lurk
