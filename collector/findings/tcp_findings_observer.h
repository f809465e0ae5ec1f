// Plugs the TCP findings (tcp_findings.h) into a ConnectionTracker as its
// per-connection observer (net/connection_observer.h): each connection's
// packets go through its TcpConnectionScan as they are written, and its
// findings go to table capture_findings when the tracker writes the
// connection's row (the ones closed so far for a live batch, all at the end).
#pragma once

#include "net/connection_observer.h"

namespace lurk {

class TraceWriter;

// Makes the findings observer of each new connection; findings are written
// through `writer` under the connection's source.
ObserverFactory tcp_findings_observers(TraceWriter& writer);

}  // namespace lurk
