// RTT samples from the TCP timestamp option (RFC 7323): a TSval one side
// sends comes back in the other side's TSecr, and the time between the first
// segment carrying that TSval and the first segment echoing it is a round
// trip. Unlike ACK RTT this also samples pure ACKs and retransmitted data.
// The rule in words is in docs/tcp-analysis.md ("Timestamp RTT").
#pragma once

#include <cstdint>
#include <cstddef>
#include <optional>
#include <vector>

#include "net/tcp_segment.h"

namespace lurk {

// A TSval a direction sent and when a segment first carried it.
struct SentTimestamp {
  uint32_t ts_val = 0;
  int64_t ts_ns = 0;
};

// The TSvals still waiting for their echo, oldest first: a vector whose
// oldest entries are dropped by moving its head (compacted when half of it
// is dropped). Not a std::deque: that allocates ~600 bytes per direction
// even when empty, 1.2 KB per connection kept until the capture ends.
class UnechoedTimestamps {
 public:
  const SentTimestamp* begin() const { return items_.data() + head_; }
  const SentTimestamp* end() const { return items_.data() + items_.size(); }
  size_t size() const { return items_.size() - head_; }
  void push_back(const SentTimestamp& sent) { items_.push_back(sent); }
  // Drops every entry up to and including `last`.
  void drop_through(const SentTimestamp* last) {
    head_ = static_cast<size_t>(last - items_.data()) + 1;
    if (head_ == items_.size()) {
      items_.clear();
      head_ = 0;
    } else if (head_ >= items_.size() / 2) {
      items_.erase(items_.begin(), items_.begin() + static_cast<std::ptrdiff_t>(head_));
      head_ = 0;
    }
  }

 private:
  std::vector<SentTimestamp> items_;
  size_t head_ = 0;
};

// What one direction remembers of the TSvals it sent.
struct TimestampEchoState {
  UnechoedTimestamps unechoed;  // oldest first; TSvals only grow (modulo 2^32)
  // The highest TSval seen from this direction, so a TSval seen again after
  // it was echoed (or dropped) is not taken for a new one.
  std::optional<uint32_t> highest_ts_val;
};

// Keeps at most this many unechoed TSvals per direction (a peer that never
// echoes must not grow memory without bound); past it, new ones are ignored.
inline constexpr size_t kMaxUnechoedTimestamps = 10000;

// Applies `segment` (sent by the side whose state is `fwd`; `rev` is the
// other side's): returns the timestamp RTT sample its TSecr gives, if any,
// then remembers its TSval.
std::optional<int64_t> timestamp_rtt_sample(const TcpSegment& segment, TimestampEchoState& fwd,
                                            TimestampEchoState& rev);

}  // namespace lurk
