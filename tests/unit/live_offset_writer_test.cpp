// A clock offset decided while collecting (TraceWriter::set_live_offset,
// docs/live.md "A capture already in the profile"): once the analysis of a
// batch set it, every row of the source the writer writes is on the new
// clock, the new rows and the rows it writes again from the trackers' state
// (a thread's end, a connection's counts) alike, and the lanes' facts
// gathered with them too; another source's rows keep their times.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/lane_summary.h"
#include "join/clock_alignment.h"
#include "profile_fixture.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

constexpr int64_t kOffset = 1'795'000'000'000'000'000;

class LiveOffsetWriterTest : public ProfileTest {
 protected:
  int64_t at(const std::string& sql) { return db().query_int(sql); }
};

TEST_F(LiveOffsetWriterTest, RowsAfterTheOffsetAreWrittenOnTheNewClock) {
  TraceWriter w(db());
  w.begin_live();
  SourceRow stack{0, "stack", "lurk-jsonl", "live-offset-stack", 0};
  SourceRow other{0, "other", "lurk-jsonl", "live-offset-other", 0};
  w.add_live_source(stack);
  w.add_live_source(other);
  w.use_source(stack.id);
  ThreadRow t;
  t.source_id = stack.id;
  t.ext_id = "1";
  t.start_ns = 1'000;
  w.insert_thread(t);
  ConnectionRow c;
  c.source_id = stack.id;
  c.addr_a = "10.0.0.1", c.addr_b = "10.0.0.2", c.port_a = 40000, c.port_b = 80;
  c.first_ns = 1'000, c.last_ns = 2'000;
  w.insert_connection(c);
  w.insert_span({t.id, 1'000, 1'500, 0, "span", std::nullopt, std::nullopt});
  // What the live analysis does when it decides the offset: the rows so far
  // shifted once, the writer told, on the writer's thread.
  w.commit_batch({&stack, &other}, false, [&] {
    shift_source_times(db(), stack.id, kOffset);
    w.set_live_offset(stack.id, kOffset);
  });

  t.end_ns = 3'000;  // the tracker's row again, on the source's own clock
  w.update_thread(t);
  c.last_ns = 4'000;
  w.update_connection(c);
  w.insert_span({t.id, 2'000, 2'500, 0, "span", std::nullopt, std::nullopt});
  w.insert_instant({t.id, 2'600, "label", std::nullopt, std::nullopt});
  w.insert_counter({t.id, w.intern("queue"), 2'700, 1.0});
  w.insert_packet({stack.id, 1, c.id, 2'800});
  w.insert_flow({"flow", t.id, 2'100, t.id, 2'200});
  w.insert_period({stack.id, "gc", 2'900, 2'950});
  w.use_source(other.id);
  ThreadRow o;
  o.source_id = other.id;
  o.ext_id = "2";
  o.start_ns = 5'000;
  w.insert_thread(o);
  w.insert_span({o.id, 5'000, 5'100, 0, "span", std::nullopt, std::nullopt});
  w.commit_batch({&stack, &other}, true);

  const std::string thread = " WHERE thread_id = " + std::to_string(t.id);
  EXPECT_EQ(at("SELECT start_ns FROM threads WHERE id = " + std::to_string(t.id)), kOffset + 1'000);
  EXPECT_EQ(at("SELECT end_ns FROM threads WHERE id = " + std::to_string(t.id)), kOffset + 3'000);
  EXPECT_EQ(at("SELECT first_ns FROM connections WHERE id = " + std::to_string(c.id)), kOffset + 1'000);
  EXPECT_EQ(at("SELECT last_ns FROM connections WHERE id = " + std::to_string(c.id)), kOffset + 4'000);
  EXPECT_EQ(at("SELECT min(start_ns) FROM spans" + thread), kOffset + 1'000);
  EXPECT_EQ(at("SELECT max(end_ns) FROM spans" + thread), kOffset + 2'500);
  EXPECT_EQ(at("SELECT ts_ns FROM instants" + thread), kOffset + 2'600);
  EXPECT_EQ(at("SELECT ts_ns FROM counters" + thread), kOffset + 2'700);
  EXPECT_EQ(at("SELECT ts_ns FROM packets"), kOffset + 2'800);
  EXPECT_EQ(at("SELECT from_ns FROM flows"), kOffset + 2'100);
  EXPECT_EQ(at("SELECT to_ns FROM flows"), kOffset + 2'200);
  EXPECT_EQ(at("SELECT start_ns FROM periods"), kOffset + 2'900);
  EXPECT_EQ(at("SELECT start_ns FROM threads WHERE id = " + std::to_string(o.id)), 5'000);
  EXPECT_EQ(at("SELECT start_ns FROM spans WHERE thread_id = " + std::to_string(o.id)), 5'000);

  // The lanes' facts are those of the rows as written.
  std::string why;
  std::optional<ui::LaneSummary> facts = ui::lane_summary_from_facts(db(), why);
  ASSERT_TRUE(facts) << why;
  ui::LaneSummary scan = ui::scan_lane_summary(db());
  EXPECT_EQ(facts->first_ns, scan.first_ns);
  EXPECT_EQ(facts->last_ns, scan.last_ns);
  EXPECT_EQ(facts->events, scan.events);
  EXPECT_EQ(at("SELECT last_ns FROM lane_facts WHERE kind = 0 AND lane = " + std::to_string(t.id)),
            kOffset + 2'500);
  EXPECT_EQ(at("SELECT first_ns FROM lane_facts WHERE kind = 1 AND source_id = " +
               std::to_string(stack.id)), kOffset + 2'600);
}

}  // namespace
}  // namespace lurk::test
