// The sending side of live collection (`lurk send`, docs/live.md): connects
// to a `lurk collect`, says hello (name, token), streams the bytes of a file
// or a pipe as they come, and reads the collector's acks, so that it can say
// at the end how much of what it sent is committed in the profile.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lurk::live {

struct SendOptions {
  std::string to;     // HOST:PORT of the collector
  std::string name;   // the source's name in the profile (empty: the peer address)
  std::string token;  // when the collector asks for one
  int input_fd = 0;
  // What the input is: lurk JSON lines or mirage-profile CTF packets (then
  // the hello line says "format":"ctf" and `ctf_metadata` follows it). Auto:
  // CTF when the input begins with the packet magic.
  enum class Format { Auto, LurkJsonl, Ctf } format = Format::Auto;
  std::string ctf_metadata;  // the trace's TSDL metadata; may be empty
  // Sent instead of reading input_fd when set (a CTF file, oldest packet first).
  std::optional<std::string> input_bytes;
  // Resume a stream a collector committed up to this byte (its last ack, or
  // what `lurk collect` printed): the input's header line is sent again, then
  // the input from where the committed part ended. 0: from the start.
  uint64_t resume_after = 0;
  // Names the stream across reconnections (JSON lines or CTF): the hello line
  // says it, the collector answers where its profile's copy ends, and the
  // stream goes on from there (exactly once: live/stream_ledger.h).
  std::string stream_id;
  int final_ack_timeout_ms = 30000;  // after the input ends, without an ack
};

struct SendResult {
  uint64_t bytes_sent = 0;     // hello line included, as the collector counts
  uint64_t input_skipped = 0;  // --resume-after: input bytes not sent again
  uint64_t hello_bytes = 0, resent_header_bytes = 0;  // hello_bytes: CTF metadata included
  bool ctf = false;            // the stream was sent as CTF
  int64_t acked_bytes = 0, acked_events = 0, acked_errors = 0;
  bool final_ack = false;      // the collector read the stream to its end
  std::string refusal;         // the collector's reason, when it refused us
  bool got_resume = false;     // with a stream id: the collector said where to resume
  uint64_t resume_offered = 0; // ... at this byte of the stream as first sent
  std::string error;           // what went wrong on our side or the connection's
  // Where to resume from, in the bytes of the stream as first sent (hello +
  // input): what a resume of this resume would pass as resume_after.
  uint64_t resume_point() const {
    if (input_skipped == 0) return uint64_t(acked_bytes);
    uint64_t resent = hello_bytes + resent_header_bytes;
    uint64_t beyond = uint64_t(acked_bytes) > resent ? uint64_t(acked_bytes) - resent : 0;
    return hello_bytes + input_skipped + beyond;
  }
  bool all_acknowledged() const {
    return error.empty() && refusal.empty() && final_ack && uint64_t(acked_bytes) == bytes_sent;
  }
};

SendResult send_trace(const SendOptions& options);

}  // namespace lurk::live
