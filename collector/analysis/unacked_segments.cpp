#include "analysis/unacked_segments.h"

#include "analysis/tcp_flow_state.h"

namespace lurk {

void UnackedSegments::add(const UnackedSegment& segment) {
  if (!newest_first_.empty() && seq_before(segment.seq, newest_first_.front().next_seq))
    in_order_ = false;
  newest_first_.push_front(segment);
}

std::optional<int64_t> UnackedSegments::take_acked(uint32_t ack, int64_t ack_ts_ns) {
  if (!in_order_) return take_acked_walking_all(ack, ack_ts_ns);
  std::optional<int64_t> rtt;
  while (!newest_first_.empty()) {
    UnackedSegment& oldest = newest_first_.back();
    if (ack == oldest.next_seq) {
      rtt = ack_ts_ns - oldest.ts_ns;
      newest_first_.pop_back();
      break;  // every newer segment starts at or after this ACK
    }
    if (seq_after(oldest.next_seq, ack)) {
      if (seq_after(ack, oldest.seq)) oldest.seq = ack;  // partly acknowledged
      break;
    }
    newest_first_.pop_back();  // wholly acknowledged
  }
  return rtt;
}

std::optional<int64_t> UnackedSegments::take_acked_walking_all(uint32_t ack, int64_t ack_ts_ns) {
  std::optional<int64_t> rtt;
  for (auto it = newest_first_.begin(); it != newest_first_.end();) {
    if (ack == it->next_seq) {
      rtt = ack_ts_ns - it->ts_ns;
    } else if (seq_after(ack, it->seq) && seq_at_or_before(ack, it->next_seq)) {
      it->seq = ack;  // partly acknowledged: keep the rest
      ++it;
      continue;
    } else if (seq_after(it->next_seq, ack)) {
      ++it;
      continue;
    }
    it = newest_first_.erase(it);
  }
  in_order_ = check_in_order();
  return rtt;
}

bool UnackedSegments::check_in_order() const {
  for (size_t i = 1; i < newest_first_.size(); ++i)
    if (seq_before(newest_first_[i - 1].seq, newest_first_[i].next_seq)) return false;
  return true;
}

}  // namespace lurk
