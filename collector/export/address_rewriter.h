// Finds IPv4 and IPv6 addresses inside free text (labels, thread names,
// finding titles, JSON values) and replaces each with its anonymised form
// (ip_prefix_map.h); with a port map also the port of "addr:port" and
// "[v6addr]:port". An address counts when no letter or digit is glued to it
// on either side ("x10.0.0.1" is no address; "peer=10.0.0.1" is).
// IPv6 written without brackets before a port ("fd77::1:40444") is split
// where the last group cannot be IPv6 (more than 4 digits); "fd77::1:7000"
// is a valid IPv6 address as a whole and is mapped as one, so no part of the
// original survives either way.
#pragma once

#include <string>
#include <string_view>

#include "export/ip_prefix_map.h"
#include "export/port_permutation.h"

namespace lurk {

class AddressRewriter {
 public:
  // `ports` null: ports are left as they are.
  AddressRewriter(IpPrefixMap& addresses, const PortPermutation* ports)
      : addresses_(addresses), ports_(ports) {}

  // `text` with every address (and port after one, when mapping ports) mapped.
  std::string rewrite(std::string_view text);

  // The whole of `text` is an address, "addr:port" or "[v6addr]:port":
  // its mapped form; else nullopt.
  std::optional<std::string> map_endpoint(std::string_view text);

  uint16_t map_port(uint16_t port) const { return ports_ ? ports_->map(port) : port; }
  bool maps_ports() const { return ports_ != nullptr; }
  IpPrefixMap& addresses() { return addresses_; }

 private:
  // At text[at], an address that stands alone: its length, and the mapped
  // text (with brackets if it had them); 0 when there is none.
  size_t address_at(std::string_view text, size_t at, std::string* mapped);
  // After an address ending at text[at]: ":port" mapped, and its length.
  size_t port_after(std::string_view text, size_t at, std::string* mapped) const;

  IpPrefixMap& addresses_;
  const PortPermutation* ports_;
};

}  // namespace lurk
