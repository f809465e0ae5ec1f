// The lane facts the writer keeps (storage/lane_facts.h, table lane_facts)
// give the lane summary the pass over every event gives (core/lane_summary.h:
// lane_summary_from_facts against scan_lane_summary), whichever way the rows
// came: a Chrome trace whose spans were nested again after they were written,
// a second input appended, a source's clock shifted, live batches, a file of
// version 4 upgraded; and a profile changed by another hand is refused.
#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "core/lane_summary.h"
#include "importers/span_nesting.h"
#include "join/clock_alignment.h"
#include "join/packet_flows.h"
#include "profile_fixture.h"
#include "storage/lane_facts.h"
#include "storage/schema.h"
#include "storage/schema_migrations.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

void expect_same(Database& db, const std::string& when) {
  std::string why;
  std::optional<ui::LaneSummary> facts = ui::lane_summary_from_facts(db, why);
  ASSERT_TRUE(facts) << when << ": " << why;
  ui::LaneSummary scan = ui::scan_lane_summary(db);
  ASSERT_GT(scan.events, 0) << when;
  EXPECT_EQ(facts->first_ns, scan.first_ns) << when;
  EXPECT_EQ(facts->last_ns, scan.last_ns) << when;
  EXPECT_EQ(facts->packets, scan.packets) << when;
  EXPECT_EQ(facts->events, scan.events) << when;
  EXPECT_EQ(facts->depths, scan.depths) << when;
  EXPECT_EQ(facts->last_ids.packets, scan.last_ids.packets) << when;
  EXPECT_EQ(facts->last_ids.spans, scan.last_ids.spans) << when;
  EXPECT_EQ(facts->last_ids.instants, scan.last_ids.instants) << when;
  EXPECT_EQ(facts->last_ids.counters, scan.last_ids.counters) << when;
  ASSERT_EQ(facts->counters.size(), scan.counters.size()) << when;
  for (size_t i = 0; i < scan.counters.size(); ++i) {
    const ui::LaneSummary::CounterRange &a = facts->counters[i], &b = scan.counters[i];
    EXPECT_EQ(a.name, b.name) << when << " counter " << i;
    EXPECT_EQ(a.key, b.key) << when << " counter " << i;
    EXPECT_EQ(a.min, b.min) << when << " counter " << i;
    EXPECT_EQ(a.max, b.max) << when << " counter " << i;
    EXPECT_EQ(a.samples, b.samples) << when << " counter " << i;
  }
}

// Spans of one thread given out of time order, nested B/E pairs, a second thread,
// counters of a process and instants; `base` moves all of it in time.
std::string chrome_trace(int64_t base, int pid) {
  std::string p = std::to_string(pid);
  auto ts = [&](int64_t us) { return std::to_string(base + us); };
  std::string events;
  auto add = [&](const std::string& e) { events += (events.empty() ? "" : ",\n") + e; };
  add(R"({"name":"outer","ph":"X","ts":)" + ts(100) + R"(,"dur":50,"pid":)" + p + R"(,"tid":1})");
  add(R"({"name":"late","ph":"X","ts":)" + ts(10) + R"(,"dur":200,"pid":)" + p + R"(,"tid":1})");
  add(R"({"name":"inner","ph":"X","ts":)" + ts(110) + R"(,"dur":5,"pid":)" + p + R"(,"tid":1})");
  add(R"({"name":"deep","ph":"X","ts":)" + ts(111) + R"(,"dur":1,"pid":)" + p + R"(,"tid":1})");
  add(R"({"name":"b","ph":"B","ts":)" + ts(20) + R"(,"pid":)" + p + R"(,"tid":2})");
  add(R"({"name":"c","ph":"B","ts":)" + ts(25) + R"(,"pid":)" + p + R"(,"tid":2})");
  add(R"({"name":"c","ph":"E","ts":)" + ts(30) + R"(,"pid":)" + p + R"(,"tid":2})");
  add(R"({"name":"b","ph":"E","ts":)" + ts(400) + R"(,"pid":)" + p + R"(,"tid":2})");
  for (int i = 0; i < 20; ++i) {
    add(R"({"name":"heap","ph":"C","ts":)" + ts(5 + i * 30) + R"(,"pid":)" + p + R"(,"args":{"used":)" +
        std::to_string((i * 37) % 23 - 5) + R"(,"free":)" + std::to_string(1000 - i) + "}}");
    if (i % 4 == 0)
      add(R"({"name":"tick","ph":"i","ts":)" + ts(7 + i * 31) + R"(,"pid":)" + p + R"(,"tid":1,"s":"t"})");
  }
  return "{\"traceEvents\":[\n" + events + "\n]}";
}

class LaneFactsTest : public ProfileTest {};

TEST_F(LaneFactsTest, GiveTheScansSummary) {
  ASSERT_EQ(ingest("a.json", bytes_of(chrome_trace(1'000'000, 1))).status, SourceOutcome::Status::Complete);
  expect_same(db(), "one Chrome trace");

  ASSERT_EQ(ingest("b.json", bytes_of(chrome_trace(9'000'000, 2))).status, SourceOutcome::Status::Complete);
  expect_same(db(), "a second trace appended");

  shift_source_times(db(), 1, -3'000'000'000);
  expect_same(db(), "the first source's clock shifted");

  // The joiner replaces the flows that end at a packet (rows written without
  // the writer, ids left with gaps): the flows' count follows.
  db().exec("INSERT INTO flows (kind, from_thread, from_ns, to_thread, to_ns, packet_id) "
            "VALUES ('read', NULL, 1, NULL, 2, NULL), ('tcp-send', NULL, 3, NULL, 4, 1)");
  link_threads_to_packets(db());
  std::string why;
  std::optional<ui::LaneSummary> after_join = ui::lane_summary_from_facts(db(), why);
  ASSERT_TRUE(after_join) << why;
  EXPECT_EQ(after_join->flow_count, count("SELECT count(*) FROM flows"));
  EXPECT_EQ(after_join->flow_count, 1);

  // Rows written by another hand: not described by the facts, refused.
  db().exec("INSERT INTO instants (thread_id, source_id, ts_ns, kind) VALUES (NULL, 1, 5, 'log')");
  EXPECT_FALSE(ui::lane_summary_from_facts(db(), why));
  EXPECT_NE(why.find("instants"), std::string::npos) << why;

  // A file of version 4 (no table) is refused; upgraded, it gets the facts of its rows.
  db().exec("DROP TABLE lane_facts");
  db().exec("PRAGMA user_version = 4");
  EXPECT_FALSE(ui::lane_summary_from_facts(db(), why));
  EXPECT_NE(why.find("schema version 5"), std::string::npos) << why;
  migrate_to_current(db());
  EXPECT_EQ(db().query_int("PRAGMA user_version"), kSchemaVersion);
  expect_same(db(), "upgraded from version 4");
}

// Spans written with depths that nesting them again changes (as the Chrome
// importer does for a thread whose spans came out of order): the thread's
// depth count follows, down as well as up.
TEST_F(LaneFactsTest, FollowSpansNestedAgain) {
  TraceWriter w(db());
  SourceRow source{0, "t", "test", "hash-renest", 1};
  w.begin_source(source);
  ThreadRow deep, flat;
  deep.source_id = flat.source_id = source.id;
  deep.ext_id = "deep";
  flat.ext_id = "flat";
  w.insert_thread(deep);
  w.insert_thread(flat);
  for (int i = 0; i < 4; ++i) {  // nested four deep, written as depth 0
    w.insert_span({deep.id, 1'000 + i * 10, 2'000 - i * 10, 0, "span", std::nullopt, std::nullopt});
    w.insert_span({flat.id, 1'000 + i * 1'000, 1'500 + i * 1'000, 3, "span", std::nullopt, std::nullopt});
  }
  w.insert_span({flat.id, 9'000, 9'500, 7, "running", std::nullopt, std::nullopt});
  EXPECT_GT(renest_spans(w, {deep.id, flat.id}), 0);
  w.commit_source(source);
  ASSERT_EQ(db().query_int("SELECT max(depth) FROM spans WHERE thread_id = " + std::to_string(deep.id)), 3);
  expect_same(db(), "spans nested again");
}

// Live collection: rows committed in batches, each batch's facts with it;
// a batch rolled back with its rows takes its facts with it.
TEST_F(LaneFactsTest, FollowLiveBatches) {
  TraceWriter w(db());
  w.begin_live();
  SourceRow source{0, "live", "lurk-jsonl", "live-facts", 0};
  w.add_live_source(source);
  w.use_source(source.id);
  ThreadRow t;
  t.source_id = source.id;
  t.ext_id = "7";
  w.insert_thread(t);
  int64_t name = w.intern("queue");
  for (int batch = 0; batch < 3; ++batch) {
    for (int i = 0; i < 50; ++i) {
      int64_t t0 = 1'000'000 * batch + i * 1'000;
      w.insert_span({t.id, t0, t0 + 800, i % 3, i % 7 ? "span" : "running", std::nullopt, std::nullopt});
      w.insert_counter({i % 2 ? std::optional<int64_t>(t.id) : std::nullopt, name, t0, double(batch * 10 - i)});
      w.insert_instant({t.id, t0 + 5, "label", std::nullopt, std::nullopt});
    }
    w.commit_batch({&source}, batch == 2);
  }
  expect_same(db(), "three live batches");
}

}  // namespace
}  // namespace lurk::test
