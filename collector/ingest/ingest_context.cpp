// IngestContext: error reporting, and the connection tracker with the
// analysis and findings plugged in (the one place that joins net/ to them).
#include "ingest/ingest_context.h"

#include "analysis/tcp_analyzer.h"
#include "findings/tcp_findings_observer.h"
#include "net/connection_tracker.h"
#include "storage/trace_writer.h"

namespace lurk {

IngestContext::IngestContext(TraceWriter& writer_to, SourceRow& source_row)
    : writer(writer_to), source(source_row) {}

IngestContext::~IngestContext() = default;

ConnectionTracker& IngestContext::connections() {
  if (!connections_) {
    ConnectionPlugins plugins;
    if (tcp_analysis) plugins.make_analyzer = [] { return std::make_unique<TcpAnalyzer>(); };
    plugins.make_observer = tcp_findings_observers(writer);
    connections_ = std::make_unique<ConnectionTracker>(writer, source.id, std::move(plugins));
  }
  return *connections_;
}

void IngestContext::report_error(std::optional<uint64_t> byte_offset, std::optional<int64_t> line,
                                 const std::string& kind, const std::string& message) {
  IngestErrorRow row;
  row.source_id = source.id;
  if (byte_offset) row.byte_offset = static_cast<int64_t>(*byte_offset);
  row.line = line;
  row.kind = kind;
  row.message = message;
  writer.insert_ingest_error(row);
  ++source.errors;
  source.status = "partial";
  std::string where = source.path;
  if (line) where += ": line " + std::to_string(*line);
  if (byte_offset) where += ": byte offset " + std::to_string(*byte_offset);
  messages.push_back(where + ": " + message);
}

}  // namespace lurk
