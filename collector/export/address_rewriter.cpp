// Addresses inside free text: see address_rewriter.h.
#include "export/address_rewriter.h"

#include <cctype>
#include <charconv>

namespace lurk {
namespace {

// Letters and digits glue: "ip6" or "x10.0.0.1" are not addresses standing
// alone. Punctuation does not ("host=10.0.0.1", "peer:10.0.0.1", "_10.0.0.1"):
// better to map a version number by mistake than to leave an address.
bool is_word_char(char c) { return std::isalnum(static_cast<unsigned char>(c)); }
bool is_address_char(char c) {
  return std::isxdigit(static_cast<unsigned char>(c)) || c == ':' || c == '.';
}

// Whether an address may start at text[at]: nothing glued on its left.
bool free_on_left(std::string_view text, size_t at) {
  if (at == 0) return true;
  return !is_word_char(text[at - 1]);
}

bool free_on_right(std::string_view text, size_t end) {
  return end >= text.size() || !is_word_char(text[end]);
}

}  // namespace

size_t AddressRewriter::address_at(std::string_view text, size_t at, std::string* mapped) {
  if (!free_on_left(text, at)) return 0;
  if (text[at] == '[') {
    size_t close = text.find(']', at);
    if (close == std::string_view::npos || close - at > 64) return 0;
    std::optional<std::string> inner = addresses_.map_text(text.substr(at + 1, close - at - 1));
    if (!inner || inner->find(':') == std::string::npos) return 0;
    *mapped = "[" + *inner + "]";
    return close + 1 - at;
  }
  size_t run = at;
  while (run < text.size() && run - at <= 64 && is_address_char(text[run])) ++run;
  // Longest candidate first, cut only at a separator (a trailing '.' ending
  // a sentence, or ':' before a port).
  for (size_t end = run; end > at + 1; --end) {
    bool cut_here = end == run ? free_on_right(text, end) : (text[end] == ':' || text[end] == '.');
    if (!cut_here) continue;
    std::string_view candidate = text.substr(at, end - at);
    if (candidate.find_first_of(".:") == std::string_view::npos) return 0;
    if (std::optional<std::string> m = addresses_.map_text(candidate)) {
      *mapped = *m;
      return end - at;
    }
  }
  return 0;
}

size_t AddressRewriter::port_after(std::string_view text, size_t at, std::string* mapped) const {
  if (!ports_ || at + 1 >= text.size() || text[at] != ':') return 0;
  size_t end = at + 1;
  while (end < text.size() && end - at <= 6 && std::isdigit(static_cast<unsigned char>(text[end])))
    ++end;
  if (end == at + 1 || !free_on_right(text, end)) return 0;
  if (end < text.size() && text[end] == '.' && end + 1 < text.size() &&
      std::isdigit(static_cast<unsigned char>(text[end + 1])))
    return 0;  // "1.2.3.4:5.6" is no port
  unsigned port = 0;
  std::from_chars(text.data() + at + 1, text.data() + end, port);
  if (port > 65535) return 0;
  *mapped = ":" + std::to_string(ports_->map(uint16_t(port)));
  return end - at;
}

std::string AddressRewriter::rewrite(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  size_t i = 0;
  while (i < text.size()) {
    std::string mapped;
    size_t length = 0;
    if (text[i] == '[' || is_address_char(text[i])) length = address_at(text, i, &mapped);
    if (length == 0) {
      out += text[i++];
      continue;
    }
    out += mapped;
    i += length;
    std::string port;
    if (size_t port_length = port_after(text, i, &port)) {
      out += port;
      i += port_length;
    }
  }
  return out;
}

std::optional<std::string> AddressRewriter::map_endpoint(std::string_view text) {
  if (text.empty()) return std::nullopt;
  std::string mapped;
  size_t length = address_at(text, 0, &mapped);
  if (length == 0) return std::nullopt;
  if (length == text.size()) return mapped;
  std::string port;
  if (text[length] != ':') return std::nullopt;
  size_t end = text.size();
  for (size_t k = length + 1; k < end; ++k)
    if (!std::isdigit(static_cast<unsigned char>(text[k]))) return std::nullopt;
  if (ports_) {
    if (port_after(text, length, &port) != end - length) return std::nullopt;
  } else {
    port = std::string(text.substr(length));
  }
  return mapped + port;
}

}  // namespace lurk
