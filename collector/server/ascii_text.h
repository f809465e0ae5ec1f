// ASCII text helpers for what HTTP parses: case folding for what HTTP and
// addresses compare without case (header names, Host values, hex digits) and
// HTTP's optional whitespace; never locale-dependent.
#pragma once

#include <string>
#include <string_view>

namespace lurk::server {

inline std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// `text` without HTTP's optional whitespace (RFC 9110 "OWS": spaces and
// horizontal tabs) at either end.
inline std::string_view trim_ows(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

}  // namespace lurk::server
