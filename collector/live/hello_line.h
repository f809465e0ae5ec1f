// The hello line a sender may put first in its stream to `lurk collect`
// (docs/live.md):
//   {"lurk":"hello","version":1,"name":"server-1","token":"..."}
//   {"lurk":"hello","version":1,"name":"unikernel","format":"ctf","metadata_bytes":2711}
//   {"lurk":"hello","version":1,"name":"server-1","stream":"host-a/server-1/1701"}
// `name` names the sender's source in the profile (else its peer address),
// `token` is checked when the collector requires one. `format` says what
// follows: "lurk-jsonl" (the default: lurk JSON lines, beginning with their
// own header line) or "ctf" (mirage-profile CTF: `metadata_bytes` bytes of
// the trace's TSDL metadata, then its packets as the stack writes them).
// `stream` (JSON lines or CTF) names the stream across reconnections: the
// collector answers {"lurk":"resume","bytes":N}, how much of it the profile
// holds, and the sender goes on from there (exactly once; live/stream_ledger.h).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace lurk::live {

// A hello line longer than this is not one (the stream is read as a trace).
inline constexpr size_t kMaxHelloBytes = 4096;

// The metadata of a CTF stream is a few kilobytes of text; more is refused.
inline constexpr uint64_t kMaxCtfMetadataBytes = 1 << 20;

enum class StreamFormat { LurkJsonl, Ctf };

struct Hello {
  std::string name;   // empty: not given
  std::string token;  // empty: not given
  std::string stream; // empty: not given (no resume across collector restarts)
  StreamFormat format = StreamFormat::LurkJsonl;
  uint64_t metadata_bytes = 0;  // ctf: TSDL metadata bytes right after the hello line
};

// Whether the TSDL metadata a CTF sender sent describes a stream this lurk
// reads (mirage-profile's trace UUID, little-endian); else why not.
bool ctf_metadata_readable(std::string_view metadata, std::string& why);

// The hello the line holds; nullopt when the line is not a hello at all (it
// is then the trace's first line). `error` is set for a hello that is
// malformed (a name or token that is not a string, an unknown version).
std::optional<Hello> parse_hello(std::string_view line, std::string& error);

}  // namespace lurk::live
