// Finds, for the TCP segments a stack traced itself (lurk JSONL `tcp`
// events, stored as packets of the trace's own connections), the frames a
// capture in the same profile saw of the same segments: same endpoints and
// direction, sequence and acknowledgement numbers, payload length and flags.
// The clock pass (clock_alignment) reads the time differences of the pairs;
// the packet-flow pass (packet_flows) draws an arrow from a thread to the
// frame its segment became.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lurk {

class Database;
class Statement;

// One segment of a trace and the captured frames with the same identity.
struct TracedSegment {
  int64_t packet_id = 0;  // the trace's own packets row
  int64_t source_id = 0;  // the trace
  int64_t ts_ns = 0;      // as stored (the trace's clock plus its current offset)
  uint8_t tcp_flags = 0;
  bool unique_in_trace = true;  // no other segment of its source has the same identity
  struct Frame {
    int64_t packet_id = 0, ts_ns = 0;
  };
  // The capture's frames with that identity, in time order, frames of the
  // same time in row order (the order they were captured in).
  std::vector<Frame> captured;
};

// The sources whose packets are captured frames (a trace's own segments,
// lurk JSONL's or any other trace format's, never are): an SQL list for
// "sources.format IN ...". The flows end only at their frames, in the whole
// pass and in `lurk collect`'s batches alike.
inline constexpr const char* kCaptureFormats = "('pcap', 'pcapng')";

// The columns a segment's identity is made of, for a query over
// "packets p JOIN connections c ON c.id = p.connection_id": seq, ack,
// payload length, flags, then the sender's and the receiver's endpoints.
extern const char* const kSegmentIdentityColumns;
// The identity of the segment of a row whose kSegmentIdentityColumns start at
// column `first`: equal for a traced segment and the captured frame of it.
std::string segment_identity(const Statement& row, int first);

// Every traced segment of non-capture sources that has at least one captured
// frame with its identity. Reads only the packets of connections whose
// endpoints both a trace and a capture have (none without a capture).
std::vector<TracedSegment> match_traced_segments(Database& db);

}  // namespace lurk
