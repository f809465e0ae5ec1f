// Keyed single-cycle port permutation: see port_permutation.h.
#include "export/port_permutation.h"

#include <algorithm>
#include <vector>

namespace lurk {

PortPermutation::PortPermutation(const SipKey& key) {
  std::vector<std::pair<uint64_t, uint16_t>> order;
  order.reserve(65535);
  for (uint32_t port = 1; port <= 65535; ++port) {
    uint8_t message[3] = {'P', uint8_t(port >> 8), uint8_t(port)};
    order.emplace_back(siphash24(key, message, 3), uint16_t(port));
  }
  std::sort(order.begin(), order.end());  // ties (never seen) fall back to port order
  for (size_t i = 0; i < order.size(); ++i)
    next_[order[i].second] = order[(i + 1) % order.size()].second;
  next_[0] = 0;
}

}  // namespace lurk
