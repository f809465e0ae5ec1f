// How far an ingest has got, for whoever shows it (the CLI's progress bar on
// a terminal, collector/cli/progress_bar). The ingest calls it; it never
// decides anything. Every call is cheap and made at most once per read
// buffer (1 MiB), so an observer can do its own rate limiting.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace lurk {

class IngestProgress {
 public:
  virtual ~IngestProgress() = default;
  // Input `index` of `count` (0-based) begins: its path and size in bytes.
  virtual void input_started(size_t index, size_t count, const std::string& path,
                             uint64_t bytes) = 0;
  // Bytes of the current input read so far.
  virtual void input_read(uint64_t bytes) = 0;
  virtual void input_finished() = 0;
  // The passes over the whole profile (clocks, joins, findings) begin / end.
  virtual void analysis_started() = 0;
  virtual void finished() = 0;
};

}  // namespace lurk
