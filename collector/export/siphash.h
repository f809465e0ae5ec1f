// SipHash-2-4 (Aumasson and Bernstein, "SipHash: a fast short-input PRF",
// 2012): the keyed pseudo-random function behind anonymised export. Written
// from the paper so that it builds the same natively and in WebAssembly (no
// OpenSSL there); tests/unit/anonymize_prf_test.cpp checks the paper's and
// the reference implementation's test vectors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace lurk {

// A 128-bit SipHash key as the paper reads it: k0 from key bytes 0..7 and k1
// from bytes 8..15, both little-endian.
struct SipKey {
  uint64_t k0 = 0, k1 = 0;
  bool operator==(const SipKey&) const = default;
};

// SipKey from 16 key bytes (the paper's byte order).
SipKey sip_key_from_bytes(const uint8_t bytes[16]);

// SipHash-2-4 of `size` bytes at `data` under `key`: 64 bits.
uint64_t siphash24(const SipKey& key, const uint8_t* data, size_t size);

inline uint64_t siphash24(const SipKey& key, std::string_view bytes) {
  return siphash24(key, reinterpret_cast<const uint8_t*>(bytes.data()), bytes.size());
}

}  // namespace lurk
