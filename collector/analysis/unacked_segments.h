// The segments one direction sent that no ACK from the other side has
// covered yet, kept for ACK RTT samples (Wireshark's "unacked" list).
//
// Wireshark walks the whole list on every ACK. In a healthy transfer the
// segments are in sequence order without overlap, and then an ACK can only
// cover a run of the oldest ones: take_acked() stops at the first segment it
// does not cover. After a retransmission (an overlap) it walks everything,
// like Wireshark, until the list is in order again. Both give the same
// answers (tests/unit/unacked_segments_test.cpp compares them).
#pragma once

#include <cstddef>
#include <cstdint>
#include <deque>
#include <optional>

namespace lurk {

// A segment sent in this direction that no ACK from the other side has yet
// covered.
struct UnackedSegment {
  int64_t frame = 0;
  uint32_t seq = 0, next_seq = 0;  // next_seq: seq + length (+1 for SYN/FIN)
  int64_t ts_ns = 0;
};

class UnackedSegments {
 public:
  // Remembers a segment just sent (the newest).
  void add(const UnackedSegment& segment);
  // Drops the segments `ack` covers and trims one it covers in part. The ACK
  // that covers a segment exactly gives an RTT sample: the time since that
  // segment (the oldest such one, when it was sent more than once).
  std::optional<int64_t> take_acked(uint32_t ack, int64_t ack_ts_ns);
  // The same by walking every segment, whatever their order.
  std::optional<int64_t> take_acked_walking_all(uint32_t ack, int64_t ack_ts_ns);

  size_t size() const { return newest_first_.size(); }
  bool empty() const { return newest_first_.empty(); }

 private:
  bool check_in_order() const;

  std::deque<UnackedSegment> newest_first_;
  // Each segment starts at or after the end of the one sent before it.
  bool in_order_ = true;
};

}  // namespace lurk
