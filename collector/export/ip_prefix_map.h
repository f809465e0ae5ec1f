// Prefix-preserving address anonymisation (the construction of Crypto-PAn:
// Xu, Fan, Ammar, Moon, "Prefix-preserving IP address anonymization", 2002)
// with SipHash-2-4 as the keyed pseudo-random function. Output bit i is input
// bit i XOR one bit of SipHash(key, the input's first i bits), so two
// addresses that share exactly their first k bits map to two addresses that
// share exactly their first k bits: subnets stay subnets, hosts stay apart.
// The map is a bijection on each family; without the key nobody can compute
// it or invert it. docs/sharing.md says what it still reveals.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "export/siphash.h"
#include "net/tcp_segment.h"

namespace lurk {

class IpPrefixMap {
 public:
  explicit IpPrefixMap(const SipKey& key) : key_(key) {}

  // The anonymised address (same family). Results are cached: one profile
  // names few distinct addresses.
  IpAddress map(const IpAddress& address);

  // Textual form in, textual form out (IpAddress::to_string); nullopt when
  // `text` is not an IPv4 or IPv6 address. Brackets are kept.
  std::optional<std::string> map_text(std::string_view text);

  // The pseudo-random bit for a prefix: the PRF input is one byte for the
  // family (4 or 6), one byte for the prefix length in bits, then the
  // address bytes with every bit from `prefix_bits` on cleared.
  bool prf_bit(const IpAddress& address, int prefix_bits) const;

 private:
  SipKey key_;
  std::map<std::pair<uint8_t, std::array<uint8_t, 16>>, IpAddress> cache_;
};

}  // namespace lurk
