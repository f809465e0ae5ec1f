// The TCP analysis rules. Each one is headed by its definition in plain
// words; they agree with Wireshark's (packet-tcp.c, and the "TCP Analysis"
// section of its user's guide), rewritten as separate functions.
#include "analysis/tcp_rules.h"

#include "net/analysis_flags.h"
#include "net/tcp_segment.h"

namespace lurk {
namespace {

bool has_any(const TcpSegment& s, uint8_t flags) { return (s.flags & flags) != 0; }
bool is_syn_fin_or_rst(const TcpSegment& s) { return has_any(s, kSyn | kFin | kRst); }

bool equals(const std::optional<uint32_t>& value, uint32_t x) { return value && *value == x; }

// Time from `earlier` to `later`; a clock that went backwards gives "very
// long ago", so time-bounded rules do not fire.
uint64_t elapsed_ns(int64_t later, int64_t earlier) {
  return static_cast<uint64_t>(later - earlier);
}

// The segment repeats this direction's last ACK number and window and sits
// exactly at the next expected sequence number, carrying no data.
bool repeats_last_ack(const RuleInput& in) {
  const TcpSegment& s = in.seg;
  return s.payload_len == 0 && equals(in.fwd.next_seq, s.seq) && equals(in.fwd.last_ack, s.ack) &&
         !is_syn_fin_or_rst(s);
}

}  // namespace

// Zero-window probe: exactly one byte at the next expected sequence number
// while the other side advertises a zero window.
uint32_t zero_window_probe(const RuleInput& in) {
  const TcpSegment& s = in.seg;
  bool probe = s.payload_len == 1 && equals(in.fwd.next_seq, s.seq) && equals(in.rev.window, 0);
  return probe ? uint32_t(kZeroWindowProbe) : 0u;
}

// Zero window: the segment advertises a window of 0 and is not a SYN, FIN
// or RST.
uint32_t zero_window(const RuleInput& in) {
  return in.seg.window == 0 && !is_syn_fin_or_rst(in.seg) ? uint32_t(kZeroWindow) : 0u;
}

// Previous segment not captured: the segment starts beyond the next
// expected sequence number, so something before it is missing. RSTs are
// not checked.
uint32_t lost_segment(const RuleInput& in) {
  const TcpSegment& s = in.seg;
  bool gap = in.fwd.next_seq && seq_after(s.seq, *in.fwd.next_seq) && !has_any(s, kRst);
  return gap ? uint32_t(kLostSegment) : 0u;
}

// Keep-alive: 0 or 1 byte starting one byte before the next expected
// sequence number; not a SYN, FIN or RST.
uint32_t keep_alive(const RuleInput& in) {
  const TcpSegment& s = in.seg;
  bool alive = s.payload_len <= 1 && in.fwd.next_seq && s.seq == *in.fwd.next_seq - 1 &&
               !is_syn_fin_or_rst(s);
  return alive ? uint32_t(kKeepAlive) : 0u;
}

// Window update: no data, same sequence and ACK numbers as this
// direction's previous segment, and a new, non-zero window.
uint32_t window_update(const RuleInput& in) {
  const TcpSegment& s = in.seg;
  bool changed = !in.fwd.window || *in.fwd.window != s.window;
  return s.window != 0 && changed && repeats_last_ack(in) ? uint32_t(kWindowUpdate) : 0u;
}

// Window full: the segment carries data that reaches exactly the right
// edge of the window the other side last advertised (its ACK plus its
// scaled window). Only when the other side's window scaling is known; never
// on SYN, FIN or RST.
uint32_t window_full(const RuleInput& in) {
  const TcpSegment& s = in.seg;
  const TcpFlowState& rev = in.rev;
  if (s.payload_len == 0 || !rev.scale.known() || !rev.window || is_syn_fin_or_rst(s)) return 0;
  uint32_t shift = rev.window_from_syn ? 0 : rev.scale.effective_shift();
  uint32_t right_edge = rev.last_ack.value_or(0) + (*rev.window << shift);
  return s.seq + s.payload_len == right_edge ? uint32_t(kWindowFull) : 0u;
}

// Keep-alive ACK: repeats this direction's last ACK and window (non-zero),
// no data, right after the other side sent a keep-alive.
uint32_t keep_alive_ack(const RuleInput& in) {
  const TcpSegment& s = in.seg;
  bool same_window = s.window != 0 && equals(in.fwd.window, s.window);
  bool answers = (in.rev.last_segment_flags & kKeepAlive) != 0;
  return same_window && answers && repeats_last_ack(in) ? uint32_t(kKeepAliveAck) : 0u;
}

// Zero-window probe ACK: repeats this direction's last ACK and its zero
// window, no data, right after the other side sent a zero-window probe.
uint32_t zero_window_probe_ack(const RuleInput& in) {
  const TcpSegment& s = in.seg;
  bool still_zero = s.window == 0 && equals(in.fwd.window, 0);
  bool answers = (in.rev.last_segment_flags & kZeroWindowProbe) != 0;
  return still_zero && answers && repeats_last_ack(in) ? uint32_t(kZeroWindowProbeAck) : 0u;
}

// Duplicate ACK: no data, and the same sequence number, ACK number and
// (non-zero) window as this direction's previous segment.
uint32_t duplicate_ack(const RuleInput& in) {
  const TcpSegment& s = in.seg;
  bool same_window = s.window != 0 && equals(in.fwd.window, s.window);
  return same_window && repeats_last_ack(in) ? uint32_t(kDuplicateAck) : 0u;
}

bool acks_unseen_data(const RuleInput& in) {
  const TcpFlowState& rev = in.rev;
  return has_any(in.seg, kAck) && rev.max_seq_to_be_acked &&
         seq_after(in.seg.ack, *rev.max_seq_to_be_acked);
}

// ACKed unseen segment: the segment acknowledges data beyond everything
// seen from the other side. Reported once per loss: again only when the
// other side has sent more since, or its own ACK number has moved on.
uint32_t ack_lost_segment(const RuleInput& in) {
  if (!acks_unseen_data(in)) return 0;
  const TcpFlowState& rev = in.rev;
  // More was seen since the last report: report again. (tshark 4.0
  // compares these two without wrap-around; so do we.)
  if (*rev.max_seq_to_be_acked < rev.next_seq.value_or(0)) return kAckLostSegment;
  return rev.dup_ack_count == 0 && !rev.ack_lost_reported ? uint32_t(kAckLostSegment) : 0u;
}

// The retransmission family, for segments that occupy sequence space (data,
// SYN or FIN) and are not keep-alives, in this order:
//  - spurious retransmission: all its data was already acknowledged by the
//    other side;
//  - fast retransmission: it does not advance the sequence, it starts at the
//    ACK number the other side has sent at least two duplicate ACKs for, and
//    comes within 20 ms of the last of them;
//  - out-of-order: it does not advance the sequence, comes within one
//    handshake RTT (3 ms without one) of the highest segment, and does not
//    end where that one ended;
//  - retransmission: any other segment that does not advance the sequence.
// "Does not advance" means it starts before the next expected sequence
// number, except a segment of more than one byte starting one byte before it
// (it follows a zero-window probe and brings new data).
uint32_t retransmission_kind(const RuleInput& in, uint32_t flags_so_far) {
  const TcpSegment& s = in.seg;
  const TcpFlowState& fwd = in.fwd;
  const TcpFlowState& rev = in.rev;
  if (s.payload_len == 0 && !has_any(s, kSyn | kFin)) return 0;
  if (flags_so_far & kKeepAlive) return 0;

  bool not_advanced = fwd.next_seq && seq_before(s.seq, *fwd.next_seq);
  if (s.payload_len > 1 && fwd.next_seq && *fwd.next_seq - 1 == s.seq) not_advanced = false;

  // An ACK number of 0 counts as none, as in Wireshark.
  if (s.payload_len > 0 && rev.last_ack && *rev.last_ack != 0 &&
      seq_at_or_before(s.seq + s.payload_len, *rev.last_ack))
    return kSpuriousRetransmission;
  if (!not_advanced) return 0;

  if (rev.dup_ack_count >= 2 && equals(rev.last_ack, s.seq) &&
      elapsed_ns(s.ts_ns, rev.last_ack_ts_ns) < uint64_t(kFastRetransmissionWindowNs))
    return kFastRetransmission;

  uint64_t window = uint64_t(in.conv.first_rtt_ns.value_or(kDefaultOutOfOrderWindowNs));
  uint32_t end = s.seq + s.payload_len + (has_any(s, kSyn | kFin) ? 1 : 0);
  if (elapsed_ns(s.ts_ns, fwd.next_seq_ts_ns) < window && *fwd.next_seq != end)
    return kOutOfOrder;
  return kRetransmission;
}

}  // namespace lurk
