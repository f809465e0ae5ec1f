// The segments one direction sent that no ACK from the other side has
// covered yet, kept for ACK RTT samples (Wireshark's "unacked" list).
//
// Wireshark walks the whole list on every ACK, which is slow with a large
// window in flight. What an ACK does to a segment depends only on that
// segment (covered exactly: an RTT sample, and dropped; covered wholly:
// dropped; covered in part: trimmed; else kept), so the segments can be kept
// in two lists: those sent in sequence order, without overlap (new data),
// where an ACK can only cover a run of the oldest ones, so it stops at the
// first one it does not cover; and the few that overlapped what was sent
// before (retransmissions), which it walks. The RTT sample comes from the
// oldest segment the ACK covers exactly, as in Wireshark.
// take_acked_walking_all() is the plain walk, for tests to compare against.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

namespace lurk {

// A segment sent in this direction that no ACK from the other side has yet
// covered.
struct UnackedSegment {
  int64_t frame = 0;               // frames grow in the order segments are added
  uint32_t seq = 0, next_seq = 0;  // next_seq: seq + length (+1 for SYN/FIN)
  int64_t ts_ns = 0;
};

class UnackedSegments {
 public:
  // Remembers a segment just sent (the newest).
  void add(const UnackedSegment& segment);
  // Applies an ACK; returns the RTT sample it gives, if any.
  std::optional<int64_t> take_acked(uint32_t ack, int64_t ack_ts_ns);
  // The same, walking every segment.
  std::optional<int64_t> take_acked_walking_all(uint32_t ack, int64_t ack_ts_ns);

  size_t size() const { return in_order_.size() - head_ + overlapping_.size(); }
  bool empty() const { return size() == 0; }

 private:
  // The oldest segment `ack` covers exactly, of those it met so far.
  struct Match {
    std::optional<UnackedSegment> oldest;
    void offer(const UnackedSegment& s) {
      if (!oldest || s.frame < oldest->frame) oldest = s;
    }
  };
  void take_in_order(uint32_t ack, Match& match);
  static void walk(std::vector<UnackedSegment>& segments, size_t from, uint32_t ack, Match& match);

  // Oldest first, each starting at or after the end of the one before it.
  // The live ones are [head_, end): taking the oldest only moves head_; the
  // taken ones are dropped in bulk later.
  std::vector<UnackedSegment> in_order_;
  size_t head_ = 0;
  std::vector<UnackedSegment> overlapping_;  // oldest first
};

}  // namespace lurk
