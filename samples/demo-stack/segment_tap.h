// The demo stack's view of its own TCP segments. The kernel's TCP does not
// tell a program its sequence numbers, so the demo reads the segments of its
// own connections off its interface with an AF_PACKET socket and traces each
// as a lurk `tcp` event carrying the thread that owns the connection. It can
// also send a copy of the last pure ACK it sent (a duplicate ACK the kernel
// would never send), for the duplicate-ACK-after-FIN switch.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "connection_tuple.h"
#include "jsonl_trace.h"

namespace lurk::demo {

// Parses one Ethernet frame holding TCP over IPv4 or IPv6 (no extension
// headers). `outgoing`: the frame left this host. False when it is not TCP.
bool parse_tcp_frame(const uint8_t* frame, size_t size, bool outgoing, SegmentHeader& out);

class SegmentTap {
 public:
  // Opens the tap on `interface` (needs root); throws with the reason when it cannot.
  SegmentTap(const std::string& interface, JsonlTrace& trace);
  ~SegmentTap();
  SegmentTap(const SegmentTap&) = delete;
  SegmentTap& operator=(const SegmentTap&) = delete;

  void watch_local_port(uint16_t port);  // every connection on this local port is ours
  void own(const ConnectionTuple& tuple, const std::string& thread);  // segments name this thread
  // Waits (up to timeout_ms) until we have sent the pure ACK of the peer's FIN,
  // then sends `copies` more of that exact frame. False if there was none.
  bool resend_ack_of_fin(const ConnectionTuple& tuple, int copies, int timeout_ms);

 private:
  struct ConnectionState {
    std::string thread;
    std::vector<uint8_t> last_pure_ack;  // the frame, as we sent it
    SegmentHeader last_pure_ack_header;
    uint32_t ack_of_fin = 0;  // the ack number that acknowledges the peer's FIN
    bool peer_fin = false;
  };

  void run();
  void handle_frame(const uint8_t* frame, size_t size, bool outgoing);

  JsonlTrace& trace_;
  int fd_ = -1;
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<uint16_t> local_ports_;
  std::map<ConnectionTuple, ConnectionState> connections_;
  std::thread reader_;
};

}  // namespace lurk::demo
