// Groups TCP segments into connections by 4-tuple, starting a new connection
// when a port is reused (a SYN whose sequence number is not the one this
// side started from, as Wireshark decides it), keeps each connection's
// counts and state, and writes connections and packets through the
// TraceWriter. TCP analysis and findings plug in per connection
// (net/connection_observer.h); the tracker knows neither.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "net/connection_observer.h"
#include "net/tcp_close.h"
#include "net/tcp_segment.h"
#include "storage/rows.h"

namespace lurk {

class TraceWriter;

// The unordered pair of endpoints of a connection, in a canonical order.
struct ConnectionKey {
  IpAddress addr_lo, addr_hi;
  uint16_t port_lo = 0, port_hi = 0;
  bool operator==(const ConnectionKey&) const = default;
};

struct ConnectionKeyHash {
  size_t operator()(const ConnectionKey& key) const;
};

class ConnectionTracker {
 public:
  ConnectionTracker(TraceWriter& writer, int64_t source_id, ConnectionPlugins plugins = {});

  void add(const TcpSegment& segment);
  // Writes the counts and state of the connections that changed since the
  // last flush (a live collect's batch, collector/live/), and tells their
  // observers (the findings that closed since are written): the cost
  // follows the batch, not the trace.
  void flush();
  // Writes the final counts and state of every connection, and tells its
  // observer the source ended (the findings: table capture_findings).
  void finish();

  size_t connection_count() const { return connections_.size(); }

 private:
  struct Connection {
    ConnectionRow row;
    IpAddress addr_a;
    uint16_t port_a = 0;
    // Where each direction's sequence numbers start (Wireshark's base_seq):
    // the SYN's sequence number, else one before the first one seen, else
    // one before the first ACK number the other side sent.
    std::array<std::optional<uint32_t>, 2> base_seq;
    std::unique_ptr<SegmentAnalyzer> analyzer;
    // Told of the packets as they are written (the findings, docs/findings.md).
    std::unique_ptr<ConnectionObserver> observer;
    // The clean close (both FINs acknowledged), and whether a RST came before
    // it: a RST after it is a closed socket answering a stray segment, and the
    // connection's state stays "closed" (net/tcp_close.h).
    TcpClose close;
    bool reset_before_close = false;
    bool changed = false;  // since the last flush
    bool written = false;  // its row is in the file (written at the first flush or the end)
  };

  Connection& start_connection(const ConnectionKey& key, const TcpSegment& segment);
  static int direction_of(const Connection& connection, const TcpSegment& segment);
  static bool is_port_reuse(const Connection& connection, const TcpSegment& segment);
  static bool is_reused_syn_ack(const Connection& connection, const TcpSegment& segment);
  static void note_base_seq(Connection& connection, const TcpSegment& segment, int dir);
  static void update_state(Connection& connection);
  // Inserts the connection's row the first time, updates it after.
  void write_row(Connection& connection);

  TraceWriter& writer_;
  int64_t source_id_;
  ConnectionPlugins plugins_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::unordered_map<ConnectionKey, Connection*, ConnectionKeyHash> active_;
  std::vector<Connection*> changed_;  // since the last flush
};

}  // namespace lurk
