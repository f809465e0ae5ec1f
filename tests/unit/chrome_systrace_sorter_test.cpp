// The two pieces of the Chrome JSON importer that have rules of their own
// outside the golden cases: the sorter's in-order fast path (its output must
// be exactly what a windowed heap of (ts, file order) hands on, checked
// against a plain reference on random, nearly sorted streams) and the
// systrace text reader (ftrace line layouts Perfetto's tokenizer accepts,
// atrace points and their failures).
#include <gtest/gtest.h>

#include <random>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "importers/chrome_event_sorter.h"
#include "importers/systrace_text.h"

namespace lurk::test {
namespace {

// What a window of `window` events ordered by (ts, file order) hands on.
std::vector<std::pair<int64_t, uint64_t>> reference_order(const std::vector<int64_t>& ts, size_t window) {
  std::set<std::pair<int64_t, uint64_t>> held;
  std::vector<std::pair<int64_t, uint64_t>> out;
  for (uint64_t i = 0; i < ts.size(); ++i) {
    held.emplace(ts[i], i);
    if (held.size() > window) {
      out.push_back(*held.begin());
      held.erase(held.begin());
    }
  }
  out.insert(out.end(), held.begin(), held.end());
  return out;
}

TEST(ChromeEventSorter, InOrderRunAndHeapHandOnExactlyTheWindowedOrder) {
  std::mt19937_64 rnd(7);
  for (int round = 0; round < 40; ++round) {
    size_t window = 1 + rnd() % 64;
    std::vector<int64_t> ts;
    int64_t t = 1000;
    for (int i = 0; i < 3000; ++i) {
      // Mostly forward, ties, some steps back (near and far), as real files do.
      int kind = static_cast<int>(rnd() % 10);
      if (kind < 6) t += static_cast<int64_t>(rnd() % 5);
      int64_t v = kind == 8 ? t - static_cast<int64_t>(rnd() % 50) : kind == 9 ? t - 5000 : t;
      ts.push_back(v);
    }
    std::vector<std::pair<int64_t, uint64_t>> got;
    ChromeEventSorter sorter(
        [&](const SortedEvent& e) { got.emplace_back(*e.ts_ns, e.offset); }, window);
    for (uint64_t i = 0; i < ts.size(); ++i) {
      // ts in whole microseconds; offset carries the file order.
      std::string text = "{\"ph\":\"X\",\"ts\":" + std::to_string(ts[i]) + "}";
      sorter.push(text, i, 1);
    }
    sorter.flush();
    std::vector<std::pair<int64_t, uint64_t>> want = reference_order(ts, window);
    for (auto& w : want) w.first *= 1000;  // the sorter says nanoseconds
    ASSERT_EQ(got, want) << "window " << window << ", round " << round;
  }
}

TEST(SystraceText, FtraceLineLayouts) {
  auto line = parse_ftrace_line("  kworker/u16:1-77    (   77) [004] ....   316.196720: 0: B|77|__scm_call|0");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->task, "kworker/u16:1");
  EXPECT_EQ(line->tid, 77);
  EXPECT_EQ(line->tgid, 77);
  EXPECT_EQ(line->cpu, 4);
  EXPECT_EQ(line->ts_ns, 316196720000);
  EXPECT_EQ(line->event, "0");
  EXPECT_EQ(line->payload, "B|77|__scm_call|0");

  // No tgid column, no flags; a task name holding '-' and digits.
  line = parse_ftrace_line("Binder-1-2-345 [001] 0.002188: task_newtask: pid=1 comm=init");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->task, "Binder-1-2");
  EXPECT_EQ(line->tid, 345);
  EXPECT_FALSE(line->tgid);
  EXPECT_EQ(line->ts_ns, 2188000);
  EXPECT_EQ(line->event, "task_newtask");
  EXPECT_EQ(line->payload, "pid=1 comm=init");

  // "(-----)" tgid, five-character flags, nine decimals.
  line = parse_ftrace_line("<...>-9 (-----) [002] dNh2. 12.123456789: tracing_mark_write: E|9");
  ASSERT_TRUE(line);
  EXPECT_EQ(line->task, "<...>");
  EXPECT_FALSE(line->tgid);
  EXPECT_EQ(line->ts_ns, 12123456789);
  EXPECT_EQ(line->payload, "E|9");

  EXPECT_FALSE(parse_ftrace_line("this is not ftrace"));
  EXPECT_FALSE(parse_ftrace_line("app-12 [000] ...1 1.000001 tracing_mark_write: B|1|x"));  // no ':' after ts
  EXPECT_FALSE(parse_ftrace_line("app-12 (12) 000 ...1 1.000001: tracing_mark_write: B|1|x"));  // no [cpu]
  EXPECT_FALSE(parse_ftrace_line("app-12 [000] ...1 1: tracing_mark_write: B|1|x"));  // seconds without a point
}

TEST(SystraceText, AtracePointsAndFailures) {
  AtracePoint p;
  std::string why;
  ASSERT_EQ(parse_atrace_point("B|12|a|b", p, why), AtraceParse::kPoint);
  EXPECT_EQ(p.phase, 'B');
  EXPECT_EQ(p.tgid, 12);
  EXPECT_EQ(p.name, "a|b");
  ASSERT_EQ(parse_atrace_point("B|12|", p, why), AtraceParse::kPoint);
  EXPECT_EQ(p.name, "[empty slice name]");
  ASSERT_EQ(parse_atrace_point("E", p, why), AtraceParse::kPoint);
  EXPECT_FALSE(p.tgid);
  ASSERT_EQ(parse_atrace_point("C|3209|Bytes-value|-5|Blob", p, why), AtraceParse::kPoint);
  EXPECT_EQ(p.name, "Bytes-value");
  EXPECT_EQ(p.value, -5);
  ASSERT_EQ(parse_atrace_point("H|6890|track|135", p, why), AtraceParse::kPoint);
  EXPECT_EQ(p.track, "track");
  EXPECT_EQ(p.value, 135);
  ASSERT_EQ(parse_atrace_point("H|6890|track|name|136", p, why), AtraceParse::kPoint);
  EXPECT_EQ(p.value, 136);
  ASSERT_EQ(parse_atrace_point("G|1339|track|slice|789", p, why), AtraceParse::kPoint);
  EXPECT_EQ(p.name, "slice");
  EXPECT_EQ(parse_atrace_point("trace_event_clock_sync: parent_ts=1.0", p, why), AtraceParse::kUnsupported);

  EXPECT_EQ(parse_atrace_point("B|x|name", p, why), AtraceParse::kBad);
  EXPECT_NE(why.find("B|pid|name"), std::string::npos) << why;
  EXPECT_EQ(parse_atrace_point("C|1|name|1.5", p, why), AtraceParse::kBad);
  EXPECT_EQ(parse_atrace_point("S|1|name", p, why), AtraceParse::kBad);
  EXPECT_EQ(parse_atrace_point("N|1|track", p, why), AtraceParse::kBad);
  EXPECT_EQ(parse_atrace_point("some random text", p, why), AtraceParse::kBad);
  EXPECT_EQ(parse_atrace_point("", p, why), AtraceParse::kBad);
}

}  // namespace
}  // namespace lurk::test
