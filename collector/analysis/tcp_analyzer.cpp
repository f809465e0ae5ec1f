// TcpAnalyzer: runs the rules in their order of precedence and keeps the
// per-direction state they read. The state updates follow Wireshark's
// tcp_analyze_sequence_number, so the flags agree with tshark's frame by
// frame (docs/tcp-analysis.md lists where and why they do not).
#include "analysis/tcp_analyzer.h"

#include <bit>

#include "net/analysis_flags.h"

namespace lurk {
namespace {

bool occupies_sequence_space(const TcpSegment& s) {
  return s.payload_len > 0 || (s.flags & (kSyn | kFin)) != 0;
}

// Wireshark shows a fast or spurious retransmission also as a
// retransmission (tcp.analysis.retransmission is set on it), so a filter on
// that field finds every kind; the stored bits follow the fields.
uint32_t with_wireshark_fields(uint32_t retransmission) {
  if (retransmission & (kFastRetransmission | kSpuriousRetransmission))
    return retransmission | kRetransmission;
  return retransmission;
}

}  // namespace

// The order of precedence. A zero-window probe is only that; a keep-alive
// ACK or a zero-window probe ACK is not also a duplicate ACK.
uint32_t TcpAnalyzer::apply_rules(const RuleInput& in) const {
  if (uint32_t probe = zero_window_probe(in)) return probe;
  uint32_t flags = 0;
  flags |= zero_window(in);
  flags |= lost_segment(in);
  flags |= keep_alive(in);
  flags |= window_update(in);
  flags |= window_full(in);
  if (uint32_t ack = keep_alive_ack(in)) return flags | ack;
  if (uint32_t ack = zero_window_probe_ack(in)) return flags | ack;
  return flags | duplicate_ack(in);
}

// A duplicate ACK extends the run of this direction and names the ACK it
// repeats; any new ACK number starts a new run.
void TcpAnalyzer::update_duplicate_acks(const TcpSegment& s, uint32_t flags, TcpFlowState& fwd,
                                        Result& result) {
  if (flags & kDuplicateAck) {
    fwd.dup_ack_count += 1;
    fwd.ack_lost_reported = false;
    result.dup_ack_num = fwd.dup_ack_count;
    result.dup_ack_frame = fwd.last_non_dup_ack_frame;
  }
  if (!fwd.last_ack || *fwd.last_ack != s.ack) {
    fwd.last_non_dup_ack_frame = s.frame;
    fwd.dup_ack_count = 0;
    fwd.ack_lost_reported = false;
  }
}

TcpAnalyzer::Result TcpAnalyzer::run(const TcpSegment& s, int dir) {
  TcpFlowState& fwd = flows_[dir];
  TcpFlowState& rev = flows_[1 - dir];
  RuleInput in{s, fwd, rev, conv_};
  Result result;

  uint32_t flags = apply_rules(in);
  update_duplicate_acks(s, flags, fwd, result);
  bool unseen = acks_unseen_data(in);
  flags |= ack_lost_segment(in);
  if (unseen) note_ack_lost(rev);
  flags |= with_wireshark_fields(retransmission_kind(in, flags));

  record_sent(s, flags, fwd);
  fwd.window = s.window;
  fwd.window_from_syn = (s.flags & kSyn) != 0;
  fwd.last_ack = s.ack;
  fwd.last_ack_ts_ns = s.ts_ns;
  fwd.last_segment_flags = flags;
  result.rtt_ns = rev.unacked.take_acked(s.ack, s.ts_ns);
  result.ts_rtt_ns = timestamp_rtt_sample(s, timestamps_[dir], timestamps_[1 - dir]);

  update_handshake_rtt(s);
  // A SYN whose options the capture cut says nothing of its scale (as in
  // Wireshark, which reads the scale where the cut stops it): it stays unknown.
  if (!s.options_cut_short) update_window_scale(s, dir);
  result.flags = flags;
  int64_t window = s.window;
  if (!(s.flags & kSyn)) window <<= fwd.scale.effective_shift();
  result.scaled_window = window;
  return result;
}

// After an ACK of unseen data, the other direction's limit moves up to its
// next sequence number (when it had sent more since), or else its ACK run
// is marked reported, so one loss is reported once.
void TcpAnalyzer::note_ack_lost(TcpFlowState& rev) {
  if (*rev.max_seq_to_be_acked < rev.next_seq.value_or(0)) {
    rev.max_seq_to_be_acked = rev.next_seq.value_or(0);
  } else {
    rev.dup_ack_count = 0;
    rev.ack_lost_reported = true;
  }
}

// Remembers what this segment sent: an unacked entry for RTT, the highest
// next sequence number, and the end of the contiguous data. A zero-window
// probe does not advance either.
void TcpAnalyzer::record_sent(const TcpSegment& s, uint32_t flags, TcpFlowState& fwd) {
  uint32_t next_seq = s.seq + s.payload_len;
  if (occupies_sequence_space(s) && fwd.unacked.size() < kMaxUnackedSegments) {
    if (s.flags & (kSyn | kFin)) next_seq += 1;
    fwd.unacked.add({s.frame, s.seq, next_seq, s.ts_ns});
  }
  bool probe = (flags & kZeroWindowProbe) != 0;
  if (!probe && (!fwd.next_seq || seq_after(next_seq, *fwd.next_seq))) {
    fwd.next_seq = next_seq;
    fwd.next_seq_frame = s.frame;
    fwd.next_seq_ts_ns = s.ts_ns;
  }
  bool contiguous = !fwd.max_seq_to_be_acked || *fwd.max_seq_to_be_acked == s.seq;
  if (!probe && contiguous) fwd.max_seq_to_be_acked = fwd.next_seq;
}

// The handshake RTT bounds "out-of-order": from the last SYN to the first
// pure ACK after it.
void TcpAnalyzer::update_handshake_rtt(const TcpSegment& s) {
  uint8_t syn_ack = s.flags & (kSyn | kAck);
  if (syn_ack == kSyn) conv_.last_syn_ts_ns = s.ts_ns;
  if (syn_ack == kAck && conv_.last_syn_ts_ns && !conv_.first_rtt_ns) {
    int64_t rtt = s.ts_ns - *conv_.last_syn_ts_ns;
    if (rtt != 0) conv_.first_rtt_ns = rtt;  // Wireshark reads a zero RTT as "none yet"
  }
}

// Window scaling from the SYN options. A SYN without the option means
// neither side scales; so does a SYN/ACK without it, or a SYN/ACK with it
// answering a SYN without it.
void TcpAnalyzer::update_window_scale(const TcpSegment& segment, int dir) {
  if (!segment.has(kSyn)) return;
  WindowScale& fwd = flows_[dir].scale;
  WindowScale& rev = flows_[1 - dir].scale;
  if (segment.options.window_scale) {
    fwd.state = WindowScale::State::Shift;
    fwd.shift = std::min<uint8_t>(*segment.options.window_scale, 14);
  }
  bool syn_ack = segment.has(kAck);
  if (fwd.state == WindowScale::State::Unknown) {
    fwd.state = WindowScale::State::NotUsed;
    rev.state = WindowScale::State::NotUsed;
  } else if (syn_ack && rev.state == WindowScale::State::NotUsed) {
    fwd.state = WindowScale::State::NotUsed;
  }
}

void TcpAnalyzer::count(uint32_t flags) {
  for (uint32_t rest = flags; rest != 0; rest &= rest - 1) ++flag_counts_[std::countr_zero(rest)];
}

void TcpAnalyzer::analyze(const TcpSegment& segment, int dir, PacketRow& row) {
  Result result = run(segment, dir);
  row.window = result.scaled_window;
  if (segment.options_cut_short) {
    // Wireshark analyses such a segment (it counts as sent, acked, a
    // duplicate ACK...) but stops dissecting where the capture cut its TCP
    // options, before it shows the result: the segment gets no flags and no
    // RTT. lurk follows, so a snaplen-cut capture (tcpdump's old -s 68, SACK
    // blocks past the snaplen) reads as it does in Wireshark. The timestamp
    // RTT is lurk's own (Wireshark has none): a timestamp option read whole
    // before the cut gives its sample, as the rule says (docs/tcp-analysis.md).
    count(uint32_t(row.analysis));
    row.ts_rtt_ns = result.ts_rtt_ns;
    return;
  }
  row.analysis |= result.flags;
  count(uint32_t(row.analysis));
  row.dup_ack_num = result.dup_ack_num;
  row.dup_ack_frame = result.dup_ack_frame;
  row.rtt_ns = result.rtt_ns;
  row.ts_rtt_ns = result.ts_rtt_ns;
}

std::string TcpAnalyzer::flags_json() const {
  std::string json = "{";
  for (const AnalysisFlagName& name : kAnalysisFlagNames) {
    int64_t n = flag_counts_[std::countr_zero(uint32_t(name.flag))];
    if (n == 0) continue;
    if (json.size() > 1) json += ",";
    json += "\"" + std::string(name.field) + "\":" + std::to_string(n);
  }
  return json + "}";
}

}  // namespace lurk
