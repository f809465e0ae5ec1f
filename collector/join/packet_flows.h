// Arrows between a stack's threads and the packets they sent or received
// (DESIGN.md "Flow arrows ... from a thread's send to its packet"). A lurk
// JSONL `tcp` event that names its `thread` is stored as a packet of the
// trace's own connection with packets.sender_thread / receiver_thread; this
// pass gives each such segment a flow row: 'tcp-send' from the thread to the
// frame a capture of the same run saw (segment_matching.h: endpoints, seq,
// ack, length and flags; the frame nearest in time once the clocks are
// aligned), or to the trace's own segment row when no capture saw it;
// 'tcp-receive' from that frame to the thread.
#pragma once

#include <cstdint>

namespace lurk {

class Database;

struct PacketFlowSummary {
  int64_t to_captured = 0;  // flows ending at a captured frame
  int64_t to_traced = 0;    // flows ending at the trace's own segment row
};

// Rebuilds every tcp-send / tcp-receive flow of the profile. Own savepoint
// (storage/savepoint.h): atomic alone, or part of the ingest's transaction.
PacketFlowSummary link_threads_to_packets(Database& db);

}  // namespace lurk
