#include "server/listen_policy.h"

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <sys/random.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <optional>
#include <stdexcept>

#include "server/ascii_text.h"

namespace lurk::server {
namespace {

// The canonical text of an IP address (inet_ntop), or nullopt when `text` is not one.
std::optional<std::string> canonical_ip(std::string_view text) {
  std::string copy(text);
  char out[INET6_ADDRSTRLEN] = {};
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1 && inet_ntop(AF_INET, &v4, out, sizeof out))
    return std::string(out);
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) == 1 && inet_ntop(AF_INET6, &v6, out, sizeof out))
    return std::string(out);
  return std::nullopt;
}

// The form a host takes in a Host header: IPv6 in brackets, names lower-case.
std::string host_form(std::string_view host) {
  if (auto ip = canonical_ip(host)) return url_host(*ip);
  return ascii_lower(host);
}

}  // namespace

bool is_loopback_address(std::string_view address) {
  if (ascii_lower(address) == "localhost") return true;
  std::string copy(address);
  in_addr v4{};
  if (inet_pton(AF_INET, copy.c_str(), &v4) == 1) return (ntohl(v4.s_addr) >> 24) == 127;
  in6_addr v6{};
  if (inet_pton(AF_INET6, copy.c_str(), &v6) != 1) return false;
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return true;
  return IN6_IS_ADDR_V4MAPPED(&v6) && v6.s6_addr[12] == 127;
}

bool is_wildcard_address(std::string_view address) {
  auto ip = canonical_ip(address);
  return ip && (*ip == "0.0.0.0" || *ip == "::");
}

std::string non_loopback_warning(std::string_view address, int port, bool token_generated) {
  std::string text = "lurk: warning: listening on " + url_host(address) + ":" +
                     std::to_string(port) +
                     ", which is not loopback: other machines can reach this server. Every "
                     "request must carry the access token";
  text += token_generated ? " (generated, in the URL above; pass --token to choose it)."
                          : " given with --token.";
  text += " The connection is not encrypted: use it only on a network you trust.\n";
  return text;
}

std::string generate_token() {
  unsigned char bytes[32];
  size_t filled = 0;
  while (filled < sizeof bytes) {
    ssize_t got = getrandom(bytes + filled, sizeof bytes - filled, 0);
    if (got < 0) throw std::runtime_error("cannot generate an access token: getrandom failed");
    filled += static_cast<size_t>(got);
  }
  static const char kHex[] = "0123456789abcdef";
  std::string token;
  for (unsigned char b : bytes) {
    token += kHex[b >> 4];
    token += kHex[b & 15];
  }
  return token;
}

bool tokens_equal(std::string_view expected, std::string_view presented) {
  // Every byte of `expected` is visited whatever `presented` holds; a length
  // mismatch is folded into the same accumulator instead of returning early.
  unsigned difference = expected.size() == presented.size() ? 0 : 1;
  for (size_t i = 0; i < expected.size(); ++i) {
    unsigned char other = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    difference |= static_cast<unsigned char>(expected[i]) ^ other;
  }
  return difference == 0 && !expected.empty();
}

std::string url_host(std::string_view address) {
  if (address.find(':') != std::string_view::npos) return "[" + std::string(address) + "]";
  return std::string(address);
}

HostPolicy::HostPolicy(std::string_view bind_address, int port,
                       std::vector<std::string> extra_names)
    : port_(port) {
  allow(bind_address);
  if (is_loopback_address(bind_address) || is_wildcard_address(bind_address)) {
    allow("localhost");
    allow("127.0.0.1");
    allow("::1");
  }
  if (is_wildcard_address(bind_address)) {
    ifaddrs* interfaces = nullptr;
    if (getifaddrs(&interfaces) == 0) {
      for (ifaddrs* i = interfaces; i; i = i->ifa_next) {
        if (!i->ifa_addr) continue;
        char text[INET6_ADDRSTRLEN] = {};
        if (i->ifa_addr->sa_family == AF_INET)
          inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(i->ifa_addr)->sin_addr, text,
                    sizeof text);
        else if (i->ifa_addr->sa_family == AF_INET6)
          inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(i->ifa_addr)->sin6_addr, text,
                    sizeof text);
        if (text[0]) allow(text);
      }
      freeifaddrs(interfaces);
    }
    char name[256] = {};
    if (gethostname(name, sizeof name - 1) == 0 && name[0]) allow(name);
  }
  for (const std::string& name : extra_names) allow(name);
}

void HostPolicy::allow(std::string_view host) {
  std::string form = host_form(host);
  if (std::find(allowed_.begin(), allowed_.end(), form) == allowed_.end())
    allowed_.push_back(form);
}

bool HostPolicy::allows(std::string_view header) const {
  std::string_view host = header;
  std::string_view port_text;
  if (header.starts_with('[')) {
    size_t close = header.find(']');
    if (close == std::string_view::npos) return false;
    host = header.substr(1, close - 1);
    std::string_view rest = header.substr(close + 1);
    if (!rest.empty()) {
      if (rest[0] != ':') return false;
      port_text = rest.substr(1);
    }
    if (!canonical_ip(host)) return false;
  } else if (size_t colon = header.find(':'); colon != std::string_view::npos) {
    host = header.substr(0, colon);
    port_text = header.substr(colon + 1);
  }
  int port = 80;
  if (!port_text.empty() || header.ends_with(':')) {
    auto [end, error] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (error != std::errc() || end != port_text.data() + port_text.size()) return false;
  }
  if (port != port_) return false;
  if (host.empty()) return false;
  std::string form = host_form(host);
  return std::find(allowed_.begin(), allowed_.end(), form) != allowed_.end();
}

}  // namespace lurk::server
