#include "cli/duration_arg.h"

#include <charconv>
#include <cmath>
#include <string>

namespace lurk::cli {

std::optional<int64_t> parse_duration_ns(std::string_view text) {
  static const std::pair<std::string_view, double> kUnits[] = {
      {"ns", 1}, {"us", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"m", 60e9}, {"h", 3600e9}};
  size_t number_end = 0;
  while (number_end < text.size() &&
         (std::isdigit(static_cast<unsigned char>(text[number_end])) || text[number_end] == '.' ||
          text[number_end] == '-' || text[number_end] == '+'))
    ++number_end;
  std::string_view number = text.substr(0, number_end), unit = text.substr(number_end);
  if (number.empty()) return std::nullopt;
  if (unit.empty() || unit == "ns") {  // whole nanoseconds, exactly
    int64_t ns = 0;
    std::string_view digits = number.front() == '+' ? number.substr(1) : number;
    auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), ns);
    if (error != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
    return ns;
  }
  for (const auto& [name, scale] : kUnits) {
    if (unit != name) continue;
    double value = 0;
    try {
      size_t used = 0;
      value = std::stod(std::string(number), &used);
      if (used != number.size()) return std::nullopt;
    } catch (...) {
      return std::nullopt;
    }
    double ns = std::round(value * scale);
    if (!std::isfinite(ns) || std::fabs(ns) > 9.2e18) return std::nullopt;
    return static_cast<int64_t>(ns);
  }
  return std::nullopt;
}

}  // namespace lurk::cli
