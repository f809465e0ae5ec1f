// One TCP connection's packets as the per-connection graphs need them:
// relative sequence numbers of the data direction's segments, the other
// direction's ACK and advertised-window edge, RTT samples and cumulative
// bytes. Built once when a connection is selected (one SQL query), then kept
// as compact sorted arrays with min/max pyramids for the graphs' decimation.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/mark_style.h"
#include "core/stevens_decimation.h"

namespace lurk {
class Database;
}

namespace lurk::ui {

// One packet of the connection as read from the profile.
struct TcpSample {
  int64_t t_ns = 0;  // relative to the profile's origin
  uint32_t seq = 0, ack = 0;
  uint32_t payload_len = 0;
  uint32_t analysis = 0;
  int64_t window = 0;
  std::optional<int64_t> rtt_ns;
  uint8_t dir = 0;  // 0: A to B, 1: B to A
  uint8_t tcp_flags = 0;
};

// A data segment of the graphed direction: [seq, seq + len) at t.
struct SeqSegment {
  double seq = 0;        // relative to the direction's initial sequence number
  uint32_t len = 0;
  MarkKind kind = MarkKind::Normal;
  uint8_t pad[3] = {};
};
static_assert(sizeof(SeqSegment) == 16, "segments stay compact");

class ConnectionSeries {
 public:
  // Splits `samples` (sorted by time) into the graphs' series. The data
  // direction is the one that carried more payload bytes.
  static ConnectionSeries build(int64_t connection_id, std::span<const TcpSample> samples);
  // Reads the connection's packets from the profile and builds the series.
  static ConnectionSeries load(Database& db, int64_t connection_id, int64_t origin_ns);
  // The packets load() reads (lurk view sends them to a server-backed page:
  // GET /samples, core/sample_wire.h).
  static std::vector<TcpSample> read_samples(Database& db, int64_t connection_id, int64_t origin_ns);

  int64_t connection_id() const { return connection_id_; }
  int data_direction() const { return data_dir_; }

  // Data segments (payload, SYN or FIN) of the data direction.
  std::span<const int64_t> segment_times() const { return segment_t_; }
  std::span<const SeqSegment> segments() const { return segments_; }
  const MinMaxPyramid& segment_seq() const { return segment_seq_; }
  // Worst kind per segment range, as a pyramid over the kind's number.
  const MinMaxPyramid& segment_kind() const { return segment_kind_; }
  // Bytes sent up to and including segment i (prefix sums, for throughput).
  std::span<const double> cumulative_bytes() const { return cumulative_bytes_; }

  // ACKs of the other direction: the acknowledged and the window edge.
  std::span<const int64_t> ack_times() const { return ack_t_; }
  std::span<const double> ack_values() const { return ack_; }
  std::span<const double> window_edges() const { return window_edge_; }
  const MinMaxPyramid& ack_pyramid() const { return ack_pyramid_; }
  const MinMaxPyramid& window_pyramid() const { return window_pyramid_; }

  // RTT samples of either direction, in ns.
  std::span<const int64_t> rtt_times() const { return rtt_t_; }
  std::span<const double> rtt_values() const { return rtt_; }
  const MinMaxPyramid& rtt_pyramid() const { return rtt_pyramid_; }

  int64_t retransmissions() const { return retransmissions_; }
  double max_seq() const { return max_seq_; }

 private:
  void add_segment(const TcpSample& s, double rel_seq);
  void build_pyramids();

  int64_t connection_id_ = 0;
  int data_dir_ = 0;
  std::vector<int64_t> segment_t_;
  std::vector<SeqSegment> segments_;
  std::vector<double> cumulative_bytes_;
  MinMaxPyramid segment_seq_, segment_kind_;
  std::vector<int64_t> ack_t_;
  std::vector<double> ack_, window_edge_;
  MinMaxPyramid ack_pyramid_, window_pyramid_;
  std::vector<int64_t> rtt_t_;
  std::vector<double> rtt_;
  MinMaxPyramid rtt_pyramid_;
  int64_t retransmissions_ = 0;
  double max_seq_ = 0;
};

// Sequence numbers are 32-bit and wrap; this turns them into a 64-bit line
// relative to the first one it sees (or the SYN's, given first).
class SequenceUnwrapper {
 public:
  explicit SequenceUnwrapper(uint32_t initial) : last_raw_(initial), base_(initial) {}
  // Position of `raw` relative to the initial value, assuming it is within
  // 2^31 of the last value seen.
  double relative(uint32_t raw);

 private:
  uint32_t last_raw_;
  uint32_t base_;
  int64_t last_rel_ = 0;
};

}  // namespace lurk::ui
