// A window cut out of a profile (export/window_cut.h): every row the window
// keeps, each time brought to the window's edges, checked against the rows
// as written (the test's own lists, not SQL), with a second source whose
// window is its own (a source drawn moved).
#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <string>
#include <vector>

#include "core/profile_model.h"
#include "export/window_cut.h"
#include "profile_fixture.h"
#include "storage/schema.h"
#include "storage/schema_migrations.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

class WindowCutTest : public ProfileTest {
 protected:
  struct Span {
    int64_t thread, start, end;
  };
  struct Sample {
    std::optional<int64_t> thread;
    int64_t name, ts;
    double value;
  };
  std::vector<Span> spans_;
  std::vector<std::pair<std::optional<int64_t>, int64_t>> instants_;  // thread, time
  std::vector<Sample> samples_;
  std::vector<std::pair<int64_t, int64_t>> flows_;  // from, to
  int64_t a_ = 0, b_ = 0, c_ = 0, d_ = 0;           // threads; d_ on the second source

  void SetUp() override {
    ProfileTest::SetUp();
    TraceWriter w(db());
    SourceRow first{0, "first", "test", "hash-cut-1", 1};
    w.begin_source(first);
    auto thread = [&](const char* ext, std::optional<int64_t> start, std::optional<int64_t> end, int64_t source) {
      ThreadRow t;
      t.source_id = source;
      t.ext_id = ext;
      t.name = w.intern(ext);
      t.start_ns = start;
      t.end_ns = end;
      w.insert_thread(t);
      return t.id;
    };
    a_ = thread("a", std::nullopt, std::nullopt, first.id);  // the whole trace
    b_ = thread("b", 5000, 6000, first.id);
    c_ = thread("c", 8000, 9000, first.id);
    auto span = [&](int64_t t, int64_t start, int64_t end, int depth) {
      w.insert_span({t, start, end, depth, "span", w.intern("s"), std::nullopt});
      spans_.push_back({t, start, end});
    };
    span(a_, 0, 10000, 0);  // runs through the window
    for (int64_t i = 0; i < 100; ++i) span(a_, 100 * i, 100 * i + 150, 1);
    span(b_, 5000, 6000, 0);
    span(c_, 8000, 9000, 0);
    int64_t load = w.intern("load"), queue = w.intern("queue");
    for (int64_t i = 0; i < 100; ++i) {
      w.insert_instant({a_, 100 * i + 7, "log", w.intern("l"), std::nullopt});
      instants_.push_back({a_, 100 * i + 7});
      w.insert_counter({a_, load, 100 * i + 30, double(i)});
      samples_.push_back({a_, load, 100 * i + 30, double(i)});
      if (i % 10 == 0) {
        w.insert_counter({std::nullopt, queue, 100 * i, double(-i)});
        samples_.push_back({std::nullopt, queue, 100 * i, double(-i)});
        w.insert_instant({std::nullopt, 100 * i + 1, "label", w.intern("g"), std::nullopt});
        instants_.push_back({std::nullopt, 100 * i + 1});
      }
    }
    for (int64_t i = 0; i < 20; ++i) {
      w.insert_flow({"reads", a_, 500 * i, b_, 500 * i + 250});
      flows_.push_back({500 * i, 500 * i + 250});
    }
    w.insert_period({first.id, "gc", 3500, 4500});
    w.insert_period({first.id, "gc", 7500, 8000});
    w.insert_finding({"slow", 3, "slow a", std::nullopt, std::nullopt, a_, 3900, 300});
    w.insert_finding({"slow", 3, "slow c", std::nullopt, std::nullopt, c_, 8100, 100});
    w.commit_source(first);
    // A second source whose window is 10000 later (drawn moved by that much).
    SourceRow second{0, "second", "test", "hash-cut-2", 1};
    w.begin_source(second);
    d_ = thread("d", 10000, 20000, second.id);
    for (int64_t i = 0; i < 100; ++i) span(d_, 10000 + 100 * i, 10000 + 100 * i + 50, 0);
    w.commit_source(second);
    second_ = second.id;
  }
  int64_t second_ = 0;

  CutWindow window() const {
    CutWindow w;
    w.all = {4000, 7000};
    w.by_source[second_] = {14000, 17000};
    return w;
  }
};

TEST_F(WindowCutTest, KeepsWhatReachesIntoTheWindowBroughtToItsEdges) {
  CutReport report;
  std::unique_ptr<Database> cut = cut_window(db(), window(), report);
  Database& c = *cut;
  EXPECT_EQ(schema_problem(c), "");
  EXPECT_EQ(c.query_int("PRAGMA user_version"), kSchemaVersion);
  {
    Statement check = c.prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.step());
    EXPECT_EQ(check.column_text(0), "ok");
  }
  // Spans: those that overlap their source's window, times inside it.
  std::vector<std::vector<int64_t>> want, got;
  for (const Span& s : spans_) {
    int64_t lo = s.thread == d_ ? 14000 : 4000, hi = s.thread == d_ ? 17000 : 7000;
    if (s.start <= hi && s.end >= lo) want.push_back({s.thread, std::max(s.start, lo), std::min(s.end, hi)});
  }
  Statement spans = c.prepare("SELECT thread_id, start_ns, end_ns FROM spans ORDER BY id");
  while (spans.step()) got.push_back({spans.column_int(0), spans.column_int(1), spans.column_int(2)});
  EXPECT_EQ(got, want);
  EXPECT_EQ(report.spans, int64_t(want.size()));
  // Instants inside the window.
  int64_t instants = 0;
  for (const auto& [t, ts] : instants_) instants += ts >= 4000 && ts <= 7000;
  EXPECT_EQ(c.query_int("SELECT count(*) FROM instants"), instants);
  EXPECT_EQ(c.query_int("SELECT count(*) FROM instants WHERE ts_ns < 4000 OR ts_ns > 7000"), 0);
  // Counter samples inside, and each lane's last one before, moved to the start.
  for (int64_t name : {int64_t(0), int64_t(1)}) {
    std::vector<std::pair<int64_t, double>> lane_want, lane_got;
    std::optional<std::pair<int64_t, double>> before;
    for (const Sample& s : samples_) {
      if ((s.thread.has_value()) != (name == 0)) continue;
      if (s.ts < 4000) before = std::make_pair(int64_t(4000), s.value);
      else if (s.ts <= 7000) lane_want.push_back({s.ts, s.value});
    }
    // (The global lane has a sample at 4000 itself: its value is that one.)
    if (before && lane_want.front().first != 4000) lane_want.insert(lane_want.begin(), *before);
    Statement rows = c.prepare(name == 0 ? "SELECT ts_ns, value FROM counters WHERE thread_id IS NOT NULL ORDER BY ts_ns, id"
                                         : "SELECT ts_ns, value FROM counters WHERE thread_id IS NULL ORDER BY ts_ns, id");
    while (rows.step()) lane_got.push_back({rows.column_int(0), rows.column_double(1)});
    EXPECT_EQ(lane_got, lane_want) << (name == 0 ? "thread lane" : "global lane");
  }
  // Flows with both ends inside.
  int64_t flows = 0;
  for (const auto& [from, to] : flows_) flows += from >= 4000 && to <= 7000;
  EXPECT_EQ(c.query_int("SELECT count(*) FROM flows"), flows);
  // Periods reaching in, brought to the edges.
  EXPECT_EQ(c.query_int("SELECT count(*) FROM periods"), 1);
  EXPECT_EQ(c.query_int("SELECT start_ns * 100000 + end_ns FROM periods"), 4000 * 100000 + 4500);
  // Threads living in the window (a: always; b: 5000-6000; d: its own window), not c.
  std::vector<int64_t> threads;
  Statement t = c.prepare("SELECT id FROM threads ORDER BY id");
  while (t.step()) threads.push_back(t.column_int(0));
  EXPECT_EQ(threads, (std::vector<int64_t>{a_, b_, d_}));
  EXPECT_EQ(c.query_int("SELECT start_ns FROM threads WHERE id = " + std::to_string(d_)), 14000);
  EXPECT_EQ(c.query_int("SELECT end_ns FROM threads WHERE id = " + std::to_string(d_)), 17000);
  EXPECT_EQ(c.query_int("SELECT count(*) FROM threads WHERE id = " + std::to_string(a_) + " AND start_ns IS NULL"), 1)
      << "a thread that was there before the trace still is";
  // The finding reaching in, from the window's start for the part inside.
  EXPECT_EQ(c.query_int("SELECT count(*) FROM findings"), 1);
  EXPECT_EQ(c.query_int("SELECT ts_ns * 1000 + duration_ns FROM findings"), 4000 * 1000 + 200);
  // Only the strings kept rows name ("a", "b", "d", "s", "l", "g", "load",
  // "queue"; not "c"), numbered again from 1, the rows' names with them.
  EXPECT_EQ(c.query_int("SELECT count(*) FROM strings"), 8);
  EXPECT_EQ(c.query_int("SELECT max(id) FROM strings"), 8);
  EXPECT_EQ(c.query_int("SELECT count(*) FROM strings WHERE text = 'c'"), 0);
  EXPECT_EQ(c.query_int("SELECT count(*) FROM spans s JOIN strings n ON n.id = s.name WHERE n.text = 's'"),
            report.spans);
  EXPECT_EQ(c.query_int("SELECT count(*) FROM threads t JOIN strings n ON n.id = t.name WHERE n.text = 'd' AND "
                        "t.id = " + std::to_string(d_)), 1);
  // The lane facts are the cut's rows'.
  EXPECT_EQ(c.query_int("SELECT min(first_ns) FROM lane_facts WHERE kind = 0 AND lane = " + std::to_string(a_)), 4000);
  EXPECT_EQ(c.query_int("SELECT events FROM lane_facts WHERE kind = 0 AND lane = " + std::to_string(a_)),
            c.query_int("SELECT count(*) FROM spans WHERE thread_id = " + std::to_string(a_)));
  // It opens as any profile, on the window.
  ui::ProfileModel model = ui::ProfileModel::load(c);
  EXPECT_EQ(model.threads().size(), 3u);
  EXPECT_EQ(model.origin_ns(), 4000);
}

TEST_F(WindowCutTest, IsOneSnapshotAndLeavesTheProfileAsItWas) {
  int64_t spans = count("SELECT count(*) FROM spans"), threads = count("SELECT count(*) FROM threads");
  CutReport report;
  std::unique_ptr<Database> cut = cut_window(db(), window(), report);
  EXPECT_EQ(count("SELECT count(*) FROM spans"), spans);
  EXPECT_EQ(count("SELECT count(*) FROM threads"), threads);
  EXPECT_EQ(count("SELECT min(start_ns) FROM spans"), 0);
  // A window that holds nothing gives a profile of the small tables.
  CutWindow empty;
  empty.all = {100000, 200000};
  empty.by_source[second_] = {100000, 200000};
  std::unique_ptr<Database> none = cut_window(db(), empty, report);
  EXPECT_EQ(report.spans + report.instants + report.packets, 0);
  EXPECT_EQ(report.counters, 2) << "each counter lane's value, held from before";
  EXPECT_EQ(none->query_int("SELECT count(*) FROM sources"), 2);
  EXPECT_EQ(schema_problem(*none), "");
}

}  // namespace
}  // namespace lurk::test
