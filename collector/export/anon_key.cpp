// Export keys: see anon_key.h.
#include "export/anon_key.h"

#include <random>

namespace lurk {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view text) {
  const char* space = " \t\r\n";
  size_t first = text.find_first_not_of(space);
  if (first == std::string_view::npos) return {};
  return text.substr(first, text.find_last_not_of(space) - first + 1);
}

}  // namespace

std::optional<SipKey> parse_key_hex(std::string_view text, std::string* error) {
  text = trim(text);
  if (text.size() != 32) {
    *error = "expected 32 hex digits (a 128-bit key), found " + std::to_string(text.size()) +
             " characters";
    return std::nullopt;
  }
  uint8_t bytes[16];
  for (size_t i = 0; i < 16; ++i) {
    int hi = hex_value(text[2 * i]), lo = hex_value(text[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      *error = "expected 32 hex digits, found a character that is not one at position " +
               std::to_string(2 * i + (hi < 0 ? 1 : 2));
      return std::nullopt;
    }
    bytes[i] = uint8_t(hi << 4 | lo);
  }
  return sip_key_from_bytes(bytes);
}

std::string key_to_hex(const SipKey& key) {
  static const char* digits = "0123456789abcdef";
  std::string out;
  for (uint64_t word : {key.k0, key.k1})
    for (int i = 0; i < 8; ++i) {
      uint8_t b = uint8_t(word >> (8 * i));
      out += digits[b >> 4];
      out += digits[b & 15];
    }
  return out;
}

SipKey random_key() {
  std::random_device device;
  auto word = [&device] { return (uint64_t(device()) << 32) | uint64_t(device()); };
  return {word(), word()};
}

}  // namespace lurk
