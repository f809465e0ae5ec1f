// Escaping of profile text for terminals; see terminal_text.h.
#include "cli/terminal_text.h"

#include <cstdint>
#include <cstdio>

namespace lurk::cli {
namespace {

// Length of the well-formed UTF-8 sequence at `at` and its code point, or
// 0 when the bytes there are not one (overlong, surrogate, truncated, > U+10FFFF).
size_t utf8_sequence(std::string_view text, size_t at, uint32_t& code_point) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(text[i]); };
  uint8_t lead = byte(at);
  if (lead < 0x80) {
    code_point = lead;
    return 1;
  }
  size_t length = lead >= 0xC2 && lead <= 0xDF ? 2 : lead >= 0xE0 && lead <= 0xEF ? 3
                : lead >= 0xF0 && lead <= 0xF4 ? 4 : 0;
  if (length == 0 || at + length > text.size()) return 0;
  uint32_t value = lead & (0x7F >> length);
  for (size_t i = 1; i < length; ++i) {
    if ((byte(at + i) & 0xC0) != 0x80) return 0;
    value = (value << 6) | (byte(at + i) & 0x3F);
  }
  bool overlong = (length == 3 && value < 0x800) || (length == 4 && value < 0x10000);
  if (overlong || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) return 0;
  code_point = value;
  return length;
}

// Characters a terminal acts on rather than shows, or that reorder what
// is shown around them (bidirectional embeddings, overrides and isolates).
bool is_control(uint32_t c) {
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c <= 0x9F) || (c >= 0x202A && c <= 0x202E) ||
         (c >= 0x2066 && c <= 0x2069);
}

std::string hex(const char* format, uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, format, value);
  return buffer;
}

}  // namespace

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t at = 0; at < text.size();) {
    uint32_t c = 0;
    size_t length = utf8_sequence(text, at, c);
    if (length == 0) {
      out += hex("\\x%02X", static_cast<uint8_t>(text[at]));
      at += 1;
      continue;
    }
    if (c == '\\') out += "\\\\";
    else if (is_control(c)) out += c < 0x80 ? hex("\\x%02X", c) : hex("\\u{%04X}", c);
    else out.append(text.substr(at, length));
    at += length;
  }
  return out;
}

}  // namespace lurk::cli
