#include "ingest/content_hash.h"

#include <cstdio>
#include <algorithm>
#include <cstring>
#include <vector>

#include "ingest/byte_source.h"

namespace lurk {
namespace {

uint64_t rotate_left(uint64_t x, int bits) { return (x << bits) | (x >> (64 - bits)); }

// Final avalanche so that every input bit affects every output bit.
uint64_t finalize(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

constexpr uint64_t kMultipliers[4] = {0x9e3779b97f4a7c15ULL, 0xc2b2ae3d27d4eb4fULL,
                                     0x165667b19e3779f9ULL, 0x27d4eb2f165667c5ULL};

}  // namespace

// Four independent lanes, one 8-byte word each per 32-byte block: the
// multiplies of one block do not wait on each other, which makes the digest
// cheap next to reading the file (it runs while an importer reads).
void ContentHasher::mix_block(uint64_t* lanes, const uint8_t* block) {
  for (size_t i = 0; i < kLanes; ++i) {
    uint64_t word;
    std::memcpy(&word, block + 8 * i, 8);
    lanes[i] = rotate_left((lanes[i] ^ word) * kMultipliers[i], 31);
  }
}

void ContentHasher::update(const uint8_t* data, size_t size) {
  length_ += size;
  if (tail_size_ > 0) {
    size_t take = std::min(size, kBlock - tail_size_);
    std::memcpy(tail_ + tail_size_, data, take);
    tail_size_ += take;
    data += take;
    size -= take;
    if (tail_size_ < kBlock) return;
    mix_block(lanes_, tail_);
    tail_size_ = 0;
  }
  // The bulk of the bytes with the lanes in four locals, the block written
  // out: as members (or an array) the compiler stores and reloads them around
  // every block, the input bytes being free to alias them: 1.5 instructions
  // a byte instead of ~0.6 (bench/RESULTS.md, pcap12). Same digest.
  uint64_t a = lanes_[0], b = lanes_[1], c = lanes_[2], d = lanes_[3];
  for (; size >= kBlock; data += kBlock, size -= kBlock) {
    uint64_t w0, w1, w2, w3;
    std::memcpy(&w0, data, 8);
    std::memcpy(&w1, data + 8, 8);
    std::memcpy(&w2, data + 16, 8);
    std::memcpy(&w3, data + 24, 8);
    a = rotate_left((a ^ w0) * kMultipliers[0], 31);
    b = rotate_left((b ^ w1) * kMultipliers[1], 31);
    c = rotate_left((c ^ w2) * kMultipliers[2], 31);
    d = rotate_left((d ^ w3) * kMultipliers[3], 31);
  }
  lanes_[0] = a, lanes_[1] = b, lanes_[2] = c, lanes_[3] = d;
  std::memcpy(tail_, data, size);
  tail_size_ = size;
}

std::string ContentHasher::hex() const {
  uint64_t last = length_;
  for (size_t i = 0; i < tail_size_; ++i) last = last * 257 + tail_[i] + 1;
  uint64_t a = finalize(lanes_[0] ^ rotate_left(lanes_[2], 21) ^ last);
  uint64_t b = finalize(lanes_[1] ^ rotate_left(lanes_[3], 43) ^ rotate_left(last, 17) ^ a);
  char out[33];
  std::snprintf(out, sizeof out, "%016llx%016llx", static_cast<unsigned long long>(a),
                static_cast<unsigned long long>(b));
  return out;
}

std::string hash_source(ByteSource& source) {
  ContentHasher hasher;
  std::vector<uint8_t> buffer(1 << 20);
  while (size_t got = source.read(buffer.data(), buffer.size())) hasher.update(buffer.data(), got);
  return hasher.hex();
}

}  // namespace lurk
