// Prefix-preserving address map: see ip_prefix_map.h.
#include "export/ip_prefix_map.h"

#include "join/endpoint.h"

namespace lurk {
namespace {

bool bit_of(const std::array<uint8_t, 16>& bytes, int i) {
  return (bytes[i / 8] >> (7 - i % 8)) & 1;
}

}  // namespace

bool IpPrefixMap::prf_bit(const IpAddress& address, int prefix_bits) const {
  int address_bytes = address.family == 6 ? 16 : 4;
  uint8_t message[18] = {address.family, uint8_t(prefix_bits)};
  for (int i = 0; i < address_bytes; ++i) {
    int kept = prefix_bits - 8 * i;  // bits of this byte inside the prefix
    uint8_t mask = kept >= 8 ? 0xff : kept <= 0 ? 0 : uint8_t(0xff << (8 - kept));
    message[2 + i] = address.bytes[i] & mask;
  }
  return siphash24(key_, message, size_t(2 + address_bytes)) & 1;
}

IpAddress IpPrefixMap::map(const IpAddress& address) {
  auto key = std::make_pair(address.family, address.bytes);
  if (auto hit = cache_.find(key); hit != cache_.end()) return hit->second;
  IpAddress out;
  out.family = address.family;
  int bits = address.family == 6 ? 128 : 32;
  for (int i = 0; i < bits; ++i) {
    bool bit = bit_of(address.bytes, i) ^ prf_bit(address, i);
    if (bit) out.bytes[i / 8] |= uint8_t(0x80 >> (i % 8));
  }
  cache_.emplace(key, out);
  return out;
}

std::optional<std::string> IpPrefixMap::map_text(std::string_view text) {
  bool bracketed = text.size() >= 2 && text.front() == '[' && text.back() == ']';
  std::optional<IpAddress> address = parse_ip_address(text);
  if (!address) return std::nullopt;
  std::string mapped = map(*address).to_string();
  return bracketed ? "[" + mapped + "]" : mapped;
}

}  // namespace lurk
