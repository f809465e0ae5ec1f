// The lane store `lurk view` makes off its critical path (server/
// background_lane_store.h, server/page_lanes.h), where it goes wrong: a
// commit landing between the view's read and the background's (the
// background must read the view's state, WAL or rollback journal), a
// background that fails before the flows and periods (frames go on from the
// rows, nothing stays pending, /native says why), a stop asked between two
// statements (stop_flag.h), a kept store whose summary was lost (reused, not
// made again), the page's store stopped in a pass over every event, a page
// told at once that no store is coming, and a profile of schema version 1
// copied and upgraded once per view.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include <sqlite3.h>

#include "core/frame_request.h"
#include "core/range_counts.h"
#include "frame_test_view.h"
#include "http_response_body.h"
#include "profile_fixture.h"
#include "server/background_lane_store.h"
#include "server/frame_endpoint.h"
#include "server/lane_store.h"
#include "server/lane_summary_file.h"
#include "server/page_lanes.h"
#include "server/stop_flag.h"
#include "storage/schema_migrations.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

using Clock = std::chrono::steady_clock;

constexpr int64_t kBase = 1'700'000'000'000'000'000;

// Connections with packets, a thread per connection with nested spans,
// thread-to-packet and thread-to-thread flows, GC and idle periods: every
// table the background reads. `spans` per thread (the size of a pass).
void write_profile(Database& db, int spans = 400) {
  TraceWriter w(db);
  SourceRow source{0, "t", "test", "hash-background", 1};
  w.begin_source(source);
  int64_t frame = 0;
  std::vector<int64_t> threads;
  for (int k = 0; k < 4; ++k) {
    ConnectionRow c;
    c.source_id = source.id;
    c.addr_a = "10.0.0.1";
    c.addr_b = "10.0.2." + std::to_string(k);
    c.port_a = 42000 + k;
    c.port_b = 443;
    c.first_ns = kBase + k * 5'000'000;
    c.last_ns = c.first_ns + 40'000'000;
    c.state = "closed";
    w.insert_connection(c);
    ThreadRow t;
    t.source_id = source.id;
    t.ext_id = std::to_string(k);
    t.name = w.intern("worker " + std::to_string(k));
    t.start_ns = c.first_ns;
    t.end_ns = c.last_ns;
    t.connection_id = c.id;
    w.insert_thread(t);
    threads.push_back(t.id);
    for (int i = 0; i < 600; ++i) {
      PacketRow p;
      p.source_id = source.id;
      p.frame = ++frame;
      p.connection_id = c.id;
      p.ts_ns = c.first_ns + int64_t(i) * 50'000;
      p.dir = i % 2;
      p.tcp_flags = 0x10;
      p.payload_len = p.dir ? 0 : 1000;
      w.insert_packet(p);
      (p.dir ? c.packets_ba : c.packets_ab)++;
      if (i % 5 == 1) w.insert_flow({"tcp-send", t.id, p.ts_ns - 2'000, std::nullopt, p.ts_ns, p.frame});
    }
    w.update_connection(c);
    for (int i = 0; i < spans; ++i) {
      int64_t t0 = *t.start_ns + int64_t(i) * 90'000;
      w.insert_span({t.id, t0, t0 + 60'000, 0, "span", w.intern("tcp.read"), std::nullopt});
      w.insert_span({t.id, t0 + 5'000, t0 + 30'000, 1, "span", w.intern("parse"), std::nullopt});
    }
    if (threads.size() > 1)
      for (int i = 0; i < 30; ++i)
        w.insert_flow({"wake", threads[threads.size() - 2], c.first_ns + i * 1'000'000, threads.back(),
                       c.first_ns + i * 1'000'000 + 40'000, std::nullopt});
  }
  for (int i = 0; i < 40; ++i) {
    int64_t ti = kBase + int64_t(i) * 1'000'000;
    w.insert_period({source.id, i % 2 ? "idle" : "gc", ti, ti + 300'000});
  }
  w.commit_source(source);
}

struct FlowTimes {
  int64_t from_ns, to_ns;
  int32_t from_thread, to_thread;
  bool operator==(const FlowTimes&) const = default;
};

std::vector<FlowTimes> flows_of(const ui::ProfileModel& model) {
  std::vector<FlowTimes> out;
  for (const ui::FlowRecord& f : model.flows()) out.push_back({f.from_ns, f.to_ns, f.from_thread, f.to_thread});
  return out;
}

server::HttpRequest get(const std::string& path, const std::string& query = "") {
  server::HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.query = query;
  return r;
}

nlohmann::json native_of(server::FrameEndpoint& endpoint) {
  auto answer = endpoint.answer(get("/native"));
  return nlohmann::json::parse(body_of(*answer));
}

bool has_header(const server::HttpResponse& r, const std::string& name) {
  for (const auto& [n, v] : r.headers)
    if (n == name) return true;
  return false;
}

// The file's inode and modification time: a store made again is a new file
// put in place by a rename.
std::pair<ino_t, int64_t> file_id(const std::filesystem::path& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return {0, 0};
  return {st.st_ino, int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec};
}

class BackgroundLaneStoreTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    // Stores and summaries go to this test's directory, not the user's cache.
    ::setenv("LURK_CACHE_DIR", (dir_ / "cache").c_str(), 1);
  }
  void TearDown() override {
    server::BackgroundLaneStore::before_taking_the_state_for_tests = nullptr;
    ProfileTest::TearDown();
  }
};

// A commit made after the view read the profile and before its background
// takes its state: the background still reads the view's state. In WAL mode
// (lurk collect writing) the commit goes through and the background opens
// the view's snapshot; a WAL without frames has no snapshot, and then the
// background, finding frames, refuses (the view gives up the flows rather
// than take a later state's); in rollback mode the view's lock holds the
// writer off until the background has its own (refused, not waited for).
TEST_F(BackgroundLaneStoreTest, ReadsTheViewsStateThoughACommitCameBetween) {
  write_profile(db());
  ui::ProfileModel whole = ui::ProfileModel::load(db());
  ASSERT_GT(whole.flows().size(), 100u);
  for (const std::string mode : {"wal without frames", "wal", "delete"}) {
    SCOPED_TRACE(mode);
    db().exec(std::string("PRAGMA journal_mode = ") + (mode == "delete" ? "delete" : "wal"));
    if (mode == "wal") {
      // Frames in the WAL: a commit the view's state includes.
      db().exec("CREATE TABLE scratch(x)");
      db().exec("DROP TABLE scratch");
    }
    std::filesystem::remove_all(dir_ / "cache");
    std::string writer_said;
    server::BackgroundLaneStore::before_taking_the_state_for_tests = [&](const std::filesystem::path& profile) {
      // A clock shift of the flows, as another process would commit it.
      // (SQLite's own open: lurk's Database reads the file with a descriptor
      // of its own first, whose close would drop this process's locks.)
      sqlite3* writer = nullptr;
      sqlite3_open_v2(profile.c_str(), &writer, SQLITE_OPEN_READWRITE, nullptr);
      int rc = sqlite3_exec(writer, "UPDATE flows SET from_ns = from_ns + 7000000, to_ns = to_ns + 7000000",
                            nullptr, nullptr, nullptr);
      writer_said = rc == SQLITE_OK ? "committed" : sqlite3_errmsg(writer);
      sqlite3_close(writer);
    };
    {
      server::FrameEndpoint view(profile_path_, dir_, 1 << 20);
      ASSERT_TRUE(view.summary().from_facts) << "the background's path";
      view.wait_for_background();
      server::BackgroundLaneStore::before_taking_the_state_for_tests = nullptr;
      EXPECT_FALSE(view.model().flows_and_periods_pending());
      if (mode == "wal without frames") {
        EXPECT_TRUE(view.model().flows().empty()) << "a later state's flows were taken";
        EXPECT_NE(native_of(view)["backgroundProblem"].get<std::string>().find("committed to since"),
                  std::string::npos);
      } else {
        EXPECT_EQ(flows_of(view.model()), flows_of(whole)) << "the writer: " << writer_said;
        EXPECT_TRUE(view.has_store()) << view.store_note();
      }
    }
    if (mode == "delete")
      EXPECT_NE(writer_said, "committed") << "in rollback mode the view's lock holds the writer off";
    else
      EXPECT_EQ(writer_said, "committed") << "in WAL mode the commit is not held off";
    // Put the flows back for the next mode (a no-op when the commit was refused).
    if (writer_said == "committed")
      db().exec("UPDATE flows SET from_ns = from_ns - 7000000, to_ns = to_ns - 7000000");
  }
}

// The flows table damaged (one of its leaf pages zeroed): the open from the
// lane facts does not read it, the background fails on it before giving the
// flows and periods. Frames go on from the rows, nothing stays pending, and
// /native says why.
TEST_F(BackgroundLaneStoreTest, FailureBeforeTheFlowsLeavesFramesFromTheRows) {
  write_profile(db());
  int64_t page = 0, page_size = db().query_int("PRAGMA page_size");
  {
    Statement s = db().prepare("SELECT pageno FROM dbstat WHERE name = 'flows' AND pagetype = 'leaf' "
                               "ORDER BY path LIMIT 1");
    ASSERT_TRUE(s.step());
    page = s.column_int(0);
  }
  ASSERT_GT(db().query_int("SELECT count(*) FROM dbstat WHERE name = 'flows' AND pagetype = 'leaf'"), 1)
      << "the first leaf is not the last (which the open's max(rowid) reads)";
  db_.reset();
  {
    std::fstream f(profile_path_, std::ios::in | std::ios::out | std::ios::binary);
    std::string garbage(size_t(page_size), '\xff');
    f.seekp((page - 1) * page_size);
    f.write(garbage.data(), std::streamsize(garbage.size()));
  }
  server::FrameEndpoint view(profile_path_, dir_, 1 << 20);
  ASSERT_TRUE(view.summary().from_facts);
  view.wait_for_background();
  EXPECT_FALSE(view.model().flows_and_periods_pending()) << "none are coming";
  EXPECT_FALSE(view.has_store());
  EXPECT_NE(view.store_note().find("not made in the background"), std::string::npos) << view.store_note();
  nlohmann::json native = native_of(view);
  EXPECT_FALSE(native["backgroundPending"].get<bool>());
  EXPECT_FALSE(native["flowsPending"].get<bool>());
  EXPECT_NE(native["backgroundProblem"].get<std::string>().find("malformed"), std::string::npos) << native.dump();
  double d = double(view.model().duration_ns());
  auto frame = view.answer(get("/frame", ui::frame_request_query(ui::test::frame_request_at(0, d))));
  ASSERT_TRUE(frame);
  EXPECT_EQ(frame->status, 200) << body_of(*frame);
  EXPECT_FALSE(has_header(*frame, "X-Lurk-Pending"));
  EXPECT_GT(view.lanes().loads(), 0u) << "lanes read from the profile's rows";
}

// A stop asked while no statement runs (between two statements: where
// sqlite3_interrupt is forgotten) ends the next statement at once.
TEST_F(BackgroundLaneStoreTest, StopBetweenStatementsEndsTheNextOne) {
  Database memory(":memory:", Database::Mode::ReadWriteCreate);
  std::atomic<bool> stop{false};
  server::end_statements_when(memory, &stop);
  const char* long_count =
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 300000000) SELECT count(*) FROM c";
  EXPECT_EQ(memory.query_int("SELECT 6 * 7"), 42) << "not stopped: statements run";
  stop = true;
  auto began = Clock::now();
  EXPECT_THROW(memory.query_int(long_count), StorageError);
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - began).count(), 2.0);
  // And one set while the statement runs, from another thread.
  stop = false;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    stop = true;
  });
  began = Clock::now();
  EXPECT_THROW(memory.query_int(long_count), StorageError);
  stopper.join();
  EXPECT_LT(std::chrono::duration<double>(Clock::now() - began).count(), 2.0);
}

// The summary lost (deleted, or never kept), the store kept: the next open
// makes the summary (and minimap) only, from the store's lanes; the store
// file is the same one. From the lane facts (the background) and by the
// pass over every event (a profile without them).
TEST_F(BackgroundLaneStoreTest, KeptStoreIsReusedWhenItsSummaryIsMissing) {
  write_profile(db());
  for (bool facts : {true, false}) {
    SCOPED_TRACE(facts ? "from the lane facts" : "by the pass over every event");
    if (!facts) db().exec("DELETE FROM lane_facts");
    std::filesystem::remove_all(dir_ / "cache");
    nlohmann::json first;
    {
      server::FrameEndpoint view(profile_path_, dir_, 1 << 20);
      EXPECT_EQ(view.summary().from_facts, facts);
      view.wait_for_background();
      ASSERT_TRUE(view.has_store()) << view.store_note();
      first = native_of(view)["minimap"];
    }
    std::filesystem::path store = server::lane_store_path(profile_path_);
    std::filesystem::path summary = server::lane_summary_path(profile_path_);
    auto made = file_id(store);
    ASSERT_NE(made.first, 0u);
    ASSERT_TRUE(std::filesystem::remove(summary));
    {
      server::FrameEndpoint view(profile_path_, dir_, 1 << 20);
      EXPECT_FALSE(view.summary().from_file);
      EXPECT_TRUE(view.has_store()) << "the kept store, at once: " << view.store_note();
      view.wait_for_background();
      EXPECT_TRUE(view.has_store()) << view.store_note();
      EXPECT_EQ(native_of(view)["minimap"], first) << "the minimap from the store's lanes";
    }
    EXPECT_EQ(file_id(store), made) << "the store was made again";
    EXPECT_TRUE(std::filesystem::exists(summary)) << "the summary is kept again";
    server::FrameEndpoint warm(profile_path_, dir_, 1 << 20);
    EXPECT_TRUE(warm.summary().from_file);
    EXPECT_TRUE(warm.has_store());
  }
}

// ~PageLanes while the page's store of a profile without lane facts is being
// made (the pass over every event, inside the endpoint's constructor): the
// pass ends, no store is made, and it returns at once.
TEST_F(BackgroundLaneStoreTest, PageLanesStoppedInThePassOverEveryEvent) {
  write_profile(db(), 30000);
  db().exec("DELETE FROM lane_facts");
  db_.reset();
  std::shared_ptr<server::PageLanes> lanes = server::PageLanes::start(profile_path_, dir_);
  // In the pass: the store's part file is there (the summary's scan is done).
  auto being_written = [&] {
    std::error_code ec;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(dir_ / "cache", ec))
      if (entry.path().string().find(".part") != std::string::npos) return true;
    return false;
  };
  for (int i = 0; i < 20000 && !being_written(); ++i) std::this_thread::sleep_for(std::chrono::microseconds(500));
  ASSERT_TRUE(being_written()) << "the pass never began";
  auto began = Clock::now();
  lanes.reset();
  double seconds = std::chrono::duration<double>(Clock::now() - began).count();
  EXPECT_LT(seconds, 5.0);
  EXPECT_FALSE(std::filesystem::exists(server::lane_store_path(profile_path_)))
      << "the pass ran to its end (" << seconds << " s)";
  EXPECT_FALSE(std::filesystem::exists(server::lane_summary_path(profile_path_)));
}

// No store can come (the cache cannot be written): the page is told at once,
// in the profile's answer (status) and by /trace.lanes, not after a wait.
TEST_F(BackgroundLaneStoreTest, PageIsToldAtOnceThatNoStoreIsComing) {
  write_profile(db());
  db_.reset();
  std::ofstream(dir_ / "not-a-dir") << "x";
  ::setenv("LURK_CACHE_DIR", (dir_ / "not-a-dir" / "cache").c_str(), 1);
  std::shared_ptr<server::PageLanes> lanes = server::PageLanes::start(profile_path_, dir_);
  EXPECT_STREQ(lanes->status(), "failed");
  server::HttpResponse answer = lanes->answer(get(server::PageLanes::kPath));
  EXPECT_FALSE(answer.defer);
  EXPECT_EQ(answer.status, 404);
  EXPECT_NE(body_of(answer).find("cannot write"), std::string::npos) << body_of(answer);
  // With a cache: "making" until the store is there, then "ready".
  ::setenv("LURK_CACHE_DIR", (dir_ / "cache").c_str(), 1);
  lanes = server::PageLanes::start(profile_path_, dir_);
  std::string first = lanes->status();
  EXPECT_TRUE(first == "making" || first == "ready") << first;
  server::HttpRequest request = get(server::PageLanes::kPath);
  server::HttpResponse served;
  for (int i = 0; i < 3000 && (served = lanes->answer(request)).defer; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(served.status, 200) << body_of(served);
  EXPECT_STREQ(lanes->status(), "ready");
}

// A profile of schema version 1 is read from a copy upgraded in memory:
// one per view (not one for the view and another for its background), and
// none to count its events.
TEST_F(BackgroundLaneStoreTest, VersionOneProfileIsCopiedOnce) {
  db_.reset();
  std::filesystem::path v1 = dir_ / "v1.lurk";
  std::filesystem::copy_file(std::filesystem::path(LURK_SOURCE_DIR) / "tests/data/profiles/v1-capture-ctf-jsonl.lurk",
                             v1);
  uint64_t before = upgraded_copies_made();
  EXPECT_GT(server::profile_event_count(v1), 0);
  EXPECT_EQ(upgraded_copies_made(), before) << "counting its events";
  {
    server::FrameEndpoint view(v1, dir_, 1 << 20);
    view.wait_for_background();
    EXPECT_TRUE(view.has_store()) << view.store_note();
    EXPECT_FALSE(view.model().flows_and_periods_pending());
  }
  EXPECT_EQ(upgraded_copies_made(), before + 1) << "the view and its background";
  std::filesystem::remove_all(dir_ / "cache");
  std::shared_ptr<server::PageLanes> lanes = server::PageLanes::start(v1, dir_);
  server::HttpRequest request = get(server::PageLanes::kPath);
  server::HttpResponse served;
  for (int i = 0; i < 3000 && (served = lanes->answer(request)).defer; ++i)
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  EXPECT_EQ(served.status, 200) << body_of(served);
  EXPECT_EQ(upgraded_copies_made(), before + 2) << "the page's store";
}

// GET /measure (a range dragged on the ruler, server-backed): the lane
// store's counts are the whole model's, as the page counts them in-browser
// (core/range_counts.h), for the whole trace, a part and an empty range;
// a bad range is a 400 naming the parameter; without a store the answer
// says why there are no counts instead of reading every row.
TEST_F(BackgroundLaneStoreTest, MeasuredRangesAreCountedInTheStoreAsInTheWholeModel) {
  write_profile(db());
  ui::ProfileModel whole = ui::ProfileModel::load(db());
  double d = double(whole.duration_ns());
  auto measure = [](server::FrameEndpoint& view, double t0, double t1) {
    std::optional<server::HttpResponse> r = view.answer(get("/measure", ui::measure_request_query(t0, t1)));
    EXPECT_TRUE(r && r->status == 200);
    return nlohmann::json::parse(body_of(*r));
  };
  {
    server::FrameEndpoint view(profile_path_, dir_, 1 << 20);
    view.wait_for_background();
    ASSERT_TRUE(view.has_store()) << view.store_note();
    int nonzero = 0;
    for (auto [t0, t1] : {std::pair{-1.0, d + 1}, {d * 0.25, d * 0.6}, {d * 0.5, d * 0.5}, {d * 0.9, d * 0.95}}) {
      SCOPED_TRACE(std::to_string(t0) + " " + std::to_string(t1));
      ui::RangeCounts expected = ui::count_range(whole, t0, t1);
      nlohmann::json j = measure(view, t0, t1);
      EXPECT_EQ(j["packets"].get<int64_t>(), expected.packets);
      EXPECT_EQ(j["spans"].get<int64_t>(), expected.spans);
      EXPECT_EQ(j["instants"].get<int64_t>(), expected.instants);
      nonzero += expected.packets > 0 && expected.spans > 0;
    }
    EXPECT_GE(nonzero, 2) << "ranges that hold packets and spans";
    ui::RangeCounts all = ui::count_range(whole, -1, d + 1);
    EXPECT_EQ(all.packets, whole.counts().packets);
    std::optional<server::HttpResponse> bad = view.answer(get("/measure", "t0=5&t1=4"));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
    EXPECT_NE(body_of(*bad).find("t1"), std::string::npos);
    bad = view.answer(get("/measure", "t0=1&t1=2&x=3"));
    ASSERT_TRUE(bad);
    EXPECT_EQ(bad->status, 400);
  }
  // A cache that cannot be written: no store, and the answer says so.
  std::filesystem::remove_all(dir_ / "cache");
  { std::ofstream(dir_ / "cache") << "a file where the cache directory would be"; }
  server::FrameEndpoint view(profile_path_, dir_, 1 << 20);
  view.wait_for_background();
  ASSERT_FALSE(view.has_store());
  nlohmann::json j = measure(view, -1, d + 1);
  ASSERT_TRUE(j.contains("pending")) << j.dump();
  EXPECT_FALSE(j.contains("packets"));
}

}  // namespace
}  // namespace lurk::test
