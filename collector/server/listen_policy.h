// Who may talk to a lurk server (the `lurk view` web server and the `lurk
// collect --listen` socket share these rules, docs/server.md): which bind
// addresses count as loopback, the warning printed for the others, the access
// token a non-loopback bind requires (generated when not given, compared in
// constant time), and which Host headers a browser may send (DNS rebinding).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace lurk::server {

// True for 127.0.0.0/8, ::1, ::ffff:127.x.y.z and "localhost". Wildcards
// (0.0.0.0, ::) and every other address are not loopback.
bool is_loopback_address(std::string_view address);

// True for 0.0.0.0 and :: (every interface of the machine).
bool is_wildcard_address(std::string_view address);

// The warning printed on stderr when a server listens beyond this machine.
std::string non_loopback_warning(std::string_view address, int port, bool token_generated);

// A fresh access token: 32 random bytes (getrandom) as 64 hex digits.
std::string generate_token();

// Compares a presented token with the expected one in time that depends only
// on the expected token's length, so a remote client cannot find it byte by byte.
bool tokens_equal(std::string_view expected, std::string_view presented);

// "[::1]" for IPv6 addresses, the address itself otherwise: the host part of a URL.
std::string url_host(std::string_view address);

// The Host header values a server bound to ADDRESS:PORT answers; anything else
// is refused, so a page from another site that rebinds its DNS name to this
// address cannot read the server. Loopback binds also allow localhost,
// 127.0.0.1 and [::1]; wildcard binds allow the machine's interface addresses.
// `extra_names` are names the user allowed (--allow-host).
class HostPolicy {
 public:
  HostPolicy(std::string_view bind_address, int port, std::vector<std::string> extra_names = {});
  bool allows(std::string_view host_header) const;
  const std::vector<std::string>& allowed_hosts() const { return allowed_; }

 private:
  void allow(std::string_view host);
  int port_;
  std::vector<std::string> allowed_;  // lower-case host names or bracketed IPv6, no port
};

}  // namespace lurk::server
