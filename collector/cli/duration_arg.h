// Durations typed on the command line: "1.5s", "-350ms", "20us", "7ns",
// "2m", "1h", or a bare integer of nanoseconds. Used by --clock-offset.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace lurk::cli {

// Nanoseconds, or nothing when the text is not a duration (or overflows).
std::optional<int64_t> parse_duration_ns(std::string_view text);

}  // namespace lurk::cli
