// TcpAnalyzer: the per-connection TCP analysis the connection tracker runs
// on each segment in file order. It applies the rules of tcp_rules.h in
// their order of precedence, then updates both directions' state (next
// expected sequence number, last ACK and window, duplicate-ACK run, unacked
// segments for RTT samples, window scaling from the SYN options).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <string>

#include "analysis/tcp_flow_state.h"
#include "analysis/tcp_rules.h"
#include "analysis/tcp_timestamp_rtt.h"
#include "net/connection_observer.h"

namespace lurk {

class TcpAnalyzer : public SegmentAnalyzer {
 public:
  void analyze(const TcpSegment& segment, int dir, PacketRow& row) override;
  std::string flags_json() const override;

  // The flags the rules give `segment`, and the state updates after it;
  // what analyze() stores in the row. Exposed for tests.
  struct Result {
    uint32_t flags = 0;
    std::optional<int64_t> dup_ack_num, dup_ack_frame, rtt_ns;
    std::optional<int64_t> ts_rtt_ns;  // from the timestamp option (tcp_timestamp_rtt.h)
    int64_t scaled_window = 0;
  };
  Result run(const TcpSegment& segment, int dir);

  const TcpFlowState& flow(int dir) const { return flows_[dir]; }

 private:
  uint32_t apply_rules(const RuleInput& in) const;
  static void update_duplicate_acks(const TcpSegment& s, uint32_t flags, TcpFlowState& fwd,
                                    Result& result);
  static void note_ack_lost(TcpFlowState& rev);
  static void record_sent(const TcpSegment& s, uint32_t flags, TcpFlowState& fwd);
  void update_window_scale(const TcpSegment& segment, int dir);
  void update_handshake_rtt(const TcpSegment& s);
  void count(uint32_t flags);

  std::array<TcpFlowState, 2> flows_;
  std::array<TimestampEchoState, 2> timestamps_;
  TcpConversationState conv_;
  std::array<int64_t, 32> flag_counts_{};
};

// Wireshark keeps at most this many unacknowledged segments per direction;
// past it, new segments are not remembered (and a FIN's extra sequence
// number is not counted), which we follow.
inline constexpr size_t kMaxUnackedSegments = 10000;

}  // namespace lurk
