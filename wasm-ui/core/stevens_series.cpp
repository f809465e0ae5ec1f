#include "core/stevens_series.h"

#include <algorithm>

#include "net/analysis_flags.h"
#include "net/tcp_segment.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {

double SequenceUnwrapper::relative(uint32_t raw) {
  // The signed 32-bit difference is the step along the wrapped line.
  last_rel_ += int64_t(int32_t(raw - last_raw_));
  last_raw_ = raw;
  return double(last_rel_);
}

void ConnectionSeries::add_segment(const TcpSample& s, double rel_seq) {
  SeqSegment seg;
  seg.seq = rel_seq;
  // SYN and FIN take one sequence number each.
  seg.len = s.payload_len + ((s.tcp_flags & kSyn) ? 1 : 0) + ((s.tcp_flags & kFin) ? 1 : 0);
  seg.kind = mark_kind(s.analysis, s.tcp_flags);
  if (s.analysis & (kRetransmission | kFastRetransmission | kSpuriousRetransmission))
    ++retransmissions_;
  double before = cumulative_bytes_.empty() ? 0 : cumulative_bytes_.back();
  cumulative_bytes_.push_back(before + s.payload_len);
  max_seq_ = std::max(max_seq_, rel_seq + seg.len);
  segment_t_.push_back(s.t_ns);
  segments_.push_back(seg);
}

ConnectionSeries ConnectionSeries::build(int64_t connection_id, std::span<const TcpSample> samples) {
  ConnectionSeries series;
  series.connection_id_ = connection_id;
  uint64_t bytes[2] = {0, 0};
  for (const TcpSample& s : samples) bytes[s.dir ? 1 : 0] += s.payload_len;
  series.data_dir_ = bytes[1] > bytes[0] ? 1 : 0;

  // The data direction's first sequence number is the graph's zero; the
  // other side's ACKs are measured on the same line.
  auto first_data = std::find_if(samples.begin(), samples.end(), [&](const TcpSample& s) {
    return int(s.dir ? 1 : 0) == series.data_dir_;
  });
  uint32_t initial = first_data == samples.end() ? 0 : first_data->seq;
  SequenceUnwrapper seq_line(initial), ack_line(initial);
  for (const TcpSample& s : samples) {
    bool data_dir = int(s.dir ? 1 : 0) == series.data_dir_;
    if (data_dir && (s.payload_len > 0 || (s.tcp_flags & (kSyn | kFin))))
      series.add_segment(s, seq_line.relative(s.seq));
    if (!data_dir && (s.tcp_flags & kAck) && first_data != samples.end()) {
      double ack = ack_line.relative(s.ack);
      series.ack_t_.push_back(s.t_ns);
      series.ack_.push_back(ack);
      series.window_edge_.push_back(ack + double(s.window));
    }
    if (s.rtt_ns) {
      series.rtt_t_.push_back(s.t_ns);
      series.rtt_.push_back(double(*s.rtt_ns));
    }
  }
  series.build_pyramids();
  return series;
}

void ConnectionSeries::build_pyramids() {
  std::vector<double> lo(segments_.size()), hi(segments_.size()), kind(segments_.size());
  for (size_t i = 0; i < segments_.size(); ++i) {
    lo[i] = segments_[i].seq;
    hi[i] = segments_[i].seq + segments_[i].len;
    kind[i] = double(segments_[i].kind);
  }
  segment_seq_ = MinMaxPyramid(lo, hi);
  segment_kind_ = MinMaxPyramid(kind, kind);
  ack_pyramid_ = MinMaxPyramid(ack_, ack_);
  window_pyramid_ = MinMaxPyramid(window_edge_, window_edge_);
  rtt_pyramid_ = MinMaxPyramid(rtt_, rtt_);
}

ConnectionSeries ConnectionSeries::load(Database& db, int64_t connection_id, int64_t origin_ns) {
  return build(connection_id, read_samples(db, connection_id, origin_ns));
}

std::vector<TcpSample> ConnectionSeries::read_samples(Database& db, int64_t connection_id, int64_t origin_ns) {
  Statement query = db.prepare(
      "SELECT ts_ns, dir, seq, ack, payload_len, tcp_flags, window, analysis, rtt_ns "
      "FROM packets WHERE connection_id = ?1 ORDER BY ts_ns, frame");
  query.bind(1, connection_id);
  std::vector<TcpSample> samples;
  while (query.step()) {
    TcpSample s;
    s.t_ns = query.column_int(0) - origin_ns;
    s.dir = uint8_t(query.column_int(1) ? 1 : 0);
    s.seq = uint32_t(query.column_int(2));
    s.ack = uint32_t(query.column_int(3));
    s.payload_len = uint32_t(query.column_int(4));
    s.tcp_flags = uint8_t(query.column_int(5));
    s.window = query.column_int(6);
    s.analysis = uint32_t(query.column_int(7));
    s.rtt_ns = query.column_optional_int(8);
    samples.push_back(s);
  }
  return samples;
}

}  // namespace lurk::ui
