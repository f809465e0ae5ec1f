// What TCP analysis remembers about one direction of a connection between
// segments (the "flow" of Wireshark's analysis), plus 32-bit sequence-number
// comparisons that survive wrap-around. The rules in tcp_rules.h read this;
// only TcpAnalyzer writes it.
#pragma once

#include <cstdint>
#include <optional>

#include "analysis/unacked_segments.h"

namespace lurk {

// Sequence-space comparisons (RFC 1982 style): `a` is after `b` when the
// signed 32-bit distance from b to a is positive, so 0x00000005 is after
// 0xFFFFFFF0.
inline bool seq_after(uint32_t a, uint32_t b) { return int32_t(a - b) > 0; }
inline bool seq_before(uint32_t a, uint32_t b) { return int32_t(a - b) < 0; }
inline bool seq_at_or_before(uint32_t a, uint32_t b) { return int32_t(a - b) <= 0; }

// How the advertised window of a direction is scaled. Known only from the
// SYN options; Wireshark's rule: a SYN without the option (or a SYN/ACK
// without it) means no scaling in either direction.
struct WindowScale {
  enum class State { Unknown, NotUsed, Shift } state = State::Unknown;
  uint8_t shift = 0;

  bool known() const { return state != State::Unknown; }
  // The shift to apply to this direction's non-SYN windows.
  uint8_t effective_shift() const { return state == State::Shift ? shift : 0; }
};

struct TcpFlowState {
  // The highest sequence number sent so far plus one (SYN/FIN count as one),
  // when anything with a sequence number was seen.
  std::optional<uint32_t> next_seq;
  int64_t next_seq_frame = 0;
  int64_t next_seq_ts_ns = 0;
  // The end of the contiguous data seen so far: an ACK beyond this from the
  // other side acknowledges a segment the capture missed.
  std::optional<uint32_t> max_seq_to_be_acked;

  // Values of the last segment sent in this direction.
  std::optional<uint32_t> last_ack;
  int64_t last_ack_ts_ns = 0;
  std::optional<uint32_t> window;  // raw 16-bit field, unscaled
  bool window_from_syn = false;    // the last window came with a SYN (never scaled)
  uint32_t last_segment_flags = 0;

  // Duplicate-ACK bookkeeping: how many in a row, and the frame of the ACK
  // they repeat.
  int dup_ack_count = 0;
  int64_t last_non_dup_ack_frame = 0;
  // Set once an "ACKed unseen segment" was reported against this direction's
  // current ACK run, so the same loss is reported once (cleared when the ACK
  // number moves).
  bool ack_lost_reported = false;

  WindowScale scale;
  UnackedSegments unacked;
};

// Connection-wide analysis state.
struct TcpConversationState {
  std::optional<int64_t> last_syn_ts_ns;   // most recent SYN (without ACK)
  std::optional<int64_t> first_rtt_ns;     // SYN to the first pure ACK
};

}  // namespace lurk
