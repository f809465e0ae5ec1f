// What an importer works with while it reads one source: the writer, the
// source's row (counts, status), the place to report damage, the options of
// the ingest, and the source's connection tracker, which it owns and plugs
// TCP analysis and findings into (so net/ needs neither).
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/rows.h"

namespace lurk {

class ConnectionTracker;
class TraceWriter;

class IngestContext {
 public:
  IngestContext(TraceWriter& writer, SourceRow& source);
  ~IngestContext();
  IngestContext(const IngestContext&) = delete;
  IngestContext& operator=(const IngestContext&) = delete;

  TraceWriter& writer;
  SourceRow& source;
  // Human-readable copies of the errors, "FILE: byte offset N: message".
  std::vector<std::string> messages;
  // False: no TCP analysis of the source's packets (lurk ingest
  // --no-analysis); they are stored with their connections all the same,
  // and the TCP findings that need no analysis flags (an RST) still found.
  // Read when connections() is first called.
  bool tcp_analysis = true;

  // Records damage in ingest_errors and marks the source partial.
  void report_error(std::optional<uint64_t> byte_offset, std::optional<int64_t> line,
                    const std::string& kind, const std::string& message);

  // The source's TCP connections (captured frames, lurk JSONL "tcp"
  // events), made at the first call: each connection gets TCP analysis (when
  // tcp_analysis) and the TCP findings. The importer calls its finish().
  ConnectionTracker& connections();

 private:
  std::unique_ptr<ConnectionTracker> connections_;
};

}  // namespace lurk
