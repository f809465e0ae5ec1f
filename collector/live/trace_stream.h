// The reader of one sender's trace in `lurk collect`, whatever its format
// (docs/live.md): lurk JSON lines (importers/lurk_jsonl_stream.h) or
// mirage-profile CTF packets (importers/ctf_stream.h), both fed the bytes as
// the socket delivers them and flushed at each batch commit.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "storage/rows.h"

namespace lurk {
class IngestContext;
}

namespace lurk::live {

class TraceStream {
 public:
  virtual ~TraceStream() = default;
  virtual void feed(const char* data, size_t size) = 0;
  // Writes the rows the trackers changed since the last flush.
  virtual void flush() = 0;
  // The sender closed its stream: a torn last line or packet is read and
  // reported, then the rows kept until the end are written.
  virtual void finish() = 0;
  // The collector stops while the sender still sends: an incomplete last
  // line or packet is dropped (the caller reports the cut).
  virtual void finish_cut() = 0;
  // Stream bytes up to the end of the last whole line or packet.
  virtual uint64_t complete_bytes() const = 0;
  // CTF: the reader's state at complete_bytes(), written with each batch so
  // that a restarted collector continues the stream in the same source
  // (restore_from, before any byte is fed). JSON lines: none (a resumed
  // stream is a new source; its header line is sent again).
  virtual std::optional<std::string> checkpoint() const { return std::nullopt; }
  virtual void restore_from(const std::string& /*state*/, std::vector<ThreadRow> /*threads*/) {}
};

// The bytes fed start at `offset` of the stream (line `line` for JSON lines).
std::unique_ptr<TraceStream> make_jsonl_stream(IngestContext& ctx, size_t max_line_bytes,
                                               uint64_t offset, int64_t line);
std::unique_ptr<TraceStream> make_ctf_stream(IngestContext& ctx, uint64_t offset);

}  // namespace lurk::live
