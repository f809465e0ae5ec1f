// Where `lurk collect` listens and who may send to it (docs/live.md): a
// HOST:PORT text ("127.0.0.1:7000", "[::1]:7000", "localhost:7000",
// "0.0.0.0:7000"), resolved to one socket address, and whether that address
// is loopback. The rule: loopback by default; any other address needs a token
// that each sender gives in its hello line. (The minimum lurk collect needs;
// the HTTP server's bind/token rules live with `lurk view`.)
#pragma once

#include <netinet/in.h>
#include <sys/socket.h>

#include <optional>
#include <string>

namespace lurk::live {

struct ListenAddress {
  sockaddr_storage addr{};
  socklen_t length = 0;
  std::string text;  // as the user gave it, for messages
  bool loopback = false;
};

// The address HOST:PORT names, or an error message saying what was expected.
// A bare PORT means 127.0.0.1:PORT.
std::optional<ListenAddress> parse_listen_address(const std::string& text, std::string& error);

// "ADDRESS:PORT" of a socket address (a sender's peer address).
std::string address_text(const sockaddr_storage& addr);
// The port a bound socket got (for --listen HOST:0).
int bound_port(int fd);


}  // namespace lurk::live
