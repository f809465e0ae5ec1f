// The time ruler (wasm-ui/core/ruler_ticks): at every zoom from nanoseconds
// to days, wherever the window is (near the origin, past a second, hours in),
// tick labels are distinct and read back (prefix + offset) to the tick's own
// time; Unix origins print as a UTC date-time, boot clocks do not.
#include <gtest/gtest.h>

#include <cmath>
#include <set>
#include <sstream>

#include "core/ruler_ticks.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;

// "1.5 ms", "+250 ns", "1 h 30 min", "5.302000 s" back to nanoseconds.
double parse_time(std::string text) {
  if (!text.empty() && text[0] == '+') text.erase(0, 1);
  std::istringstream in(text);
  double total = 0, value;
  std::string unit;
  while (in >> value >> unit) {
    static const std::pair<const char*, double> units[] = {
        {"ns", 1}, {"\xc2\xb5s", 1e3}, {"ms", 1e6}, {"s", 1e9}, {"min", 60e9}, {"h", 3600e9}, {"d", 86400e9}};
    bool known = false;
    for (auto [name, scale] : units)
      if (unit == name) {
        total += value * scale;
        known = true;
      }
    EXPECT_TRUE(known) << "unit " << unit << " in " << text;
  }
  return total;
}

void expect_readable(double center, double span) {
  TimeWindow w;
  w.set(center - span / 2, center + span / 2);
  RulerScale s = ruler_scale(w, 300, 1200);
  ASSERT_GE(s.ticks.size(), 3u) << "center " << center << " span " << span;
  std::set<std::string> labels;
  for (const RulerTick& t : s.ticks) {
    EXPECT_TRUE(labels.insert(t.label).second)
        << "label " << t.label << " twice at center " << center << " span " << span;
    double read = parse_time(t.label) + (s.has_prefix ? parse_time(s.prefix) : 0);
    // Labels are exact to a thousandth of their unit (a second past a minute).
    double tolerance = std::max(0.5, std::fabs(t.t_ns) >= 60e9 ? 0.5e9 : s.step_ns * 1e-3);
    EXPECT_NEAR(read, t.t_ns, tolerance) << t.label << " / prefix " << s.prefix;
  }
  // Ticks are about 110 px apart, never crowded.
  EXPECT_GE(s.ticks[1].x - s.ticks[0].x, 50.0f);
}

TEST(UiRuler, TickLabelsAreDistinctAndExactAtEveryZoom) {
  for (double center : {0.0, 350e6, 5.302e9, 1234.5e9, 3 * 86400e9})
    for (double span = 20; span < 5 * 86400e9; span *= 3.7) expect_readable(center + span / 2, span);
}

TEST(UiRuler, PastOneSecondAMicrosecondWindowUsesAPrefix) {
  // The case: a 1.5 µs window at 5.302 s read "5.302 s" on every tick.
  TimeWindow w;
  w.set(5'302'000'100, 5'302'001'600);
  RulerScale s = ruler_scale(w, 0, 1000);
  EXPECT_TRUE(s.has_prefix);
  EXPECT_EQ(s.prefix.rfind("5.302", 0), 0u) << s.prefix;
  for (const RulerTick& t : s.ticks) EXPECT_EQ(t.label[0], '+') << t.label;
  // Zoomed out to seconds, plain labels from the origin.
  w.set(0, 6e9);
  s = ruler_scale(w, 0, 1000);
  EXPECT_FALSE(s.has_prefix);
  EXPECT_EQ(s.ticks[1].label, "1 s");
}

TEST(UiRuler, DaysReadAsClockTimes) {
  TimeWindow w;
  w.set(0, 4 * 86400e9);
  RulerScale s = ruler_scale(w, 0, 1000);
  ASSERT_GE(s.ticks.size(), 4u);
  EXPECT_EQ(s.ticks[1].label, "12 h");
  EXPECT_EQ(s.ticks[2].label, "1 d");
  EXPECT_EQ(s.ticks[3].label, "1 d 12 h");
}

TEST(UiRuler, UnixOriginsPrintAsUtc) {
  // 2026-11-29T20:57:19.000000123Z
  EXPECT_EQ(format_utc(1'795'985'839'000'000'123), "2026-11-29 20:57:19.000000123 UTC");
  EXPECT_EQ(format_utc(946'684'800'000'000'000), "2000-01-01 00:00:00.000000000 UTC");
  EXPECT_EQ(format_utc(3'600'000'000'000), "") << "an hour since boot is not a date";
}

}  // namespace
}  // namespace lurk::test
