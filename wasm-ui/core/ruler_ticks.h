// Tick marks for the time ruler, readable at every zoom from nanoseconds to
// days whatever the absolute time (the way Perfetto's ruler reads): a step of
// 1, 2 or 5 times a power of ten nanoseconds (minutes, hours and days past a
// minute) so ticks land about `target_px` apart. Labels are times from the
// profile's origin ("350 ms", "5.302 s", "1 h 30 min"); when the step is finer
// than such a label can show, a common prefix ("5.302 s") is shown once and
// the ticks read as offsets from it ("+250 ns", "+500 ns").
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/time_window.h"

namespace lurk::ui {

struct RulerTick {
  double t_ns = 0;  // relative to the profile's origin
  float x = 0;
  std::string label;
};

struct RulerScale {
  std::vector<RulerTick> ticks;
  double step_ns = 0;
  bool has_prefix = false;  // ticks are offsets from prefix_ns
  double prefix_ns = 0;     // relative to the origin
  std::string prefix;       // prefix_ns as text ("5.302000 s"), "" without one
};

double ruler_step_ns(double span_ns, float width_px, float target_px);
RulerScale ruler_scale(const TimeWindow& window, float left_px, float width_px,
                       float target_px = 110.0f);
std::vector<RulerTick> ruler_ticks(const TimeWindow& window, float left_px, float width_px,
                                   float target_px = 110.0f);
// "1.5 ms", "250 µs", "3 s": a duration in the unit that reads best.
std::string format_duration(double ns);
// An absolute Unix time in ns as "2026-11-29 20:57:19.123456789 UTC"; "" for
// times before 2000-01-01 (a clock since boot, not Unix time).
std::string format_utc(int64_t unix_ns);

}  // namespace lurk::ui
