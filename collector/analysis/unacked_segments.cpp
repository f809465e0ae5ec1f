#include "analysis/unacked_segments.h"

#include "analysis/tcp_flow_state.h"

namespace lurk {

void UnackedSegments::add(const UnackedSegment& segment) {
  bool follows = in_order_.size() == head_ ||
                 !seq_before(segment.seq, in_order_.back().next_seq);
  if (!follows) {
    overlapping_.push_back(segment);
    return;
  }
  if (head_ > 0 && head_ >= in_order_.size() / 2) {
    in_order_.erase(in_order_.begin(), in_order_.begin() + static_cast<ptrdiff_t>(head_));
    head_ = 0;
  }
  in_order_.push_back(segment);
}

void UnackedSegments::take_in_order(uint32_t ack, Match& match) {
  for (; head_ < in_order_.size(); ++head_) {
    UnackedSegment& oldest = in_order_[head_];
    if (ack == oldest.next_seq) {
      match.offer(oldest);
      ++head_;
      return;  // every newer segment starts at or after this ACK
    }
    if (seq_after(oldest.next_seq, ack)) {
      if (seq_after(ack, oldest.seq)) oldest.seq = ack;  // partly acknowledged
      return;
    }
    // wholly acknowledged: dropped by moving head_
  }
}

// Each segment on its own; the kept ones move down in one pass.
void UnackedSegments::walk(std::vector<UnackedSegment>& segments, size_t from, uint32_t ack,
                           Match& match) {
  size_t kept = from;
  for (size_t i = from; i < segments.size(); ++i) {
    UnackedSegment segment = segments[i];
    if (ack == segment.next_seq) {
      match.offer(segment);
      continue;
    }
    if (!seq_after(segment.next_seq, ack)) continue;     // wholly acknowledged
    if (seq_after(ack, segment.seq)) segment.seq = ack;  // partly acknowledged
    segments[kept++] = segment;
  }
  segments.resize(kept);
}

std::optional<int64_t> UnackedSegments::take_acked(uint32_t ack, int64_t ack_ts_ns) {
  Match match;
  take_in_order(ack, match);
  if (!overlapping_.empty()) walk(overlapping_, 0, ack, match);
  if (!match.oldest) return std::nullopt;
  return ack_ts_ns - match.oldest->ts_ns;
}

std::optional<int64_t> UnackedSegments::take_acked_walking_all(uint32_t ack, int64_t ack_ts_ns) {
  Match match;
  walk(in_order_, head_, ack, match);
  walk(overlapping_, 0, ack, match);
  if (!match.oldest) return std::nullopt;
  return ack_ts_ns - match.oldest->ts_ns;
}

}  // namespace lurk
