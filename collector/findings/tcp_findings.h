// The TCP part of the findings detector (docs/findings.md): walks each
// capture connection's packets in frame order, with their analysis flags, as
// the connection tracker writes them (so no second pass over the packets),
// and reports RST on an established connection,
// retransmission-timeout stalls, spurious retransmissions, zero-window
// stalls, duplicate-ACK runs of 3+ without a fast retransmission, and
// duplicate ACKs after a FIN.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "findings/finding_text.h"
#include "storage/rows.h"

namespace lurk {

// The findings of one connection, from its packets in file order.
class TcpConnectionScan {
 public:
  TcpConnectionScan(int64_t connection_id, ConnectionNames names);
  ~TcpConnectionScan();
  TcpConnectionScan(const TcpConnectionScan&) = delete;
  TcpConnectionScan& operator=(const TcpConnectionScan&) = delete;

  void add(const PacketRow& packet);
  // The findings complete so far (each one once: they are not returned
  // again), for `lurk collect`'s batches; what is still open is not.
  std::vector<FindingRow> take_found();
  // Closes what is still open at the end of the capture; returns every
  // finding not taken yet.
  std::vector<FindingRow> finish();

 private:
  class Impl;
  std::vector<FindingRow> found_;
  std::unique_ptr<Impl> impl_;
};

// The shortest sender silence before a retransmission that counts as a
// retransmission timeout: Linux's minimum RTO (TCP_RTO_MIN; RFC 6298 asks
// for 1 s). Shorter ones are duplicates made by the network, tail-loss
// probes or recovery bursts, not a timer firing.
inline constexpr int64_t kMinRtoSilenceNs = 200'000'000;
// Duplicate ACKs that can trigger a fast retransmission (the analysis's
// fast-retransmission rule asks for two); fewer before a retransmission
// leave only the timer.
inline constexpr int64_t kFastRetransmissionDupAcks = 2;

// Severities (higher is worse); the order `lurk findings` ranks by.
inline constexpr int kSeverityConnectionEndException = 90;
inline constexpr int kSeverityException = 80;
inline constexpr int kSeverityNeverResolved = 70;
inline constexpr int kSeverityRstEstablished = 60;
inline constexpr int kSeverityRtoStall = 50;
inline constexpr int kSeverityZeroWindowStall = 40;
inline constexpr int kSeverityDupAckRunNoFastRetransmission = 30;
inline constexpr int kSeveritySpuriousRetransmission = 20;
inline constexpr int kSeverityDupAckAfterFin = 10;

}  // namespace lurk
