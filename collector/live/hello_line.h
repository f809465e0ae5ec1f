// The hello line a sender may put first in its stream to `lurk collect`
// (docs/live.md):
//   {"lurk":"hello","version":1,"name":"server-1","token":"..."}
// `name` names the sender's source in the profile (else its peer address),
// `token` is checked when the collector requires one. Whatever follows is the
// trace itself (lurk JSON lines, beginning with their own header line).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace lurk::live {

// A hello line longer than this is not one (the stream is read as a trace).
inline constexpr size_t kMaxHelloBytes = 4096;

struct Hello {
  std::string name;   // empty: not given
  std::string token;  // empty: not given
};

// The hello the line holds; nullopt when the line is not a hello at all (it
// is then the trace's first line). `error` is set for a hello that is
// malformed (a name or token that is not a string, an unknown version).
std::optional<Hello> parse_hello(std::string_view line, std::string& error);

}  // namespace lurk::live
