// The TCP findings as a connection observer: a TcpConnectionScan fed the
// written packets, its findings inserted when the tracker flushes or ends.
#include "findings/tcp_findings_observer.h"

#include "findings/finding_text.h"
#include "findings/tcp_findings.h"
#include "storage/trace_writer.h"

namespace lurk {
namespace {

class TcpFindingsObserver : public ConnectionObserver {
 public:
  TcpFindingsObserver(TraceWriter& writer, const ConnectionRow& row)
      : writer_(writer),
        source_id_(row.source_id.value_or(0)),
        scan_(row.id, names_of(row.addr_a, row.port_a, row.addr_b, row.port_b)) {}

  void packet_written(const PacketRow& packet) override { scan_.add(packet); }
  // An open stall waits for a later batch; what closed is written now.
  void flushed() override { write(scan_.take_found()); }
  void finished() override { write(scan_.finish()); }

 private:
  void write(const std::vector<FindingRow>& findings) {
    for (const FindingRow& finding : findings) writer_.insert_capture_finding(source_id_, finding);
  }

  TraceWriter& writer_;
  int64_t source_id_;
  TcpConnectionScan scan_;
};

}  // namespace

ObserverFactory tcp_findings_observers(TraceWriter& writer) {
  return [&writer](const ConnectionRow& row) -> std::unique_ptr<ConnectionObserver> {
    return std::make_unique<TcpFindingsObserver>(writer, row);
  };
}

}  // namespace lurk
