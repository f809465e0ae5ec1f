#include "cli/progress_bar.h"

#include <sys/ioctl.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <memory>

#include "cli/terminal_text.h"

namespace lurk::cli {

namespace {
constexpr auto kRedraw = std::chrono::milliseconds(100);
}  // namespace

std::string human_bytes(double bytes) {
  static const char* units[] = {"B", "kB", "MB", "GB", "TB"};
  int u = 0;
  while (bytes >= 1000 && u < 4) {
    bytes /= 1000;
    ++u;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, u == 0 || bytes >= 100 ? "%.0f %s" : "%.1f %s", bytes, units[u]);
  return buf;
}

std::string clock_duration(double seconds) {
  long s = std::lround(std::max(0.0, seconds));
  char buf[32];
  if (s >= 3600)
    std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", s / 3600, s / 60 % 60, s % 60);
  else
    std::snprintf(buf, sizeof buf, "%ld:%02ld", s / 60, s % 60);
  return buf;
}

ProgressBar::ProgressBar(std::FILE* out, int width) : out_(out), width_(std::max(width, 40)) {}

std::unique_ptr<ProgressBar> ProgressBar::for_stderr() {
  if (!isatty(STDERR_FILENO)) return nullptr;
  winsize size{};
  int width = ioctl(STDERR_FILENO, TIOCGWINSZ, &size) == 0 && size.ws_col > 0 ? size.ws_col : 80;
  return std::make_unique<ProgressBar>(stderr, width);
}

void ProgressBar::input_started(size_t index, size_t count, const std::string& path,
                                uint64_t bytes) {
  label_ = "[" + std::to_string(index + 1) + "/" + std::to_string(count) + "] " +
           terminal_safe(std::filesystem::path(path).filename().string());
  total_ = bytes;
  done_ = 0;
  started_ = Clock::now();
  draw(true);
}

void ProgressBar::input_read(uint64_t bytes) {
  done_ = bytes;
  draw(false);
}

void ProgressBar::input_finished() {
  done_ = total_;
  draw(true);
}

void ProgressBar::analysis_started() {
  label_ = "analysing the profile (clocks, joins, findings)";
  total_ = done_ = 0;
  draw(true);
}

void ProgressBar::finished() { clear(); }

void ProgressBar::draw(bool force) {
  Clock::time_point now = Clock::now();
  if (!force && shown_ && now - drawn_ < kRedraw) return;
  drawn_ = now;
  std::string line = label_;
  if (total_ > 0) {
    double fraction = std::min(1.0, double(done_) / double(total_));
    double seconds = std::chrono::duration<double>(now - started_).count();
    double rate = seconds > 0 ? double(done_) / seconds : 0;
    std::string tail = " " + std::to_string(int(fraction * 100)) + "%  " + human_bytes(double(done_)) +
                       " of " + human_bytes(double(total_));
    if (rate > 0 && seconds >= 0.2) {
      tail += "  " + human_bytes(rate) + "/s";
      if (done_ < total_) tail += "  " + clock_duration(double(total_ - done_) / rate) + " left";
    }
    // The bar takes what the label and the longest numbers leave of the line
    // (a fixed allowance, so it does not change length as they do).
    constexpr int kNumbers = 52;
    int room = width_ - 1 - int(line.size()) - kNumbers - 4;
    if (room >= 10) {
      int cells = std::min(room, 40), full = int(fraction * cells);
      line += "  [" + std::string(size_t(full), '#') + std::string(size_t(cells - full), '.') + "]";
    }
    line += tail;
  }
  if (int(line.size()) > width_ - 1) line.resize(size_t(width_ - 1));
  std::fprintf(out_, "\r%s\x1b[K", line.c_str());
  std::fflush(out_);
  shown_ = true;
}

void ProgressBar::clear() {
  if (!shown_) return;
  std::fprintf(out_, "\r\x1b[K");
  std::fflush(out_);
  shown_ = false;
}

}  // namespace lurk::cli
