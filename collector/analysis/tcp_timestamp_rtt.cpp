// Timestamp RTT samples: see tcp_timestamp_rtt.h and docs/tcp-analysis.md.
#include "analysis/tcp_timestamp_rtt.h"

#include "analysis/tcp_flow_state.h"

namespace lurk {
namespace {

// The echo: TSecr is only meaningful with the ACK bit (RFC 7323 3.2; a SYN
// carries TSecr 0). Echoing a TSval still waiting gives a sample; it and all
// older TSvals are then done, so each TSval gives at most one sample.
std::optional<int64_t> take_echo(const TcpSegment& segment, TimestampEchoState& rev) {
  if (!segment.has(kAck) || !segment.options.ts_ecr) return std::nullopt;
  uint32_t echoed = *segment.options.ts_ecr;
  for (auto it = rev.unechoed.begin(); it != rev.unechoed.end(); ++it) {
    if (seq_after(it->ts_val, echoed)) break;  // newer than the echo: not echoed yet
    if (it->ts_val != echoed) continue;
    int64_t sample = segment.ts_ns - it->ts_ns;
    rev.unechoed.drop_through(it);
    return sample;
  }
  return std::nullopt;
}

// Remembers a TSval the first time it is seen (many segments in a row carry
// the same one when the sender's clock ticks slower than it sends).
void note_sent(const TcpSegment& segment, TimestampEchoState& fwd) {
  if (!segment.options.ts_val) return;
  uint32_t ts_val = *segment.options.ts_val;
  if (fwd.highest_ts_val && !seq_after(ts_val, *fwd.highest_ts_val)) return;
  fwd.highest_ts_val = ts_val;
  if (fwd.unechoed.size() < kMaxUnechoedTimestamps) fwd.unechoed.push_back({ts_val, segment.ts_ns});
}

}  // namespace

std::optional<int64_t> timestamp_rtt_sample(const TcpSegment& segment, TimestampEchoState& fwd,
                                            TimestampEchoState& rev) {
  std::optional<int64_t> sample = take_echo(segment, rev);
  note_sent(segment, fwd);
  return sample;
}

}  // namespace lurk
