// Addresses, 4-tuples and TCP segment headers as the demo stack names them:
// text addresses (IPv4 or IPv6) as lurk JSON lines spell them, ports in host
// order. Shared by the tracer, the segment tap and the programs.
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <cstdint>
#include <string>

namespace lurk::demo {

struct ConnectionTuple {
  std::string laddr;
  uint16_t lport = 0;
  std::string raddr;
  uint16_t rport = 0;
  bool operator<(const ConnectionTuple& o) const;
  std::string json() const;  // {"laddr":...,"lport":...,"raddr":...,"rport":...}
};

struct SegmentHeader {
  ConnectionTuple tuple;  // from this program's side: laddr is ours
  bool tx = false;        // we sent it (else received)
  uint32_t seq = 0, ack = 0, len = 0;
  uint8_t flags = 0;      // FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 URG 0x20 ECE 0x40 CWR 0x80
  uint16_t window = 0;
  int wscale = -1;        // the window-scale option of a SYN, -1 when absent
  int mss = -1;
};

// "10.0.0.1" / "fd77::1" from a socket address (IPv4-mapped IPv6 shown as IPv4).
std::string address_text(const sockaddr_storage& address);
uint16_t address_port(const sockaddr_storage& address);
// Parses ADDR (IPv4 or IPv6 text) and PORT into a socket address; false when ADDR is not one.
bool make_address(const std::string& text, uint16_t port, sockaddr_storage& out, socklen_t& len);
// The tuple of a connected socket, from its own side.
ConnectionTuple socket_tuple(int fd);

}  // namespace lurk::demo
