#include "core/ruler_ticks.h"

#include <cmath>
#include <cstdio>
#include <ctime>

namespace lurk::ui {
namespace {

constexpr double kSecond = 1e9, kMinute = 60 * kSecond, kHour = 60 * kMinute, kDay = 24 * kHour;

// Above a minute, steps a clock reader expects.
constexpr double kClockSteps[] = {kMinute,     2 * kMinute, 5 * kMinute, 10 * kMinute,
                                  15 * kMinute, 30 * kMinute, kHour,     2 * kHour,
                                  3 * kHour,   6 * kHour,   12 * kHour,  kDay,
                                  2 * kDay,    5 * kDay,    10 * kDay,   30 * kDay};

// The unit format_duration() picks for a magnitude, and so its resolution (a thousandth of it).
double unit_scale(double magnitude) {
  for (double scale : {1e9, 1e6, 1e3})
    if (magnitude >= scale) return scale;
  return 1;
}

// "1 d 6 h", "1 h 30 min", "2 min 30 s": times of a minute and more, to the second.
std::string format_clock(double ns) {
  std::string sign = ns < 0 ? "-" : "";
  int64_t total = int64_t(std::llround(std::fabs(ns) / kSecond));
  int64_t parts[] = {total / 86400, total / 3600 % 24, total / 60 % 60, total % 60};
  const char* names[] = {"d", "h", "min", "s"};
  std::string out;
  for (int i = 0; i < 4; ++i) {
    if (!parts[i]) continue;
    if (!out.empty()) out += " ";
    out += std::to_string(parts[i]) + " " + names[i];
  }
  return sign + (out.empty() ? "0 s" : out);
}

std::string tick_label(double ns) {
  return std::fabs(ns) >= kMinute ? format_clock(ns) : format_duration(ns);
}

}  // namespace

double ruler_step_ns(double span_ns, float width_px, float target_px) {
  double raw = span_ns / std::max(1.0f, width_px / target_px);
  if (raw > kMinute / 2) {
    for (double s : kClockSteps)
      if (s >= raw) return s;
    return std::ceil(raw / (30 * kDay)) * 30 * kDay;
  }
  double power = std::pow(10.0, std::floor(std::log10(std::max(raw, 1.0))));
  for (double m : {1.0, 2.0, 5.0, 10.0})
    if (power * m >= raw) return power * m;
  return power * 10;
}

std::string format_duration(double ns) {
  struct Unit {
    double scale;
    const char* name;
  };
  static const Unit units[] = {{1e9, "s"}, {1e6, "ms"}, {1e3, "\xc2\xb5s"}, {1, "ns"}};
  double magnitude = std::fabs(ns);
  for (const Unit& u : units) {
    if (magnitude >= u.scale || u.scale == 1) {
      char text[48];
      double v = ns / u.scale;
      // Up to 3 decimals, without trailing zeros.
      std::snprintf(text, sizeof text, "%.3f", v);
      std::string s = text;
      while (!s.empty() && s.back() == '0') s.pop_back();
      if (!s.empty() && s.back() == '.') s.pop_back();
      if (s == "-0") s = "0";
      return s + " " + u.name;
    }
  }
  return "0 ns";
}

std::string format_utc(int64_t unix_ns) {
  constexpr int64_t k2000 = 946'684'800;  // 2000-01-01T00:00:00Z in seconds
  int64_t seconds = unix_ns / 1'000'000'000, fraction = unix_ns % 1'000'000'000;
  if (seconds < k2000) return "";
  std::time_t t = std::time_t(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char text[64];
  std::snprintf(text, sizeof text, "%04d-%02d-%02d %02d:%02d:%02d.%09lld UTC", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (long long)fraction);
  return text;
}

RulerScale ruler_scale(const TimeWindow& window, float left_px, float width_px, float target_px) {
  RulerScale scale;
  if (width_px <= 0) return scale;
  double step = ruler_step_ns(window.span(), width_px, target_px);
  scale.step_ns = step;
  double first = std::ceil(window.t0() / step) * step;
  std::vector<double> times;
  for (double t = first; t <= window.t1() && times.size() < 1000; t += step)
    times.push_back(std::fabs(t) < step / 2 ? 0.0 : t);
  // A label shows 3 decimals of its unit (to the second past a minute): the
  // step must be a whole number of that resolution, or ticks would read alike.
  double magnitude = std::max(std::fabs(window.t0()), std::fabs(window.t1()));
  double resolution = magnitude >= kMinute ? kSecond : unit_scale(magnitude) / 1000;
  double ratio = step / resolution;
  bool plain = ratio >= 1 && std::fabs(ratio - std::round(ratio)) < 1e-6;
  if (!plain) {
    // The common prefix: t0 rounded down to a power of ten at least the span,
    // so offsets stay under twenty spans and print exactly in their own unit.
    double block = std::pow(10.0, std::ceil(std::log10(std::max(window.span(), 1.0))));
    scale.has_prefix = true;
    scale.prefix_ns = std::floor(window.t0() / block) * block;
    int decimals = std::max(0, 9 - int(std::lround(std::log10(block))));
    char text[64];
    std::snprintf(text, sizeof text, "%.*f s", decimals, scale.prefix_ns / kSecond);
    scale.prefix = text;
  }
  for (double t : times) {
    float x = float(window.x_of(t, left_px, width_px));
    std::string label = plain ? tick_label(t) : "+" + format_duration(t - scale.prefix_ns);
    scale.ticks.push_back({t, x, std::move(label)});
  }
  return scale;
}

std::vector<RulerTick> ruler_ticks(const TimeWindow& window, float left_px, float width_px,
                                   float target_px) {
  return ruler_scale(window, left_px, width_px, target_px).ticks;
}

}  // namespace lurk::ui
