// Whether a TCP connection has closed cleanly: both sides sent a FIN and
// each FIN was acknowledged by the other side (sequence numbers compared
// modulo 2^32, as TCP does). A RST after that is a closed socket answering a
// stray segment (a duplicate, a late retransmission), not the end of the
// connection: the connections table (`state`) and the RST finding
// (findings/tcp_findings.cpp) both ask this one tracker.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace lurk {

class TcpClose {
 public:
  // One segment of direction `dir` (0 or 1); RSTs are not part of a close.
  void note(int dir, uint8_t flags, uint32_t seq, uint32_t payload_len, uint32_t ack) {
    constexpr uint8_t kFin = 0x01, kRst = 0x04, kAck = 0x10;
    if (flags & kRst) return;
    if (flags & kFin) fin_end_[dir] = seq + payload_len + 1u;
    const auto& other_fin = fin_end_[1 - dir];
    if ((flags & kAck) && other_fin && int32_t(ack - *other_fin) >= 0) fin_acked_[1 - dir] = true;
  }
  bool closed() const { return fin_acked_[0] && fin_acked_[1]; }

 private:
  // Per side: the sequence number just past its FIN, and whether the other
  // side has acknowledged it.
  std::array<std::optional<uint32_t>, 2> fin_end_{};
  std::array<bool, 2> fin_acked_{};
};

}  // namespace lurk
