// Address text, ports and socket 4-tuples for the demo stack (see connection_tuple.h).
#include "connection_tuple.h"

#include <arpa/inet.h>

#include <cstring>
#include <stdexcept>
#include <tuple>

namespace lurk::demo {

bool ConnectionTuple::operator<(const ConnectionTuple& o) const {
  return std::tie(laddr, lport, raddr, rport) < std::tie(o.laddr, o.lport, o.raddr, o.rport);
}

std::string ConnectionTuple::json() const {
  return "{\"laddr\":\"" + laddr + "\",\"lport\":" + std::to_string(lport) + ",\"raddr\":\"" + raddr +
         "\",\"rport\":" + std::to_string(rport) + "}";
}

std::string address_text(const sockaddr_storage& address) {
  char buf[INET6_ADDRSTRLEN] = "";
  if (address.ss_family == AF_INET) {
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in&>(address).sin_addr, buf, sizeof buf);
    return buf;
  }
  const auto& a6 = reinterpret_cast<const sockaddr_in6&>(address);
  if (IN6_IS_ADDR_V4MAPPED(&a6.sin6_addr)) {
    inet_ntop(AF_INET, &a6.sin6_addr.s6_addr[12], buf, sizeof buf);
    return buf;
  }
  inet_ntop(AF_INET6, &a6.sin6_addr, buf, sizeof buf);
  return buf;
}

uint16_t address_port(const sockaddr_storage& address) {
  if (address.ss_family == AF_INET) return ntohs(reinterpret_cast<const sockaddr_in&>(address).sin_port);
  return ntohs(reinterpret_cast<const sockaddr_in6&>(address).sin6_port);
}

bool make_address(const std::string& text, uint16_t port, sockaddr_storage& out, socklen_t& len) {
  std::memset(&out, 0, sizeof out);
  auto& a4 = reinterpret_cast<sockaddr_in&>(out);
  if (inet_pton(AF_INET, text.c_str(), &a4.sin_addr) == 1) {
    a4.sin_family = AF_INET;
    a4.sin_port = htons(port);
    len = sizeof a4;
    return true;
  }
  auto& a6 = reinterpret_cast<sockaddr_in6&>(out);
  if (inet_pton(AF_INET6, text.c_str(), &a6.sin6_addr) == 1) {
    a6.sin6_family = AF_INET6;
    a6.sin6_port = htons(port);
    len = sizeof a6;
    return true;
  }
  return false;
}

ConnectionTuple socket_tuple(int fd) {
  sockaddr_storage local{}, remote{};
  socklen_t llen = sizeof local, rlen = sizeof remote;
  if (getsockname(fd, reinterpret_cast<sockaddr*>(&local), &llen) != 0 ||
      getpeername(fd, reinterpret_cast<sockaddr*>(&remote), &rlen) != 0)
    throw std::runtime_error(std::string("socket addresses: ") + std::strerror(errno));
  return {address_text(local), address_port(local), address_text(remote), address_port(remote)};
}

}  // namespace lurk::demo
