#include "join/endpoint.h"

#include <arpa/inet.h>

#include <charconv>
#include <cstring>

namespace lurk {

std::optional<IpAddress> parse_ip_address(std::string_view text) {
  if (text.size() >= 2 && text.front() == '[' && text.back() == ']')
    text = text.substr(1, text.size() - 2);
  if (text.empty() || text.size() > 64) return std::nullopt;
  char zero_terminated[65];  // on the stack: a live sender's every segment names two addresses
  std::memcpy(zero_terminated, text.data(), text.size());
  zero_terminated[text.size()] = '\0';
  IpAddress address;
  // An IPv6 address always has a colon; IPv4 is tried only without one.
  if (text.find(':') == std::string_view::npos &&
      inet_pton(AF_INET, zero_terminated, address.bytes.data()) == 1) {
    address.family = 4;
    return address;
  }
  if (inet_pton(AF_INET6, zero_terminated, address.bytes.data()) == 1) {
    address.family = 6;
    return address;
  }
  return std::nullopt;
}

std::optional<std::string> canonical_address(std::string_view text) {
  std::optional<IpAddress> address = parse_ip_address(text);
  if (!address) return std::nullopt;
  return address->to_string();
}

bool split_host_port(std::string_view text, std::string* host, uint16_t* port) {
  size_t colon = text.rfind(':');
  if (colon == std::string_view::npos || colon + 1 >= text.size()) return false;
  std::string_view host_part = text.substr(0, colon);
  // A bare IPv6 address has colons of its own; it needs brackets to carry a port.
  if (host_part.find(':') != std::string_view::npos &&
      !(host_part.starts_with("[") && host_part.ends_with("]")))
    return false;
  unsigned value = 0;
  std::string_view port_part = text.substr(colon + 1);
  auto [end, ec] = std::from_chars(port_part.data(), port_part.data() + port_part.size(), value);
  if (ec != std::errc() || end != port_part.data() + port_part.size() || value > 65535)
    return false;
  *host = std::string(host_part);
  *port = static_cast<uint16_t>(value);
  return true;
}

}  // namespace lurk
