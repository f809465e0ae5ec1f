// The progress bar `lurk ingest` and `lurk view FILE...` draw on a terminal
// while they read their inputs: which input of how many, a bar, bytes read
// of the input's size, the rate, the time left, then "analysing" for the
// passes over the whole profile. One line on stderr, redrawn in place at most
// ten times a second and erased when done, so the report lines that follow
// print as they would without it. Drawn only when stderr is a terminal:
// piped or redirected output (scripts, CI logs) never holds it.
#pragma once

#include <chrono>
#include <cstdio>
#include <memory>
#include <string>

#include "ingest/ingest_progress.h"

namespace lurk::cli {

class ProgressBar final : public IngestProgress {
 public:
  // Draws on `out` (a terminal `width` columns wide).
  ProgressBar(std::FILE* out, int width);
  // Erased when it goes, also when an error unwinds the ingest, so the
  // message that follows starts on a clean line.
  ~ProgressBar() override { clear(); }
  // A bar on stderr when stderr is a terminal (its width from the terminal),
  // else nullptr.
  static std::unique_ptr<ProgressBar> for_stderr();

  void input_started(size_t index, size_t count, const std::string& path, uint64_t bytes) override;
  void input_read(uint64_t bytes) override;
  void input_finished() override;
  void analysis_started() override;
  void finished() override;
  // Erases the bar (until the next redraw), so a line can be printed.
  void clear();

 private:
  using Clock = std::chrono::steady_clock;
  void draw(bool force);

  std::FILE* out_;
  int width_;
  std::string label_;  // "[1/3] capture.pcap"
  uint64_t total_ = 0, done_ = 0;
  Clock::time_point started_, drawn_;
  bool shown_ = false;
};

// "12.3 MB", "850 kB", "1.2 GB" (powers of 1000, as rates are read).
std::string human_bytes(double bytes);
// "0:07", "1:02:03".
std::string clock_duration(double seconds);

}  // namespace lurk::cli
