// ASCII case folding for what HTTP and addresses compare without case
// (header names, Host values, hex digits); never locale-dependent.
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

}  // namespace lurk::server
