// Arrows between a stack's threads and the packets they sent or received
// (DESIGN.md "Flow arrows ... from a thread's send to its packet"). A lurk
// JSONL `tcp` event that names its `thread` is stored as a packet of the
// trace's own connection with packets.sender_thread / receiver_thread; this
// pass gives each such segment a flow row: 'tcp-send' from the thread to the
// frame a capture of the same run saw (segment_matching.h: endpoints, seq,
// ack, length and flags; the frame nearest in time once the clocks are
// aligned), or to the trace's own segment row when no capture saw it;
// 'tcp-receive' from that frame to the thread. `lurk collect` writes the
// same rows per batch with the same writer (live/live_capture_joins.h).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "join/segment_matching.h"
#include "storage/sqlite_handle.h"

namespace lurk {

class Database;

struct PacketFlowSummary {
  int64_t to_captured = 0;  // flows ending at a captured frame
  int64_t to_traced = 0;    // flows ending at the trace's own segment row
};

// Decides every tcp-send / tcp-receive flow of the profile again. A flow
// already there that the pass would write again is kept as it is (same id):
// only the flows that changed are deleted and written, so a profile whose
// flows `lurk collect`'s batches already wrote (or an earlier ingest) keeps
// them, and a `lurk view --follow` page sees no row renumbered (which would
// make it fetch the profile whole: docs/live.md). Own savepoint
// (storage/savepoint.h): atomic alone, or part of the ingest's transaction.
PacketFlowSummary link_threads_to_packets(Database& db);

// A traced segment that names its thread (one of the two is set).
struct TracedPacket {
  int64_t packet_id = 0, ts_ns = 0;
  std::optional<int64_t> sender_thread, receiver_thread;
};

class KeptPacketFlows;

// Writes a traced segment's flow row: to the captured frame of the same
// identity nearest in time (within 1 s; of equally near ones the earlier,
// then the lower row id; `captured` in any order, may be empty), else to the
// segment's own row. Returns true for a captured frame. With `kept`, a row
// that is there already is taken from it instead of written again.
class PacketFlowWriter {
 public:
  explicit PacketFlowWriter(Database& db);
  bool write(const TracedPacket& p, const std::vector<TracedSegment::Frame>& captured,
             KeptPacketFlows* kept = nullptr);

 private:
  Statement insert_;
};

}  // namespace lurk
