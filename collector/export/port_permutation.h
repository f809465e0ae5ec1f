// The keyed port map of `--map-ports` (docs/sharing.md): a permutation of
// the ports 1..65535 that is one single cycle, so that no port maps to
// itself (a port that stayed would reveal itself). The ports are put in the
// order of SipHash(key, "P" + port) and each maps to the next one in that
// order. Port 0 (no port known) stays 0.
#pragma once

#include <array>
#include <cstdint>

#include "export/siphash.h"

namespace lurk {

class PortPermutation {
 public:
  explicit PortPermutation(const SipKey& key);
  uint16_t map(uint16_t port) const { return next_[port]; }

 private:
  std::array<uint16_t, 65536> next_{};
};

}  // namespace lurk
