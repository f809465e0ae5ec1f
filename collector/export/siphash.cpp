// SipHash-2-4: see siphash.h. Section 2 of the paper: four 64-bit state words
// initialised from the key and the constants "somepseudorandomlygeneratedbytes",
// c = 2 rounds per 8-byte message word, a last word holding the remaining bytes
// and the length mod 256 in its top byte, then d = 4 finalisation rounds.
#include "export/siphash.h"

namespace lurk {
namespace {

uint64_t rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

uint64_t load_le64(const uint8_t* p) {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

struct SipState {
  uint64_t v0, v1, v2, v3;
  void round() {
    v0 += v1; v1 = rotl(v1, 13); v1 ^= v0; v0 = rotl(v0, 32);
    v2 += v3; v3 = rotl(v3, 16); v3 ^= v2;
    v0 += v3; v3 = rotl(v3, 21); v3 ^= v0;
    v2 += v1; v1 = rotl(v1, 17); v1 ^= v2; v2 = rotl(v2, 32);
  }
  void compress(uint64_t m) {
    v3 ^= m;
    round();
    round();
    v0 ^= m;
  }
};

}  // namespace

SipKey sip_key_from_bytes(const uint8_t bytes[16]) {
  return {load_le64(bytes), load_le64(bytes + 8)};
}

uint64_t siphash24(const SipKey& key, const uint8_t* data, size_t size) {
  SipState s{key.k0 ^ 0x736f6d6570736575ULL, key.k1 ^ 0x646f72616e646f6dULL,
             key.k0 ^ 0x6c7967656e657261ULL, key.k1 ^ 0x7465646279746573ULL};
  size_t whole = size - size % 8;
  for (size_t i = 0; i < whole; i += 8) s.compress(load_le64(data + i));
  uint64_t last = uint64_t(size & 0xff) << 56;
  for (size_t i = whole; i < size; ++i) last |= uint64_t(data[i]) << (8 * (i - whole));
  s.compress(last);
  s.v2 ^= 0xff;
  for (int i = 0; i < 4; ++i) s.round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

}  // namespace lurk
