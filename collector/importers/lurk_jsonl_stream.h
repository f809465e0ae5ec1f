// A lurk JSON lines trace read as its bytes arrive (docs/lurk-jsonl.md): the
// header line, then one event per line, each handed to the LurkJsonlReader.
// The file importer feeds it block by block; `lurk collect` feeds it what a
// sender's socket delivers and flushes it at each batch commit, so the rows
// the trackers keep in memory (thread ends, connection counts) reach the file
// while the trace goes on (collector/live/).
#pragma once

#include <cstddef>
#include <cstdint>

#include "importers/chrome_json_flat_object.h"
#include "importers/line_splitter.h"
#include "importers/lurk_jsonl_reader.h"

namespace lurk {

class IngestContext;

class LurkJsonlStream {
 public:
  // An event line longer than this is garbage; skipping it keeps memory flat.
  static constexpr size_t kMaxLineBytes = 16 * 1024 * 1024;

  explicit LurkJsonlStream(IngestContext& ctx, size_t max_line_bytes = kMaxLineBytes);

  // The bytes fed from now on start at `offset`, line `number`, of the stream.
  void start_at(uint64_t offset, int64_t number) { lines_.start_at(offset, number); }
  void feed(const char* data, size_t size);
  // Writes what the trackers changed since the last flush (thread rows,
  // connection counts and state), so a commit holds them.
  void flush();
  // The end of the stream: a last line without its newline, then the rows
  // kept until the end (open spans closed, findings, counters).
  void finish();
  // The end, when the stream was cut (the collector stops while the sender
  // still sends): a line not yet whole is dropped, not reported as torn.
  void finish_without_partial_line();

  // Bytes of the stream up to the end of the last whole line read: what a
  // commit now holds, where a sender would resume.
  uint64_t complete_bytes() const { return lines_.partial_line_offset(); }
  int64_t complete_lines() const { return lines_read_; }
  size_t held_bytes() const { return lines_.held_bytes(); }

 private:
  void line(const SplitLine& line);

  IngestContext& ctx_;
  LurkJsonlReader reader_;
  LineSplitter lines_;
  FlatJsonObject event_;  // reused: its buffers outlive one line
  bool header_read_ = false;
  int64_t lines_read_ = 0;
  size_t max_line_bytes_;
};

}  // namespace lurk
