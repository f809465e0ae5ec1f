// What plugs into a ConnectionTracker, made afresh for each connection it
// starts: TCP analysis (a SegmentAnalyzer fills a packet's analysis columns
// before it is written) and an observer of the written packets (the TCP
// findings). Declared here, in net/, so that net/ knows neither analysis/
// nor findings/: the ingest layer makes them (ingest/ingest_context.cpp)
// and the layering check (tests/layering/check_includes.py) keeps it so.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "net/tcp_segment.h"
#include "storage/rows.h"

namespace lurk {

// Per-packet results of TCP analysis, attached to the packet row.
class SegmentAnalyzer {
 public:
  virtual ~SegmentAnalyzer() = default;
  // Called for each segment of the connection, in file order. `dir` is 0 for
  // A to B. Fills the analysis fields of `row`.
  virtual void analyze(const TcpSegment& segment, int dir, PacketRow& row) = 0;
  // Counts of each flag by Wireshark field name, as a JSON object.
  virtual std::string flags_json() const = 0;
};

// Told about one connection's packets as they are written, and when the
// tracker writes its connections' rows.
class ConnectionObserver {
 public:
  virtual ~ConnectionObserver() = default;
  // A packet of the connection as written (analysis columns filled), in
  // file order.
  virtual void packet_written(const PacketRow& packet) = 0;
  // The tracker wrote the connection's row for a live batch
  // (ConnectionTracker::flush): write what completed since the last one.
  virtual void flushed() = 0;
  // The source ended (ConnectionTracker::finish): close what is still open
  // and write it.
  virtual void finished() = 0;
};

using AnalyzerFactory = std::function<std::unique_ptr<SegmentAnalyzer>()>;
// `row` is the new connection's: its id (claimed) and endpoints are set.
using ObserverFactory =
    std::function<std::unique_ptr<ConnectionObserver>(const ConnectionRow& row)>;

// What each new connection gets; an empty factory: nothing of that kind.
struct ConnectionPlugins {
  AnalyzerFactory make_analyzer;
  ObserverFactory make_observer;
};

}  // namespace lurk
