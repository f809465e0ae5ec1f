// Groups TCP segments into connections by 4-tuple, starting a new connection
// when a port is reused (a SYN whose sequence number is not the one this
// side started from, as Wireshark decides it), keeps each connection's
// counts and state, and writes connections and packets through the
// TraceWriter.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <unordered_map>
#include <vector>

#include "findings/tcp_findings.h"
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

// Per-packet results of TCP analysis, attached to the packet row. The
// tracker works without an analyzer; TCP analysis plugs in through this.
class SegmentAnalyzer {
 public:
  virtual ~SegmentAnalyzer() = default;
  // Called for each segment of the connection, in file order. `dir` is 0 for
  // A to B. Fills the analysis fields of `row`.
  virtual void analyze(const TcpSegment& segment, int dir, PacketRow& row) = 0;
  // Counts of each flag by Wireshark field name, as a JSON object.
  virtual std::string flags_json() const = 0;
};

using AnalyzerFactory = std::function<std::unique_ptr<SegmentAnalyzer>()>;

class ConnectionTracker {
 public:
  ConnectionTracker(TraceWriter& writer, int64_t source_id, AnalyzerFactory make_analyzer = {});

  void add(const TcpSegment& segment);
  // Writes the counts and state of the connections that changed since the
  // last flush (a live collect's batch, collector/live/), and the findings
  // of theirs that closed since: the cost follows the batch, not the trace.
  void flush();
  // Writes the final counts and state of every connection, and its findings
  // (table capture_findings).
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
    // Findings (docs/findings.md) from the packets as they are written.
    std::unique_ptr<TcpConnectionScan> findings;
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
  AnalyzerFactory make_analyzer_;
  std::vector<std::unique_ptr<Connection>> connections_;
  std::unordered_map<ConnectionKey, Connection*, ConnectionKeyHash> active_;
  std::vector<Connection*> changed_;  // since the last flush
};

}  // namespace lurk
