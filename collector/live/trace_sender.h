// The sending side of live collection (`lurk send`, docs/live.md): connects
// to a `lurk collect`, says hello (name, token), streams the bytes of a file
// or a pipe as they come, and reads the collector's acks, so that it can say
// at the end how much of what it sent is committed in the profile.
#pragma once

#include <cstdint>
#include <string>

namespace lurk::live {

struct SendOptions {
  std::string to;     // HOST:PORT of the collector
  std::string name;   // the source's name in the profile (empty: the peer address)
  std::string token;  // when the collector asks for one
  int input_fd = 0;
  int final_ack_timeout_ms = 30000;  // after the input ends
};

struct SendResult {
  uint64_t bytes_sent = 0;     // hello line included, as the collector counts
  int64_t acked_bytes = 0, acked_events = 0, acked_errors = 0;
  bool final_ack = false;      // the collector read the stream to its end
  std::string refusal;         // the collector's reason, when it refused us
  std::string error;           // what went wrong on our side or the connection's
  bool all_acknowledged() const {
    return error.empty() && refusal.empty() && final_ack && uint64_t(acked_bytes) == bytes_sent;
  }
};

SendResult send_trace(const SendOptions& options);

}  // namespace lurk::live
