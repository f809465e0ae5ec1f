// The TCP analysis rules, one named function each, in the order of
// precedence TcpAnalyzer applies them (docs/tcp-analysis.md). Each rule
// looks at one segment and the state of both directions before it, and
// returns the analysis flag it finds (analysis_flags.h) or 0. Rules never
// change state; TcpAnalyzer does that after they have run.
#pragma once

#include <cstdint>

#include "analysis/tcp_flow_state.h"
#include "net/tcp_segment.h"

namespace lurk {

// The rules read the decoded segment itself (no copy of its fields): its
// sequence and ACK numbers, payload_len (payload bytes, SYN/FIN not
// counted), flags, the raw unscaled window, frame and time.
struct RuleInput {
  const TcpSegment& seg;
  const TcpFlowState& fwd;  // the direction this segment travels
  const TcpFlowState& rev;  // the other direction
  const TcpConversationState& conv;
};

// Sequence-number rules, in order. A rule that "ends the window checks"
// (zero_window_probe, keep_alive_ack, zero_window_probe_ack) stops the
// rules after it up to duplicate_ack from being tried.
uint32_t zero_window_probe(const RuleInput& in);
uint32_t zero_window(const RuleInput& in);
uint32_t lost_segment(const RuleInput& in);
uint32_t keep_alive(const RuleInput& in);
uint32_t window_update(const RuleInput& in);
uint32_t window_full(const RuleInput& in);
uint32_t keep_alive_ack(const RuleInput& in);
uint32_t zero_window_probe_ack(const RuleInput& in);
uint32_t duplicate_ack(const RuleInput& in);

// Acknowledgement rule, tried on every segment after the ones above.
uint32_t ack_lost_segment(const RuleInput& in);
// True when the ACK runs past what was seen of the other direction (the
// condition of ack_lost_segment before its report-once filter).
bool acks_unseen_data(const RuleInput& in);

// Retransmission family: at most one of spurious retransmission, fast
// retransmission, out-of-order, retransmission. `flags_so_far` are the
// flags the rules above gave this segment (a keep-alive is never one).
uint32_t retransmission_kind(const RuleInput& in, uint32_t flags_so_far);

// Time limits the rules use, in nanoseconds.
inline constexpr int64_t kFastRetransmissionWindowNs = 20'000'000;  // after the last dup ACK
inline constexpr int64_t kDefaultOutOfOrderWindowNs = 3'000'000;    // without a handshake RTT

}  // namespace lurk
