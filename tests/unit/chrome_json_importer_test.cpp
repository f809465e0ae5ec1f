// Chrome trace-event JSON import: a real trace written by Node.js (checked
// against an independent whole-file parse), the array and object forms, a
// truncated array, every phase lurk imports, and bad input (torn events,
// E without B, unknown flow/async ids, garbage between events).
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>
#include <string>

#include "capture_builder.h"
#include "importers/chrome_event_sorter.h"
#include "importers/chrome_json_importer.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

class ChromeJsonTest : public ProfileTest {
 protected:
  SourceOutcome ingest_text(const std::string& text) { return ingest("t.json", bytes_of(text)); }
};

TEST_F(ChromeJsonTest, RealNodeTraceMatchesAnIndependentParse) {
  std::string path = std::string(LURK_SOURCE_DIR) + "/tests/data/chrome/node-net-echo.json";
  std::vector<uint8_t> bytes = read_binary_file(path);
  nlohmann::json whole = nlohmann::json::parse(bytes.begin(), bytes.end());
  const nlohmann::json& events = whole.at("traceEvents");
  std::map<std::string, int64_t> phases;
  std::set<std::string> os_threads;
  for (const auto& ev : events) {
    ++phases[ev.at("ph").get<std::string>()];
    os_threads.insert(ev.at("pid").dump() + ":" + ev.at("tid").dump());
  }
  ASSERT_GT(phases["X"], 0);  // the real file really has the phases tested below
  ASSERT_GT(phases["b"], 0);

  SourceOutcome outcome = ingest("node-net-echo.json", bytes);
  EXPECT_EQ(outcome.status, SourceOutcome::Status::Complete);
  EXPECT_EQ(outcome.format, "chrome-json");
  EXPECT_EQ(outcome.records, static_cast<int64_t>(events.size()));
  EXPECT_EQ(count("SELECT count(*) FROM threads WHERE kind = 'thread'"),
            static_cast<int64_t>(os_threads.size()));
  EXPECT_EQ(count("SELECT count(*) FROM spans WHERE kind = 'span'"), phases["X"] + phases["B"]);
  EXPECT_EQ(count("SELECT count(*) FROM spans WHERE kind = 'async'"), phases["b"]);
  EXPECT_EQ(count("SELECT count(*) FROM instants"), phases["I"] + phases["i"] + phases["n"]);
  // Names come from the M events: the main thread is called what Node calls it.
  EXPECT_EQ(count("SELECT count(*) FROM threads t JOIN strings s ON s.id = t.name "
                  "WHERE s.text = 'JavaScriptMainThread'"), 1);
  // Every nested span lies inside a span one level up on its thread.
  EXPECT_EQ(count("SELECT count(*) FROM spans c WHERE c.depth > 0 AND NOT EXISTS ("
                  "SELECT 1 FROM spans p WHERE p.thread_id = c.thread_id AND p.depth = c.depth - 1 "
                  "AND p.start_ns <= c.start_ns AND p.end_ns >= c.end_ns)"), 0);
  // Microseconds became nanoseconds: the first X event's ts, times 1000.
  for (const auto& ev : events) {
    if (ev.at("ph") != "X") continue;
    int64_t ns = std::llround(ev.at("ts").get<double>() * 1000);
    EXPECT_EQ(count("SELECT count(*) FROM spans WHERE start_ns = " + std::to_string(ns)), 1);
    break;
  }
}

// Two processes and a worker thread, traced by Node itself
// (tests/data/chrome/make-node-workers-trace.sh): the async "request" begun
// on the main thread ends on the worker (a plain id is global), and the v1
// flow "job" goes main thread -> worker -> child process, its "f" (no bp)
// landing on the child's next slice. Expected rows come from a whole-file
// parse of the same JSON.
TEST_F(ChromeJsonTest, RealNodeWorkersTraceHasFlowsAndAsyncAcrossThreadsAndProcesses) {
  std::string path = std::string(LURK_SOURCE_DIR) + "/tests/data/chrome/node-workers.json";
  std::vector<uint8_t> bytes = read_binary_file(path);
  nlohmann::json whole = nlohmann::json::parse(bytes.begin(), bytes.end());
  const nlohmann::json& events = whole.at("traceEvents");
  std::map<std::string, nlohmann::json> mine;  // the script's own events, by phase
  std::set<int64_t> pids;
  for (const auto& ev : events) {
    pids.insert(ev.at("pid").get<int64_t>());
    if (ev.value("cat", "") == "lurk") mine[ev.at("ph").get<std::string>()] = ev;
  }
  ASSERT_EQ(pids.size(), 2u);
  ASSERT_EQ(mine.size(), 5u);  // b, e, s, t, f
  auto where = [](const nlohmann::json& ev) {
    return ev.at("pid").dump() + ":" + ev.at("tid").dump();
  };
  ASSERT_NE(where(mine["b"]), where(mine["e"]));  // really across threads
  ASSERT_NE(mine["s"].at("pid"), mine["f"].at("pid"));  // really across processes
  // The child's next slice at or after the "f".
  int64_t f_ts = mine["f"].at("ts").get<int64_t>(), next = INT64_MAX;
  for (const auto& ev : events) {
    std::string ph = ev.at("ph").get<std::string>();
    bool slice = ph == "B" || ph == "X" || ((ph == "I" || ph == "i") && ev.value("s", "t") == "t");
    int64_t ts = ev.value("ts", int64_t{0});
    if (slice && where(ev) == where(mine["f"]) && ts >= f_ts) next = std::min(next, ts);
  }
  ASSERT_NE(next, INT64_MAX);

  SourceOutcome outcome = ingest("node-workers.json", bytes);
  EXPECT_EQ(outcome.records, static_cast<int64_t>(events.size()));
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind IN ('out-of-order', "
                  "'unknown-id', 'flow-never-ended', 'flow-without-slice')"), 0);
  auto flow = [&](const nlohmann::json& from, const nlohmann::json& to, int64_t to_us) {
    return count("SELECT count(*) FROM flows f JOIN threads a ON a.id = f.from_thread "
                 "JOIN threads b ON b.id = f.to_thread WHERE a.ext_id = '" + where(from) +
                 "' AND b.ext_id = '" + where(to) + "' AND f.from_ns = " +
                 std::to_string(from.at("ts").get<int64_t>() * 1000) +
                 " AND f.to_ns = " + std::to_string(to_us * 1000));
  };
  EXPECT_EQ(flow(mine["s"], mine["t"], mine["t"].at("ts").get<int64_t>()), 1);
  EXPECT_EQ(flow(mine["t"], mine["f"], next), 1);
  EXPECT_EQ(count("SELECT count(*) FROM flows"), 2);
  EXPECT_EQ(text("SELECT p.ext_id FROM threads t JOIN threads p ON p.id = t.parent_id "
                 "WHERE t.ext_id = 'async:global:lurk:0x7'"), where(mine["b"]));
  EXPECT_EQ(count("SELECT count(*) FROM spans s JOIN threads t ON t.id = s.thread_id "
                  "WHERE t.ext_id = 'async:global:lurk:0x7' AND s.start_ns = " +
                  std::to_string(mine["b"].at("ts").get<int64_t>() * 1000) + " AND s.end_ns = " +
                  std::to_string(mine["e"].at("ts").get<int64_t>() * 1000)), 1);
  // The child exits inside callbacks: its open async slices are closed at
  // the end, each reported where it began.
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind = 'unclosed-span'"),
            count("SELECT coalesce(sum(value), 0) FROM source_counters "
                  "WHERE name = 'spans-closed-at-end'"));
  // Both processes' threads.
  EXPECT_EQ(count("SELECT count(DISTINCT substr(ext_id, 1, instr(ext_id, ':'))) FROM threads "
                  "WHERE kind = 'thread'"), 2);
}

TEST_F(ChromeJsonTest, ArrayFormWithFractionalMicroseconds) {
  SourceOutcome o = ingest_text(R"([
    {"ph":"X","pid":1,"tid":2,"ts":1.5,"dur":2.25,"name":"work","args":{"n":3}},
    {"ph":"i","pid":1,"tid":2,"ts":2,"name":"tick","s":"t"}
  ])");
  EXPECT_EQ(o.status, SourceOutcome::Status::Complete);
  EXPECT_EQ(count("SELECT start_ns FROM spans"), 1500);
  EXPECT_EQ(count("SELECT end_ns FROM spans"), 3750);
  EXPECT_EQ(text("SELECT ext_id FROM threads"), "1:2");
  EXPECT_EQ(text("SELECT args_json FROM spans"), R"({"n":3})");
  EXPECT_EQ(count("SELECT ts_ns FROM instants"), 2000);
}

TEST_F(ChromeJsonTest, TruncatedArrayWithTrailingCommaLoadsCompletely) {
  SourceOutcome o = ingest_text(R"([{"ph":"B","pid":1,"tid":1,"ts":10,"name":"a"},
    {"ph":"E","pid":1,"tid":1,"ts":20},
)");
  EXPECT_EQ(o.status, SourceOutcome::Status::Complete) << (o.messages.empty() ? "" : o.messages[0]);
  EXPECT_EQ(count("SELECT count(*) FROM spans WHERE start_ns = 10000 AND end_ns = 20000"), 1);
}

TEST_F(ChromeJsonTest, ObjectFormSkipsOtherKeysAndReadsMetadata) {
  SourceOutcome o = ingest_text(R"({"displayTimeUnit":"ns","otherData":{"x":[1,{"y":"]}"}]},
    "traceEvents":[
      {"ph":"M","pid":7,"tid":8,"name":"thread_name","args":{"name":"net worker"}},
      {"ph":"M","pid":7,"tid":8,"name":"thread_sort_index","args":{"sort_index":-5}},
      {"ph":"M","pid":7,"name":"process_name","args":{"name":"server"}},
      {"ph":"B","pid":7,"tid":8,"ts":1,"name":"outer"},
      {"ph":"B","pid":7,"tid":9,"ts":1,"name":"other"},
      {"ph":"B","pid":7,"tid":8,"ts":2,"name":"inner"},
      {"ph":"E","pid":7,"tid":8,"ts":3},
      {"ph":"E","pid":7,"tid":8,"ts":4}
    ],"metadata":{"a":1}})");
  EXPECT_EQ(text("SELECT s.text FROM threads t JOIN strings s ON s.id = t.name WHERE ext_id = '7:8'"),
            "net worker");
  EXPECT_EQ(count("SELECT sort_index FROM threads WHERE ext_id = '7:8'"), -5);
  // Unnamed threads are called after their process.
  EXPECT_EQ(text("SELECT s.text FROM threads t JOIN strings s ON s.id = t.name WHERE ext_id = '7:9'"),
            "server 9");
  EXPECT_EQ(count("SELECT depth FROM spans s JOIN strings n ON n.id = s.name WHERE n.text = 'inner'"), 1);
  // "other" never ended: closed at the end of the trace, and counted.
  EXPECT_EQ(count("SELECT end_ns FROM spans s JOIN strings n ON n.id = s.name WHERE n.text = 'other'"),
            4000);
  EXPECT_EQ(count("SELECT value FROM source_counters WHERE name = 'spans-closed-at-end'"), 1);
  // ... which is a repair, so it is also an error at the B's line, and the source partial.
  EXPECT_EQ(o.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(count("SELECT line FROM ingest_errors WHERE kind = 'unclosed-span'"), 7);
}

TEST_F(ChromeJsonTest, CompleteEventsWrittenInnerFirstNestCorrectly) {
  // Writers emit X when it ends: the inner one comes first.
  ingest_text(R"([{"ph":"X","pid":1,"tid":1,"ts":5,"dur":1,"name":"inner"},
                  {"ph":"X","pid":1,"tid":1,"ts":0,"dur":10,"name":"outer"},
                  {"ph":"X","pid":1,"tid":1,"ts":12,"dur":1,"name":"after"}])");
  auto depth_of = [&](const std::string& name) {
    return count("SELECT depth FROM spans s JOIN strings n ON n.id = s.name WHERE n.text = '" +
                 name + "'");
  };
  EXPECT_EQ(depth_of("outer"), 0);
  EXPECT_EQ(depth_of("inner"), 1);
  EXPECT_EQ(depth_of("after"), 0);
}

TEST_F(ChromeJsonTest, CountersAsyncAndFlows) {
  SourceOutcome o = ingest_text(R"([
    {"ph":"C","pid":1,"tid":1,"ts":1,"name":"mem","args":{"heap":10,"rss":"20"}},
    {"ph":"C","pid":1,"tid":1,"ts":2,"name":"cwnd","args":{"value":4}},
    {"ph":"b","pid":1,"tid":1,"ts":3,"cat":"net","id":"0x1","name":"request"},
    {"ph":"n","pid":1,"tid":1,"ts":4,"cat":"net","id":"0x1","name":"got headers"},
    {"ph":"e","pid":1,"tid":2,"ts":5,"cat":"net","id":"0x1","name":"request"},
    {"ph":"s","pid":1,"tid":1,"ts":6,"cat":"f","id":7,"name":"send"},
    {"ph":"t","pid":1,"tid":2,"ts":7,"cat":"f","id":7,"name":"send"},
    {"ph":"f","pid":1,"tid":3,"ts":8,"cat":"f","id":7,"name":"send"},
    {"ph":"X","pid":1,"tid":1,"ts":9,"dur":1,"name":"a","bind_id":"0xa","flow_out":true},
    {"ph":"X","pid":1,"tid":3,"ts":11,"dur":1,"name":"b","bind_id":"0xa","flow_in":true},
    {"ph":"P","pid":1,"tid":1,"ts":12,"name":"sample"},
    {"ph":"P","pid":1,"tid":1,"ts":13,"name":"sample"}
  ])");
  EXPECT_EQ(count("SELECT value FROM counters c JOIN strings s ON s.id = c.name WHERE s.text = 'mem.heap'"), 10);
  EXPECT_EQ(count("SELECT value FROM counters c JOIN strings s ON s.id = c.name WHERE s.text = 'mem.rss'"), 20);
  EXPECT_EQ(count("SELECT value FROM counters c JOIN strings s ON s.id = c.name WHERE s.text = 'cwnd'"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM threads WHERE kind = 'async'"), 1);
  EXPECT_EQ(count("SELECT end_ns - start_ns FROM spans WHERE kind = 'async'"), 2000);
  EXPECT_EQ(count("SELECT count(*) FROM instants i JOIN threads t ON t.id = i.thread_id "
                  "WHERE t.kind = 'async'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM flows"), 3);  // s->t, t->f, bind_id
  EXPECT_EQ(count("SELECT count(*) FROM flows f JOIN threads a ON a.id = f.from_thread "
                  "JOIN threads b ON b.id = f.to_thread WHERE a.ext_id = '1:1' AND b.ext_id = '1:3' "
                  "AND f.from_ns = 9000 AND f.to_ns = 11000"), 1);
  // Phases lurk does not import are reported where they are and counted by phase.
  EXPECT_EQ(o.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(count("SELECT value FROM source_counters WHERE name = 'unknown-phase:P'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind = 'unknown-phase:P'"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors"), 2);
  EXPECT_EQ(o.skipped, 2);
}

TEST_F(ChromeJsonTest, BadInputIsReportedWithLineAndOffsetAndTheRestKept) {
  std::string trace =
      "[{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"ok\"},\n"   // line 1
      "{\"ph\":\"E\",\"pid\":1,\"tid\":9,\"ts\":2},\n"                     // line 2: E without B
      "{\"ph\":\"f\",\"pid\":1,\"tid\":1,\"ts\":3,\"id\":99},\n"           // line 3: unknown flow id
      "{\"ph\":\"e\",\"pid\":1,\"tid\":1,\"ts\":3,\"id\":5,\"cat\":\"x\"},\n"  // line 4: unknown async id
      "{\"ph\":\"X\",\"pid\":1,,\"tid\":1},\n"                             // line 5: not JSON
      "garbage,\n"                                                          // line 6
      "{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":4},\n"                     // line 7: fine
      "{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":5,\"na";                   // line 8: torn
  SourceOutcome o = ingest_text(trace);
  EXPECT_EQ(o.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(count("SELECT status = 'partial' FROM sources"), 1);
  auto error_at = [&](const std::string& kind) {
    return count("SELECT line FROM ingest_errors WHERE kind = '" + kind + "'");
  };
  EXPECT_EQ(error_at("unmatched-end"), 2);
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind = 'unknown-id'"), 2);
  EXPECT_EQ(error_at("bad-json"), 5);
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind = 'bad-json'"), 2);  // lines 5, 6
  EXPECT_EQ(error_at("torn-event"), 8);
  EXPECT_EQ(count("SELECT byte_offset FROM ingest_errors WHERE kind = 'torn-event'"),
            static_cast<int64_t>(trace.rfind('{')));
  // The good B/E pair around the damage is still there.
  EXPECT_EQ(count("SELECT count(*) FROM spans WHERE start_ns = 1000 AND end_ns = 4000"), 1);
  EXPECT_EQ(count("SELECT errors FROM sources"), count("SELECT count(*) FROM ingest_errors"));
  // Messages come in the order the events were read (time order for the
  // events, at once for damage the splitter finds); each says where.
  ASSERT_EQ(o.messages.size(), static_cast<size_t>(count("SELECT count(*) FROM ingest_errors")));
  EXPECT_EQ(std::count_if(o.messages.begin(), o.messages.end(),
                          [](const std::string& m) {
                            return m.starts_with("t.json: line 2: byte offset");
                          }),
            1);
}

// A file further out of time order than the sorter's window: the late
// events are read anyway and each is reported with its offset, never paired
// wrongly without a word.
TEST_F(ChromeJsonTest, EventsBeyondTheSorterWindowAreReported) {
  const size_t window = ChromeEventSorter::kWindowEvents;
  std::string trace = "[";
  for (size_t i = 0; i < window + 100; ++i)
    trace += "{\"ph\":\"X\",\"pid\":1,\"tid\":2,\"ts\":" + std::to_string(10 + i) +
             ",\"dur\":1,\"name\":\"x\"},\n";
  size_t late_b = trace.size();
  trace += "{\"ph\":\"B\",\"pid\":1,\"tid\":1,\"ts\":1,\"name\":\"late\"},\n";
  size_t late_e = trace.size();
  trace += "{\"ph\":\"E\",\"pid\":1,\"tid\":1,\"ts\":2}]";
  SourceOutcome o = ingest_text(trace);
  EXPECT_EQ(o.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind = 'out-of-order'"), 2);
  EXPECT_EQ(count("SELECT min(byte_offset) FROM ingest_errors WHERE kind = 'out-of-order'"),
            static_cast<int64_t>(late_b));
  EXPECT_EQ(count("SELECT max(byte_offset) FROM ingest_errors WHERE kind = 'out-of-order'"),
            static_cast<int64_t>(late_e));
  // Read late, the pair still pairs (nothing else is on its thread), and
  // every X is there.
  EXPECT_EQ(count("SELECT count(*) FROM spans WHERE start_ns = 1000 AND end_ns = 2000"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM spans"), static_cast<int64_t>(window + 101));
}

// Within the window, time order wins over file order across threads too:
// an async "e" and a flow "f" written before their "b" and "s".
TEST_F(ChromeJsonTest, EndsWrittenBeforeTheirBeginningsPairByTime) {
  SourceOutcome o = ingest_text(R"([
    {"ph":"e","pid":2,"tid":5,"ts":9,"cat":"c","id":3,"name":"req"},
    {"ph":"f","pid":2,"tid":5,"ts":8,"cat":"c","id":4,"name":"hop","bp":"e"},
    {"ph":"X","pid":2,"tid":5,"ts":7,"dur":3,"name":"recv"},
    {"ph":"X","pid":1,"tid":1,"ts":1,"dur":3,"name":"send"},
    {"ph":"b","pid":1,"tid":1,"ts":2,"cat":"c","id":3,"name":"req"},
    {"ph":"s","pid":1,"tid":1,"ts":3,"cat":"c","id":4,"name":"hop"}
  ])");
  EXPECT_EQ(o.status, SourceOutcome::Status::Complete) << (o.messages.empty() ? "" : o.messages[0]);
  EXPECT_EQ(count("SELECT end_ns - start_ns FROM spans WHERE kind = 'async'"), 7000);
  EXPECT_EQ(count("SELECT count(*) FROM flows f JOIN threads a ON a.id = f.from_thread "
                  "JOIN threads b ON b.id = f.to_thread WHERE a.ext_id = '1:1' AND b.ext_id = '2:5' "
                  "AND f.from_ns = 3000 AND f.to_ns = 8000"), 1);
}

TEST(ChromeTimestamps, IntegersExactDecimalsRoundedBelowTheNanosecond) {
  FlatJsonObject ev;
  auto ns = [&](const std::string& ts) {
    EXPECT_TRUE(ev.parse("{\"ts\":" + ts + "}")) << ts;
    return chrome_timestamp_ns(*ev.find("ts"));
  };
  EXPECT_EQ(ns("1700000000000001"), 1700000000000001000);
  EXPECT_EQ(ns("9223372036854775"), 9223372036854775000);  // the largest that fits
  EXPECT_EQ(ns("9223372036854776"), std::nullopt);
  EXPECT_EQ(ns("-5"), -5000);
  EXPECT_EQ(ns("1.0005"), 1001);
  EXPECT_EQ(ns("1.00049"), 1000);
  EXPECT_EQ(ns("-1.0005"), -1001);  // half away from zero
  EXPECT_EQ(ns("1700000000000010.5"), 1700000000000010500);
  EXPECT_EQ(ns("1.5e3"), 1500000);  // exponents go through a double
  // A string holding a number is that number, as in Perfetto's CoerceToTs;
  // strtod's extras and other strings are no timestamp.
  EXPECT_EQ(ns("\"12\""), 12000);
  EXPECT_EQ(ns("\"12.0005\""), 12001);
  EXPECT_EQ(ns("\"1.5e3\""), 1500000);
  EXPECT_EQ(ns("\"0x1f\""), std::nullopt);
  EXPECT_EQ(ns("\"inf\""), std::nullopt);
  EXPECT_EQ(ns("\" 12\""), std::nullopt);
  EXPECT_EQ(ns("\"\""), std::nullopt);
}

TEST_F(ChromeJsonTest, ObjectWithoutTraceEventsIsAnError) {
  SourceOutcome o = ingest_text(R"({"traceEvents_not":[], "ph": 1})");
  EXPECT_EQ(o.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind = 'no-trace-events'"), 1);
}

TEST(ChromeJsonSniff, AcceptsTracesOnlyNeverCapturesOrPlainJson) {
  ChromeJsonImporter importer;
  auto sniff = [&](const std::string& s) {
    return importer.sniff(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  };
  EXPECT_TRUE(sniff(R"([{"ph":"X","ts":1}])"));
  EXPECT_TRUE(sniff("\xef\xbb\xbf  \n[ {\"name\":\"a\",\"ph\":\"B\""));
  EXPECT_TRUE(sniff(R"({"traceEvents":[)"));
  EXPECT_TRUE(sniff("[]"));
  EXPECT_FALSE(sniff(R"({"lurk":"jsonl","version":1})"));
  EXPECT_FALSE(sniff(R"([{"a":1}])"));
  EXPECT_FALSE(sniff("this is not a capture"));
  EXPECT_FALSE(sniff(""));
  std::vector<uint8_t> pcap = build_pcap({}, {});
  EXPECT_FALSE(importer.sniff(pcap));
  // A CTF packet starts with the magic 0xc1fc1fc1 (either byte order).
  std::vector<uint8_t> ctf = {0xc1, 0x1f, 0xfc, 0xc1, '{', '[', ' '};
  EXPECT_FALSE(importer.sniff(ctf));
}

}  // namespace
}  // namespace lurk::test
