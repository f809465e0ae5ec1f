// Server-backed viewing's lazy model (core/profile_model.h load_outline,
// core/lane_summary.h, server/lane_cache.h, server/lane_summary_file.h):
// frames drawn from lanes read on demand, under a memory budget small enough
// that lanes are dropped and read again between frames, are byte for byte
// the frames of the whole model, at several zooms, scrolls and row options,
// on a generated profile with a big lane; the lane summary is kept in the
// cache and made again when the profile changes or the file is damaged; the
// lane store (server/lane_store.h) gives the same lanes, hence the same
// frames, and is not used when damaged or made for another state, nor when
// cut short in place while a view has it mapped.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <atomic>
#include <cstdlib>
#include <fstream>
#include <cstring>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "same_records.h"
#include "core/finding_marks.h"
#include "core/finding_target.h"
#include "core/finding_list.h"
#include "core/frame_request.h"
#include "core/frame_source.h"
#include "core/frame_wire.h"
#include "core/minimap.h"
#include "core/range_counts.h"
#include "frame_test_view.h"
#include "http_response_body.h"
#include "net/analysis_flags.h"
#include "net/tcp_segment.h"
#include "profile_fixture.h"
#include "server/args_search.h"
#include "server/frame_endpoint.h"
#include "server/lane_cache.h"
#include "server/lane_pass.h"
#include "server/lane_reads.h"
#include "server/partial_lane_store.h"
#include "server/stop_flag.h"
#include "server/lane_store.h"
#include "server/mark_steps.h"
#include "server/native_search.h"
#include "server/lane_summary_file.h"
#include "server/outline_cache.h"
#include "server/profile_outline.h"
#include "storage/schema_migrations.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;

constexpr int64_t kLanesBase = 1'700'000'000'000'000'000;

// Connections with packets both ways (some stored out of time order, some at
// equal times, flagged ones), threads with nested spans, running periods,
// labels and exceptions, a connection without packets, short threads that
// pack into shared rows, a big lane (kBigSpans spans on one thread), global
// and per-thread counters, flows and GC/idle periods.
constexpr int kBigSpans = 120'000;

// The whole model's records as a lane read without args holds them (the
// lane store keeps none; the fixture's profile has some).
template <typename Record>
std::vector<Record> without_args(const LaneArray<Record>& records) {
  std::vector<Record> out(records.begin(), records.end());
  for (Record& r : out) r.args = 0;
  return out;
}

void write_profile(Database& db) {
  TraceWriter w(db);
  SourceRow source{0, "t", "test", "hash-lazy", 1};
  w.begin_source(source);
  std::mt19937_64 rng(7);
  int64_t frame = 0;
  std::vector<int64_t> threads;
  for (int k = 0; k < 7; ++k) {
    ConnectionRow c;
    c.source_id = source.id;
    c.addr_a = "10.0.0.1";
    c.addr_b = "10.0.1." + std::to_string(k);
    c.port_a = 41000 + k;
    c.port_b = 443;
    c.first_ns = kLanesBase + k * 7'000'000;
    c.last_ns = c.first_ns + 60'000'000;
    c.state = k % 3 ? "closed" : "reset";
    int n = k == 4 ? 0 : 1500 + 900 * k;  // connection 4: a trace's promise, no packets
    w.insert_connection(c);
    for (int i = 0; i < n; ++i) {
      PacketRow p;
      p.source_id = source.id;
      p.frame = ++frame;
      p.connection_id = c.id;
      // Every 50th packet is stored late (out of time order); pairs share a time.
      int64_t slot = i % 50 == 0 && i > 0 ? i - 7 : i;
      p.ts_ns = c.first_ns + (slot / 2) * 20'011;
      p.dir = int(rng() % 2);
      p.tcp_flags = i == n - 1 && k % 3 == 0 ? (kRst | kAck) : kAck;
      p.analysis = i % 97 == 5 ? uint32_t(kRetransmission)
                   : i % 61 == 3  ? uint32_t(kDuplicateAck)
                   : i % 211 == 9 ? uint32_t(kZeroWindow)
                                  : 0u;
      p.payload_len = p.dir ? 0 : 1200;
      w.insert_packet(p);
      (p.dir ? c.packets_ba : c.packets_ab)++;
      // A thread's segment and its packet (the flow's packet end: a lane).
      if (i % 300 == 7 && !threads.empty())
        w.insert_flow({"tcp-send", threads.back(), p.ts_ns - 1'000, std::nullopt, p.ts_ns, p.frame});
    }
    w.update_connection(c);
    for (int r = 0; r < 2; ++r) {
      ThreadRow t;
      t.source_id = source.id;
      t.ext_id = std::to_string(k) + "." + std::to_string(r);
      t.name = w.intern((r ? "writer " : "reader ") + std::to_string(k));
      t.start_ns = c.first_ns + r * 1'000'000;
      t.end_ns = c.last_ns - r * 3'000'000;
      t.connection_id = c.id;
      t.failed = k % 3 == 1 && r == 0;
      if (t.failed) t.exception = w.intern("Invalid_argument(\"Lwt.wakeup_result\")");
      w.insert_thread(t);
      threads.push_back(t.id);
      int spans = 300 + 200 * k;
      for (int i = 0; i < spans; ++i) {
        int64_t t0 = *t.start_ns + i * 90'000 + int64_t(rng() % 5'000);
        // Some spans and instants carry args (a request id, a peer): what
        // only the args pass of lurk view's search finds.
        std::optional<std::string> args;
        if (i % 5 == 0) args = "{\"req\":\"Q-" + std::to_string(k * 1000 + i) + "\"}";
        else if (i % 7 == 0) args = "{}";
        w.insert_span({t.id, t0, t0 + 60'000, 0, "span", w.intern(i % 3 ? "tcp.read" : "tcp.write"), args});
        w.insert_span({t.id, t0 + 5'000, t0 + 30'000, 1, "span", w.intern("parse"), std::nullopt});
        // Twins: a span and an instant at the time and depth of another, told
        // apart by their args only (lurk view's /item finds each one's row).
        if (i % 10 == 0)
          w.insert_span({t.id, t0 + 5'000, t0 + 30'000, 1, "span", w.intern("parse"),
                         "{\"twin\":" + std::to_string(i) + "}"});
        if (i % 36 == 0)
          w.insert_instant({t.id, t0 + 1'000, "log", w.intern("wake"), "{\"twin\":" + std::to_string(i) + "}"});
        if (i % 4 == 0) w.insert_span({t.id, t0 + 6'000, t0 + 9'000, 2, "span", w.intern("copy"), std::nullopt});
        if (i % 2 == 0) w.insert_span({t.id, t0, t0 + 40'000, 0, "running", std::nullopt, std::nullopt});
        if (i % 9 == 0)
          w.insert_instant({t.id, t0 + 1'000, i % 90 == 0 ? "exception" : "label", w.intern("wake"),
                            i % 18 == 0 ? std::optional<std::string>("{\"peer\":\"10.0.1." + std::to_string(k) + "\"}")
                                        : std::nullopt});
      }
      if (k % 2 == 0)
        for (int i = 0; i < 400; ++i)
          w.insert_counter({t.id, w.intern("bytes_queued"), *t.start_ns + i * 130'000, double((i * 37) % 101)});
    }
    for (int i = 0; i < 40; ++i)
      w.insert_flow({"read", threads[threads.size() - 1], c.first_ns + i * 1'000'000, threads[threads.size() - 2],
                     c.first_ns + i * 1'000'000 + 50'000, std::nullopt});
  }
  // Short threads on no connection, one after another (packed into shared rows).
  for (int i = 0; i < 40; ++i) {
    ThreadRow t;
    t.source_id = source.id;
    t.ext_id = "short." + std::to_string(i);
    t.name = w.intern("worker " + std::to_string(i % 5));
    t.start_ns = kLanesBase + i * 2'500'000;
    t.end_ns = *t.start_ns + 2'000'000;
    t.failed = i % 11 == 10;
    w.insert_thread(t);
    for (int s = 0; s < 30; ++s)
      w.insert_span({t.id, *t.start_ns + s * 60'000, *t.start_ns + s * 60'000 + 40'000, 0, "span", w.intern("job"),
                     std::nullopt});
  }
  // The big lane: one thread with kBigSpans spans (two depths), stored in
  // reverse time order in halves, so its index walk and a sort must agree.
  ThreadRow big;
  big.source_id = source.id;
  big.ext_id = "main";
  big.name = w.intern("main");
  big.start_ns = kLanesBase;
  big.end_ns = kLanesBase + 110'000'000;
  w.insert_thread(big);
  for (int half = 1; half >= 0; --half)
    for (int i = half * kBigSpans / 4; i < (half + 1) * kBigSpans / 4; ++i) {
      int64_t t0 = kLanesBase + int64_t(i) * 1'700;
      w.insert_span({big.id, t0, t0 + 1'200, 0, "span", w.intern("step"), std::nullopt});
      w.insert_span({big.id, t0 + 100, t0 + 600, 1, "span", w.intern("inner"), std::nullopt});
    }
  int64_t heap = w.intern("heap_words");
  for (int i = 0; i < 30'000; ++i) {
    int64_t ti = kLanesBase + int64_t(i) * 3'600;
    w.insert_counter({std::nullopt, heap, ti, double(100000 + (i * 7919) % 50000)});
    if (i % 500 == 0) w.insert_period({source.id, "gc", ti, ti + 200'000});
    if (i % 500 == 250) w.insert_period({source.id, "idle", ti, ti + 400'000});
  }
  w.insert_instant({std::nullopt, kLanesBase + 111'000'000, "log", w.intern("global"), std::nullopt});
  w.commit_source(source);
}

server::HttpRequest get_request(const std::string& path, const std::string& query) {
  server::HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.query = query;
  return r;
}

server::HttpRequest frame_get(const std::string& query) { return get_request("/frame", query); }

class LazyLanesTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    // Lane summaries go to this test's directory, not the user's cache.
    ::setenv("LURK_CACHE_DIR", (dir_ / "cache").c_str(), 1);
    write_profile(db());
    whole = ProfileModel::load(db());
  }

  // A cold open's store made in the background (by a view that then goes),
  // opened for a lazy model of the profile.
  struct Stored {
    std::unique_ptr<Database> db;
    ProfileModel lazy;
    std::unique_ptr<server::LaneStore> store;
    std::string why;
  };
  Stored made_store() {
    db_.reset();
    std::filesystem::remove(server::lane_summary_path(profile_path_));
    {
      server::FrameEndpoint made(profile_path_, dir_, 64 * 1024);
      made.wait_for_background();
      EXPECT_TRUE(made.has_store()) << made.store_note();
    }
    Stored out;
    out.db = open_profile_for_reading(profile_path_);
    out.lazy = ProfileModel::load_outline(*out.db, scan_lane_summary(*out.db));
    out.store = server::LaneStore::open(profile_path_, out.lazy, out.why);
    return out;
  }

  // The store's search of `q` with its args searched too (the pass of
  // args_search.h over every thread lane, its matches added): what the
  // endpoint's frames and steps use once that pass is over.
  bool search_with_args(Stored& stored, SearchIndex& search, const std::string& q) {
    if (!server::run_search_in_store(*stored.store, stored.lazy, search, q)) return false;
    std::vector<uint32_t> threads(stored.lazy.threads().size());
    for (uint32_t t = 0; t < threads.size(); ++t) threads[t] = t;
    server::ArgsSearch pass(profile_path_, stored.lazy, q, threads, 1);
    pass.wait();
    for (const server::ArgsSearch::LaneMatches& lane : pass.take())
      if (!search.add_matches(lane.thread, lane.spans, lane.instants)) return false;
    return pass.searched() == 1;
  }

  static FrameRequest request(double t0, double t1, float scroll, bool idle, bool packed) {
    FrameRequest r = ::lurk::ui::test::frame_request_at(t0, t1);
    r.view.scroll_y = scroll;
    r.hide_idle = idle;
    r.packed = packed;
    return r;
  }

  // The walk of FramesAreTheWholeModelsAtEveryZoom: 6 windows, 3 scrolls,
  // idle rows hidden or not, rows packed or not.
  template <typename Check>
  int walk_views(Check check) {
    double d = double(whole.duration_ns());
    const std::pair<double, double> windows[] = {{-d * 0.01, d * 1.01}, {d * 0.2, d * 0.6},
                                                 {d * 0.3, d * 0.32},   {d * 0.31, d * 0.3102},
                                                 {d * 0.31, d * 0.310005}, {d * 0.5, d * 0.62}};
    int frames = 0;
    for (bool packed : {false, true})
      for (bool idle : {false, true})
        for (float scroll : {0.0f, 450.0f, 1e6f})  // 1e6: clamped to the bottom (the big lane)
          for (auto [t0, t1] : windows) {
            std::string where = "window " + std::to_string(t0) + ".." + std::to_string(t1) + " scroll " +
                                std::to_string(scroll) + (idle ? " idle" : "") + (packed ? " packed" : "");
            check(request(t0, t1, scroll, idle, packed), where);
            ++frames;
          }
    return frames;
  }

  ProfileModel whole;
};

TEST_F(LazyLanesTest, OutlineKnowsTheLayoutWithoutHoldingEvents) {
  ProfileModel lazy = ProfileModel::load_outline(db(), scan_lane_summary(db()));
  EXPECT_TRUE(lazy.lazy());
  EXPECT_EQ(lazy.origin_ns(), whole.origin_ns());
  EXPECT_EQ(lazy.duration_ns(), whole.duration_ns());
  EXPECT_EQ(lazy.counts().packets, whole.counts().packets);
  EXPECT_EQ(lazy.counts().events, whole.counts().events);
  ASSERT_EQ(lazy.threads().size(), whole.threads().size());
  for (size_t i = 0; i < whole.threads().size(); ++i) {
    EXPECT_EQ(lazy.threads()[i].depth_count(), whole.threads()[i].depth_count()) << "thread " << i;
    EXPECT_TRUE(lazy.threads()[i].spans.empty());
  }
  ASSERT_EQ(lazy.counters().size(), whole.counters().size());
  for (size_t i = 0; i < whole.counters().size(); ++i) {
    EXPECT_EQ(lazy.counters()[i].min, whole.counters()[i].min);
    EXPECT_EQ(lazy.counters()[i].max, whole.counters()[i].max);
  }
  EXPECT_LT(lazy.memory_bytes() * 5, whole.memory_bytes()) << "the outline holds no lanes";
  // A lane read alone is the whole model's lane.
  uint32_t big = 0;
  while (big < lazy.threads().size() && lazy.text(lazy.threads()[big].name) != "main") ++big;
  ASSERT_LT(big, lazy.threads().size());
  lazy.load_thread_events(db(), big);
  const ThreadLane &a = lazy.threads()[big], &b = whole.threads()[big];
  ASSERT_EQ(a.spans.size(), size_t(kBigSpans));
  ASSERT_EQ(a.spans.size(), b.spans.size());
  for (size_t i = 0; i < a.spans.size(); ++i)
    ASSERT_TRUE(a.spans[i].t0_ns == b.spans[i].t0_ns && a.spans[i].t1_ns == b.spans[i].t1_ns &&
                a.spans[i].depth == b.spans[i].depth && a.spans[i].name == b.spans[i].name)
        << "span " << i;
  EXPECT_EQ(a.depth_begin, b.depth_begin);
  lazy.load_connection_lanes(db(), 0);
  ASSERT_EQ(lazy.connections()[0].lanes[1].size(), whole.connections()[0].lanes[1].size());
  for (size_t i = 0; i < whole.connections()[0].lanes[1].size(); ++i)
    ASSERT_EQ(lazy.connections()[0].lanes[1][i].frame, whole.connections()[0].lanes[1][i].frame) << i;
  lazy.unload_thread_events(big);
  EXPECT_TRUE(lazy.threads()[big].spans.empty());
  EXPECT_EQ(lazy.threads()[big].depth_count(), 2) << "the depths stay for the layout";
}

// Every frame of a walk through zooms, scrolls and row options, from a lazy
// model whose lanes are dropped between frames, is the whole model's frame
// byte for byte (the /frame answer's encoding).
TEST_F(LazyLanesTest, FramesAreTheWholeModelsAtEveryZoom) {
  ProfileModel lazy = ProfileModel::load_outline(db(), scan_lane_summary(db()));
  server::LaneCache cache(db(), lazy, 64 * 1024);  // less than one big lane: lanes are dropped
  FrameRenderer from_lazy(lazy), from_whole(whole);
  from_lazy.set_prepare([&](const TimelineLayout& layout, size_t first, size_t last) {
    cache.prepare(layout, first, last);
  });
  double d = double(whole.duration_ns());
  int frames = walk_views([&](const FrameRequest& r, const std::string& where) {
    FrameAnswer w = from_whole.render(r);
    FrameAnswer l = from_lazy.render(r);
    ASSERT_EQ(encode_frame_answer(l), encode_frame_answer(w)) << where;
    EXPECT_GT(w.frame.rects.size(), 3u) << where;
  });
  // Collapsed groups and unfolded counters change the rows asked for too.
  FrameRequest r = request(d * 0.1, d * 0.7, 0, false, false);
  r.collapsed = {true, false, true};
  r.counters_open.assign(whole.groups().size(), true);
  r.selected_group = 1;
  ASSERT_EQ(encode_frame_answer(from_lazy.render(r)), encode_frame_answer(from_whole.render(r)));
  EXPECT_EQ(frames, 72);
  EXPECT_GT(cache.drops(), 0u) << "the budget made lanes go";
  EXPECT_GT(cache.loads(), cache.lanes_held()) << "and come back";
  EXPECT_LE(cache.bytes(), std::max(cache.budget(), cache.peak_bytes()));
  EXPECT_LT(lazy.memory_bytes(), whole.memory_bytes());
}

TEST_F(LazyLanesTest, SummaryIsKeptInTheCacheAndMadeAgainWhenItChanges) {
  db_.reset();
  std::filesystem::path profile = profile_path_;
  std::filesystem::path kept = server::lane_summary_path(profile);
  std::filesystem::remove(kept);
  auto open = [&] {
    auto db = open_profile_for_reading(profile.string());
    return server::lane_summary_for(*db, profile);
  };
  server::LaneSummaryOutcome first = open();
  EXPECT_FALSE(first.from_file);
  EXPECT_EQ(first.note, "");
  ASSERT_TRUE(std::filesystem::exists(kept));
  server::LaneSummaryOutcome second = open();
  EXPECT_TRUE(second.from_file);
  EXPECT_EQ(second.summary.events, first.summary.events);
  EXPECT_EQ(second.summary.depths, first.summary.depths);
  EXPECT_EQ(second.summary.counters.size(), first.summary.counters.size());
  EXPECT_EQ(second.summary.last_ns, first.summary.last_ns);

  // Damaged: made again, and said so.
  std::filesystem::resize_file(kept, std::filesystem::file_size(kept) - 3);
  server::LaneSummaryOutcome damaged = open();
  EXPECT_FALSE(damaged.from_file);
  EXPECT_NE(damaged.note.find("truncated"), std::string::npos) << damaged.note;
  EXPECT_EQ(damaged.summary.events, first.summary.events);

  // The profile changes (a sample more): the kept summary is not trusted.
  {
    Database db(profile.string(), Database::Mode::ReadWriteCreate);
    db.exec("INSERT INTO counters (thread_id, source_id, name, ts_ns, value) "
            "SELECT NULL, 1, name, ts_ns + 1, 5 FROM counters ORDER BY id DESC LIMIT 1");
  }
  server::LaneSummaryOutcome changed = open();
  EXPECT_FALSE(changed.from_file);
  EXPECT_NE(changed.note.find("changed"), std::string::npos) << changed.note;
  EXPECT_EQ(changed.summary.events, first.summary.events + 1);

  // The endpoint opens it lazily and its frames are the whole model's.
  server::FrameEndpoint endpoint(profile, dir_, 1 << 20);
  EXPECT_TRUE(endpoint.summary().from_file);
  EXPECT_TRUE(endpoint.model().lazy());
  auto reopened = open_profile_for_reading(profile.string());
  ProfileModel now = ProfileModel::load(*reopened);
  FrameRenderer here(now);
  double d = double(now.duration_ns());
  for (auto [t0, t1] : {std::make_pair(0.0, d), std::make_pair(d * 0.4, d * 0.41)}) {
    FrameRequest r = request(t0, t1, 0, false, false);
    auto answer = endpoint.answer(frame_get(frame_request_query(r)));
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200);
    EXPECT_EQ(body_of(*answer), encode_frame_answer(here.render(r)));
  }
}

// The flows and periods kept in the lane summary (lane_summary.h): a second
// open takes them from the file instead of reading (and sorting) their
// rows, and they are the profile's flows, kinds, periods and counts; the /frame
// answers over the 72-view walk are the whole model's, with the lane store
// and without it. Flows that name no lane of the profile, periods of no
// kind, either out of order (a damaged or foreign file), are not taken:
// read from the profile.
TEST_F(LazyLanesTest, FlowsKeptInTheSummaryAreTheProfiles) {
  ASSERT_GT(whole.flows().size(), 300u);
  ASSERT_TRUE(std::any_of(whole.flows().begin(), whole.flows().end(),
                          [](const FlowRecord& f) { return f.packet_lane >= 0; }))
      << "the profile has flows with a packet end";
  db_.reset();
  std::filesystem::path profile = profile_path_;
  std::filesystem::remove(server::lane_summary_path(profile));
  {
    server::FrameEndpoint first(profile, dir_, 1 << 20);
    EXPECT_FALSE(first.summary().from_file);
    first.wait_for_background();  // the flows and periods are kept by the background's pass
  }
  server::FrameEndpoint endpoint(profile, dir_, 1 << 20);
  ASSERT_TRUE(endpoint.summary().from_file);
  ASSERT_TRUE(endpoint.summary().summary.flows_kept);
  ASSERT_TRUE(endpoint.has_store());
  ASSERT_TRUE(endpoint.summary().summary.periods_kept);
  auto same_periods = [&](const ProfileModel& m) {
    return same_records(m.periods(PeriodKind::Gc), whole.periods(PeriodKind::Gc)) &&
           same_records(m.periods(PeriodKind::Idle), whole.periods(PeriodKind::Idle));
  };
  const ProfileModel& kept = endpoint.model();
  EXPECT_TRUE(same_records(kept.flows(), whole.flows()));
  EXPECT_TRUE(same_periods(kept));
  EXPECT_EQ(kept.duration_ns(), whole.duration_ns());
  for (const FlowRecord& f : whole.flows()) ASSERT_EQ(kept.text(f.kind), whole.text(f.kind));
  EXPECT_EQ(kept.counts().events, whole.counts().events);
  FrameRenderer from_whole(whole);
  int frames = walk_views([&](const FrameRequest& r, const std::string& where) {
    auto answer = endpoint.answer(frame_get(frame_request_query(r)));
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200) << where;
    ASSERT_EQ(body_of(*answer), encode_frame_answer(from_whole.render(r))) << where << " (store)";
  });
  EXPECT_EQ(frames, 72);
  EXPECT_GT(endpoint.lanes().store_loads(), 0u);

  EXPECT_TRUE(endpoint.summary().summary.flows.empty()) << "the model holds them, the summary no more";

  // Without a store: the same summary, lanes read from the profile's rows.
  auto db = open_profile_for_reading(profile.string());
  server::LaneSummaryOutcome read = server::lane_summary_for(*db, profile);
  ASSERT_TRUE(read.from_file);
  LaneSummary summary = read.summary;
  ASSERT_EQ(summary.flows.size(), whole.flows().size());
  ASSERT_GT(summary.periods.size(), 10u);
  ProfileModel lazy = ProfileModel::load_outline(*db, summary);
  EXPECT_TRUE(same_records(lazy.flows(), whole.flows()));
  server::LaneCache rows(*db, lazy, 64 * 1024);
  FrameRenderer from_rows(lazy);
  from_rows.set_prepare([&](const TimelineLayout& layout, size_t a, size_t b) { rows.prepare(layout, a, b); });
  walk_views([&](const FrameRequest& r, const std::string& where) {
    ASSERT_EQ(encode_frame_answer(from_rows.render(r)), encode_frame_answer(from_whole.render(r)))
        << where << " (rows)";
  });
  EXPECT_EQ(rows.store_loads(), 0u);

  // Damaged flows are not taken: the profile's are read (and kept anew when asked).
  auto damaged = [&](const std::function<void(LaneSummary&)>& damage) {
    LaneSummary s = summary;
    damage(s);
    LaneSummary again;
    ProfileModel m = ProfileModel::load_outline(*db, s, {}, &again);
    EXPECT_TRUE(same_records(m.flows(), whole.flows()));
    EXPECT_TRUE(same_periods(m));
    EXPECT_EQ(m.counts().events, whole.counts().events);
    EXPECT_EQ(m.duration_ns(), whole.duration_ns());
  };
  damaged([](LaneSummary& s) { s.flows[3].packet_lane = 1 << 30; });
  damaged([](LaneSummary& s) { s.flows[5].from_thread = -7; });
  damaged([](LaneSummary& s) { s.flows[9].to_thread = 1 << 20; });
  damaged([](LaneSummary& s) { s.flows[2].kind = uint32_t(s.flow_kinds.size()); });
  damaged([](LaneSummary& s) { std::swap(s.flows.front(), s.flows.back()); });
  damaged([](LaneSummary& s) { s.flows_kept = false; });
  damaged([](LaneSummary& s) { s.periods[4].idle = 2; });
  damaged([](LaneSummary& s) { std::swap(s.periods.front(), s.periods.back()); });
  damaged([](LaneSummary& s) { std::swap(s.periods[0], s.periods[1]); });
  damaged([](LaneSummary& s) { s.periods_kept = false; });
  // Read again from the profile, they are kept anew as they were.
  LaneSummary again;
  ProfileModel reread = ProfileModel::load_outline(*db, scan_lane_summary(*db), {}, &again);
  EXPECT_TRUE(again.flows_kept && same_records(again.flows, summary.flows));
  EXPECT_EQ(again.flow_kinds, summary.flow_kinds);
  EXPECT_TRUE(again.periods_kept && same_records(again.periods, summary.periods));
}

// A cold open of a profile whose writer kept its lanes' facts (storage/
// lane_facts.h): the summary comes from them, not from a pass over every
// event; frames are answered at once from the profile's rows, the whole
// model's, while the lane store, the minimap and the kept summary are made
// in the background; once taken, the frames are the same from the store,
// /native's minimap is the whole model's, and the next open is a warm one.
TEST_F(LazyLanesTest, ColdOpenFromLaneFactsMakesTheStoreInTheBackground) {
  // The model a cold open makes before the flows and periods are read: the
  // whole model's counts and axis, none of them; given them as another load
  // keeps them, its frames are the whole model's.
  {
    std::string why;
    std::optional<LaneSummary> facts = lane_summary_from_facts(db(), why);
    ASSERT_TRUE(facts) << why;
    ProfileModel early = ProfileModel::load_outline(db(), *facts, {}, nullptr, true);
    EXPECT_TRUE(early.flows_and_periods_pending());
    EXPECT_TRUE(early.flows().empty());
    EXPECT_TRUE(early.periods(PeriodKind::Gc).empty());
    EXPECT_EQ(early.counts().events, whole.counts().events);
    EXPECT_EQ(early.origin_ns(), whole.origin_ns());
    EXPECT_EQ(early.duration_ns(), whole.duration_ns());
    LaneSummary kept;
    ProfileModel::load_outline(db(), *facts, {}, &kept);
    LaneSummary wrong = kept;
    wrong.flows[3].from_thread = 1 << 20;
    EXPECT_FALSE(early.adopt_late_flows_and_periods(wrong)) << "a flow naming no lane of the profile";
    EXPECT_TRUE(early.flows_and_periods_pending());
    ASSERT_TRUE(early.adopt_late_flows_and_periods(kept));
    EXPECT_FALSE(early.flows_and_periods_pending());
    EXPECT_TRUE(same_records(early.flows(), whole.flows()));
    EXPECT_TRUE(same_records(early.periods(PeriodKind::Gc), whole.periods(PeriodKind::Gc)));
    EXPECT_TRUE(same_records(early.periods(PeriodKind::Idle), whole.periods(PeriodKind::Idle)));
    EXPECT_EQ(early.counts().events, whole.counts().events);
    for (const FlowRecord& f : whole.flows()) ASSERT_EQ(early.text(f.kind), whole.text(f.kind));
  }
  db_.reset();
  std::filesystem::path profile = profile_path_;
  std::filesystem::remove(server::lane_summary_path(profile));
  std::filesystem::remove(server::lane_store_path(profile));
  FrameRenderer from_whole(whole);
  Minimap whole_minimap;
  whole_minimap.build(whole);
  server::HttpRequest native;
  native.method = "GET";
  native.path = "/native";
  {
    server::FrameEndpoint cold(profile, dir_, 64 * 1024);
    EXPECT_TRUE(cold.summary().from_facts);
    EXPECT_FALSE(cold.summary().from_file);
    EXPECT_FALSE(cold.has_store()) << "not made before the URL";
    EXPECT_EQ(cold.model().counts().events, whole.counts().events);
    EXPECT_EQ(cold.model().counts().packets, whole.counts().packets);
    EXPECT_EQ(cold.model().duration_ns(), whole.duration_ns()) << "the axis is the whole model's before the periods come";
    cold.wait_for_flows();
    EXPECT_FALSE(cold.model().flows_and_periods_pending());
    EXPECT_TRUE(same_records(cold.model().flows(), whole.flows()));
    // The frames: from the rows, or the store if it was already taken.
    int frames = walk_views([&](const FrameRequest& r, const std::string& where) {
      auto answer = cold.answer(frame_get(frame_request_query(r)));
      ASSERT_TRUE(answer);
      ASSERT_EQ(answer->status, 200) << where;
      ASSERT_EQ(body_of(*answer), encode_frame_answer(from_whole.render(r))) << where << " (cold)";
    });
    EXPECT_EQ(frames, 72);
    cold.wait_for_background();
    ASSERT_TRUE(cold.has_store()) << cold.store_note();
    EXPECT_EQ(cold.store_note(), "");
    nlohmann::json info = nlohmann::json::parse(body_of(*cold.answer(native)));
    EXPECT_FALSE(info["backgroundPending"].get<bool>());
    ASSERT_EQ(info["minimap"].size(), Minimap::kBins);
    for (size_t i = 0; i < Minimap::kBins; ++i) {
      ASSERT_EQ(info["minimap"][i][0].get<uint32_t>(), whole_minimap.bins()[i].count) << i;
      ASSERT_EQ(info["minimap"][i][1].get<int>(), int(whole_minimap.bins()[i].worst)) << i;
    }
    size_t loads = cold.lanes().loads(), store_loads = cold.lanes().store_loads();
    walk_views([&](const FrameRequest& r, const std::string& where) {
      auto answer = cold.answer(frame_get(frame_request_query(r)));
      ASSERT_TRUE(answer);
      ASSERT_EQ(body_of(*answer), encode_frame_answer(from_whole.render(r))) << where << " (store taken)";
    });
    EXPECT_GT(cold.lanes().loads(), loads);
    EXPECT_EQ(cold.lanes().store_loads() - store_loads, cold.lanes().loads() - loads) << "every lane from the store";
  }
  server::FrameEndpoint warm(profile, dir_, 1 << 20);
  EXPECT_TRUE(warm.summary().from_file);
  EXPECT_TRUE(warm.summary().summary.flows_kept);
  EXPECT_TRUE(warm.summary().summary.periods_kept);
  EXPECT_TRUE(warm.has_store()) << warm.store_note();
  EXPECT_FALSE(warm.background_pending());
  EXPECT_TRUE(same_records(warm.model().flows(), whole.flows()));
}

// The outline the page opens (/outline.lurk) is kept in the cache
// (outline_cache.h): a second open serves the kept bytes, which are the
// outline written from the profile; a damaged or foreign file is made again
// and said why.
TEST_F(LazyLanesTest, OutlineIsKeptInTheCache) {
  db_.reset();
  std::filesystem::path profile = profile_path_;
  std::filesystem::path kept = server::outline_cache_path(profile);
  std::filesystem::remove(kept);
  std::string written;
  {
    auto db = open_profile_for_reading(profile.string());
    server::write_profile_outline(*db, dir_ / "direct-outline.lurk");
    std::ifstream in(dir_ / "direct-outline.lurk", std::ios::binary);
    written.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  ASSERT_GT(written.size(), 4096u);
  auto served = [&](const std::string& note_has) {
    server::FrameEndpoint endpoint(profile, dir_, 1 << 20);
    server::HttpRequest r;
    r.method = "GET";
    r.path = "/outline.lurk";
    auto answer = endpoint.answer(r);
    EXPECT_TRUE(answer && answer->status == 200);
    if (note_has.empty()) EXPECT_EQ(endpoint.outline_note(), "");
    else EXPECT_NE(endpoint.outline_note().find(note_has), std::string::npos) << endpoint.outline_note();
    return answer ? body_of(*answer) : std::string();
  };
  EXPECT_EQ(served(""), written) << "made";
  ASSERT_TRUE(std::filesystem::exists(kept));
  EXPECT_EQ(served(""), written) << "read from the cache";
  std::filesystem::resize_file(kept, std::filesystem::file_size(kept) - 100);
  EXPECT_EQ(served("truncated"), written);
  EXPECT_EQ(served(""), written) << "kept again";
  {
    std::ofstream out(kept, std::ios::binary | std::ios::trunc);
    out << "not an outline";
  }
  EXPECT_EQ(served("not an outline"), written);
}

// The lane store: made in the pass that makes the summary, it gives every
// lane exactly as the profile's rows do (so the /frame answers over the
// 72-view walk are the whole model's, lanes dropped and read again from the
// store), and it is not used (lanes come from the profile, frames unchanged,
// lurk says why) when damaged or made for another state of the profile.
TEST_F(LazyLanesTest, LaneStoreGivesTheProfilesLanes) {
  db_.reset();
  std::filesystem::path profile = profile_path_;
  std::filesystem::remove(server::lane_summary_path(profile));
  std::filesystem::remove(server::lane_store_path(profile));
  // A part left by a process that is gone is removed when a store is made;
  // one of a live process (pid 1) is not.
  std::filesystem::create_directories(server::lane_store_path(profile).parent_path());
  std::filesystem::path abandoned = server::lane_store_path(profile).string() + ".part999999999";
  std::filesystem::path writing = server::lane_store_path(profile).string() + ".part1";
  std::ofstream(abandoned) << "half a store";
  std::ofstream(writing) << "half a store";
  FrameRenderer from_whole(whole);
  auto same_frames = [&](server::FrameEndpoint& endpoint) {
    return walk_views([&](const FrameRequest& r, const std::string& where) {
      auto answer = endpoint.answer(frame_get(frame_request_query(r)));
      ASSERT_TRUE(answer);
      ASSERT_EQ(answer->status, 200) << where;
      ASSERT_EQ(body_of(*answer), encode_frame_answer(from_whole.render(r))) << where;
    });
  };
  {
    server::FrameEndpoint made(profile, dir_, 64 * 1024);  // lanes dropped between frames
    EXPECT_FALSE(made.summary().from_file);
    made.wait_for_background();  // a cold open from the lane facts makes its store in the background
    EXPECT_EQ(made.store_note(), "");
    ASSERT_TRUE(made.has_store());
    EXPECT_EQ(same_frames(made), 72);
    EXPECT_GT(made.lanes().drops(), 0u);
    EXPECT_GT(made.lanes().loads(), made.lanes().lanes_held());
    EXPECT_EQ(made.lanes().store_loads(), made.lanes().loads()) << "every lane came from the store";
  }
  EXPECT_FALSE(std::filesystem::exists(abandoned));
  EXPECT_TRUE(std::filesystem::exists(writing));
  std::filesystem::remove(writing);
  // Lane by lane, the store's arrays are the profile's, field for field.
  {
    auto db = open_profile_for_reading(profile.string());
    ProfileModel from_rows = ProfileModel::load_outline(*db, scan_lane_summary(*db));
    ProfileModel from_store = ProfileModel::load_outline(*db, scan_lane_summary(*db));
    std::string why;
    std::unique_ptr<server::LaneStore> store = server::LaneStore::open(profile, from_store, why);
    ASSERT_TRUE(store) << why;
    size_t bytes = 0, spans = 0, packets = 0, samples = 0;
    int64_t retransmissions = 0;
    for (uint32_t t = 0; t < from_rows.threads().size(); ++t) {
      from_rows.load_thread_events(*db, t);
      ASSERT_TRUE(store->load_thread(from_store, t, bytes)) << "thread " << t;
      const ThreadLane &a = from_store.threads()[t], &b = from_rows.threads()[t];
      ASSERT_EQ(bytes, from_rows.thread_event_bytes(t));
      ASSERT_EQ(a.spans.size(), b.spans.size());
      ASSERT_TRUE(same_records(a.spans, b.spans)) << t;
      ASSERT_EQ(a.running.size(), b.running.size());
      ASSERT_TRUE(same_records(a.running, b.running)) << t;
      ASSERT_EQ(a.instants.size(), b.instants.size());
      ASSERT_TRUE(same_records(a.instants, b.instants));
      ASSERT_EQ(a.depth_begin, b.depth_begin);
      ASSERT_EQ(a.instant_severity.levels(), b.instant_severity.levels()) << "kept, not built: " << t;
      spans += a.spans.size();
    }
    for (uint32_t c = 0; c < from_rows.connections().size(); ++c) {
      from_rows.load_connection_lanes(*db, c);
      ASSERT_TRUE(store->load_connection(from_store, c, bytes)) << "connection " << c;
      const ConnectionLanes &a = from_store.connections()[c], &b = from_rows.connections()[c];
      for (int dir = 0; dir < 2; ++dir) {
        ASSERT_EQ(a.lanes[dir].size(), b.lanes[dir].size());
        ASSERT_TRUE(same_records(a.lanes[dir], b.lanes[dir]));
        ASSERT_EQ(a.severity[dir].levels(), b.severity[dir].levels()) << "kept, not built: " << c;
        packets += a.lanes[dir].size();
      }
      EXPECT_EQ(a.retransmissions, b.retransmissions);
      EXPECT_EQ(a.dup_acks, b.dup_acks);
      retransmissions += a.retransmissions;
    }
    EXPECT_GT(retransmissions, 0) << "the counts kept are the profile's, not zeros";
    for (uint32_t c = 0; c < from_rows.counters().size(); ++c) {
      from_rows.load_counter_samples(*db, c);
      ASSERT_TRUE(store->load_counter(from_store, c, bytes)) << "counter " << c;
      const CounterLane &a = from_store.counters()[c], &b = from_rows.counters()[c];
      ASSERT_EQ(a.samples.size(), b.samples.size());
      ASSERT_TRUE(same_records(a.samples, b.samples));
      samples += a.samples.size();
    }
    EXPECT_GE(spans, size_t(kBigSpans));
    EXPECT_EQ(int64_t(packets), whole.counts().packets);
    EXPECT_GT(samples, 1000u);
  }
  // Read from the cache on the next view: still the store's lanes.
  {
    server::FrameEndpoint warm(profile, dir_, 64 * 1024);
    EXPECT_TRUE(warm.summary().from_file);
    ASSERT_TRUE(warm.has_store()) << warm.store_note();
    EXPECT_EQ(same_frames(warm), 72);
    EXPECT_EQ(warm.lanes().store_loads(), warm.lanes().loads());
  }
  // A kept severity that is no mark kind (a damaged or hostile store): that
  // lane is read from the profile instead, the others still from the store,
  // and the frames are the same.
  {
    std::filesystem::path store_file = server::lane_store_path(profile);
    std::fstream f(store_file, std::ios::in | std::ios::out | std::ios::binary);
    uint64_t footer[2];  // the index's position and its number of entries
    f.seekg(-std::streamoff(sizeof footer + 16), std::ios::end);
    f.read(reinterpret_cast<char*>(footer), sizeof footer);
    std::vector<server::lane_store_detail::Entry> entries(footer[1]);
    f.seekg(std::streamoff(footer[0]));
    f.read(reinterpret_cast<char*>(entries.data()), std::streamsize(entries.size() * sizeof entries[0]));
    ASSERT_TRUE(f);
    auto busiest = std::max_element(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
      return (a.kind == server::lane_store_detail::LaneKind::Connection ? a.counts[0] : 0) <
             (b.kind == server::lane_store_detail::LaneKind::Connection ? b.counts[0] : 0);
    });
    ASSERT_GT(busiest->counts[0], 100u);
    // Its A→B pyramid's level 0 follows its two packet arrays (which start
    // at the entry's offset aligned for a PacketMark).
    uint64_t first = (busiest->at + alignof(PacketMark) - 1) / alignof(PacketMark) * alignof(PacketMark);
    uint64_t at = first + (busiest->counts[0] + busiest->counts[1]) * sizeof(PacketMark);
    f.seekp(std::streamoff(at + busiest->counts[0] / 2));
    f.put(char(0xEE));
    f.close();
    auto db = open_profile_for_reading(profile.string());
    ProfileModel model = ProfileModel::load_outline(*db, scan_lane_summary(*db));
    std::string why;
    std::unique_ptr<server::LaneStore> store = server::LaneStore::open(profile, model, why);
    ASSERT_TRUE(store) << why;
    size_t bytes = 0;
    EXPECT_FALSE(store->load_connection(model, busiest->index, bytes)) << "a severity of 0xEE is refused";
    EXPECT_FALSE(model.connections()[busiest->index].lanes_loaded);
    EXPECT_TRUE(store->load_connection(model, busiest->index == 0 ? 1 : 0, bytes));
    // An index entry whose counts reach past the lanes' arrays (a hostile
    // store): checked against the file before anything is read there.
    auto other = std::find_if(entries.begin(), entries.end(), [&](const auto& e) {
      return e.kind == server::lane_store_detail::LaneKind::Connection && e.index != busiest->index &&
             e.counts[0] > 0;
    });
    ASSERT_NE(other, entries.end());
    for (uint64_t huge : {uint64_t(1) << 60, (store->file_bytes() - other->at) / sizeof(PacketMark) + 1}) {
      server::lane_store_detail::Entry lying = *other;
      lying.counts[1] = huge;
      f.open(store_file, std::ios::in | std::ios::out | std::ios::binary);
      f.seekp(std::streamoff(footer[0] + (other - entries.begin()) * sizeof lying));
      f.write(reinterpret_cast<const char*>(&lying), sizeof lying);
      f.close();
      ProfileModel fresh = ProfileModel::load_outline(*db, scan_lane_summary(*db));
      std::unique_ptr<server::LaneStore> lied = server::LaneStore::open(profile, fresh, why);
      ASSERT_TRUE(lied) << why;
      EXPECT_FALSE(lied->load_connection(fresh, other->index, bytes)) << huge;
      EXPECT_FALSE(fresh.connections()[other->index].lanes_loaded);
    }
    server::FrameEndpoint endpoint(profile, dir_, 64 * 1024);
    ASSERT_TRUE(endpoint.has_store()) << endpoint.store_note();
    EXPECT_EQ(same_frames(endpoint), 72);
    EXPECT_LT(endpoint.lanes().store_loads(), endpoint.lanes().loads()) << "that lane came from the profile";
    EXPECT_GT(endpoint.lanes().store_loads(), 0u);
  }
  // Damaged (its index cut short) beside a summary that is still good: not
  // used, said so, and made again by this view, whose frames are the same.
  std::filesystem::path store_file = server::lane_store_path(profile);
  uintmax_t whole_size = std::filesystem::file_size(store_file);
  std::filesystem::resize_file(store_file, whole_size - 3);
  {
    server::FrameEndpoint damaged(profile, dir_, 64 * 1024);
    EXPECT_TRUE(damaged.summary().from_file);
    ASSERT_TRUE(damaged.has_store()) << damaged.store_note();
    EXPECT_NE(damaged.store_note().find("truncated or damaged"), std::string::npos) << damaged.store_note();
    EXPECT_NE(damaged.store_note().find("made again"), std::string::npos) << damaged.store_note();
    EXPECT_EQ(std::filesystem::file_size(store_file), whole_size);
    EXPECT_EQ(same_frames(damaged), 72);
    EXPECT_GT(damaged.lanes().loads(), 0u);
    EXPECT_EQ(damaged.lanes().store_loads(), damaged.lanes().loads());
  }
  // Another state of the profile: a store made before a row was added is refused.
  std::filesystem::remove(server::lane_summary_path(profile));
  {
    server::FrameEndpoint remade(profile, dir_, 1 << 20);
    remade.wait_for_background();
    ASSERT_TRUE(remade.has_store());
  }
  {
    Database db(profile.string(), Database::Mode::ReadWriteCreate);
    db.exec("INSERT INTO counters (thread_id, source_id, name, ts_ns, value) "
            "SELECT NULL, 1, name, ts_ns + 1, 5 FROM counters ORDER BY id DESC LIMIT 1");
  }
  auto db = open_profile_for_reading(profile.string());
  ProfileModel now = ProfileModel::load_outline(*db, scan_lane_summary(*db));
  std::string why;
  EXPECT_FALSE(server::LaneStore::open(profile, now, why));
  EXPECT_NE(why.find("the profile changed"), std::string::npos) << why;
}

// The model's lanes as views of the store's mapping (nothing copied) draw
// the same frames, byte for byte, as lanes copied out of it (the path
// before) and as the whole model, over the 72 views of the walk (6 zooms, 3
// scrolls, rows packed or not, idle rows hidden or not), with lanes dropped
// and taken again between frames.
TEST_F(LazyLanesTest, LanesViewedInTheStoreDrawTheCopiedLanesFrames) {
  db_.reset();
  std::filesystem::path profile = profile_path_;
  std::filesystem::remove(server::lane_summary_path(profile));
  {
    server::FrameEndpoint made(profile, dir_, 64 * 1024);
    made.wait_for_background();  // a cold open from the lane facts makes its store in the background
    ASSERT_TRUE(made.has_store()) << made.store_note();
  }
  auto db = open_profile_for_reading(profile.string());
  ProfileModel viewed = ProfileModel::load_outline(*db, scan_lane_summary(*db));
  ProfileModel copied = ProfileModel::load_outline(*db, scan_lane_summary(*db));
  std::string why;
  std::unique_ptr<server::LaneStore> view_store = server::LaneStore::open(profile, viewed, why);
  std::unique_ptr<server::LaneStore> copy_store = server::LaneStore::open(profile, copied, why);
  ASSERT_TRUE(view_store && copy_store) << why;
  copy_store->set_copying(true);
  server::LaneCache view_cache(*db, viewed, 64 * 1024, view_store.get());
  server::LaneCache copy_cache(*db, copied, 64 * 1024, copy_store.get());
  FrameRenderer from_views(viewed), from_copies(copied), from_whole(whole);
  from_views.set_prepare([&](const TimelineLayout& l, size_t a, size_t b) { view_cache.prepare(l, a, b); });
  from_copies.set_prepare([&](const TimelineLayout& l, size_t a, size_t b) { copy_cache.prepare(l, a, b); });
  size_t viewed_lanes = 0, copied_lanes = 0;
  int frames = walk_views([&](const FrameRequest& r, const std::string& where) {
    std::string v = encode_frame_answer(from_views.render(r));
    ASSERT_EQ(v, encode_frame_answer(from_copies.render(r))) << where;
    ASSERT_EQ(v, encode_frame_answer(from_whole.render(r))) << where;
    for (const ConnectionLanes& c : viewed.connections()) viewed_lanes += c.lanes[0].is_view();
    for (const ThreadLane& t : viewed.threads()) viewed_lanes += t.spans.is_view();
    for (const ConnectionLanes& c : copied.connections()) copied_lanes += c.lanes[0].is_view();
  });
  EXPECT_EQ(frames, 72);
  EXPECT_GT(viewed_lanes, 0u) << "the lanes were views of the mapping";
  EXPECT_EQ(copied_lanes, 0u) << "and copies on the copying path";
  EXPECT_EQ(view_cache.store_loads(), view_cache.loads());
  EXPECT_EQ(copy_cache.store_loads(), copy_cache.loads());
  EXPECT_GT(view_cache.drops(), 0u) << "lanes were dropped and viewed again";
  view_cache.set_store(nullptr);  // the views go before their mapping
  for (const ThreadLane& t : viewed.threads()) EXPECT_FALSE(t.spans.is_view());
}

// The store cut short in place by another process while a view has it
// mapped (it lives in the user's cache, where any of their processes can
// write): reading a lane past the new end must not end the process with
// SIGBUS. A store whose lanes are asked for after the cut gives none (each
// copy is followed by a check of the file; a page past the end reads as
// zeros, truncation_guard.h), and a view drops it before its next frame,
// whose lanes then come from the profile: the frames stay the whole model's.
// The pass over every lane with a second reader (server/lane_pass.h: the
// cold open's background) makes the one-reader pass's store, byte for byte,
// and its minimap, whichever reader reads which lane; the second reader's
// error is thrown on the caller's thread (not a hang, not a store), and a
// stop ends the pass.
TEST_F(LazyLanesTest, TwoReadersMakeTheOneReadersStoreAndMinimap) {
  db_.reset();
  std::filesystem::path profile = profile_path_;
  std::filesystem::path store_file = server::lane_store_path(profile);
  auto read_store = [&] {
    std::ifstream in(store_file, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  };
  auto make = [&](Database* second, Minimap& minimap, const std::atomic<bool>* stop = nullptr) {
    std::filesystem::remove(store_file);
    auto db = open_profile_for_reading(profile.string());
    LaneSummary summary = scan_lane_summary(*db);
    ProfileModel model = ProfileModel::load_outline(*db, summary);
    server::LaneStoreWriter writer(profile, model);
    std::atomic<int64_t> fed{0};
    if (!server::pass_over_lanes(*db, model, writer, &minimap, stop, second, &fed)) return false;
    EXPECT_EQ(writer.finish(), "");
    // The progress the page shows reaches the total the background gives
    // it, but for the instants of no thread (in no lane: this profile's one log).
    int64_t threadless = db->query_int("SELECT count(*) FROM instants WHERE thread_id IS NULL");
    EXPECT_EQ(threadless, 1);
    EXPECT_EQ(fed.load(), model.counts().packets + summary.events - threadless);
    for (const ThreadLane& t : model.threads()) EXPECT_FALSE(t.events_loaded) << "dropped after the pass";
    return true;
  };
  Minimap one;
  ASSERT_TRUE(make(nullptr, one));
  std::string one_store = read_store();
  ASSERT_GT(one_store.size(), size_t(kBigSpans) * sizeof(SpanRecord));
  auto second = open_profile_for_reading(profile.string());
  for (int run = 0; run < 3; ++run) {  // the readers race: each run may share the lanes out differently
    Minimap two;
    ASSERT_TRUE(make(second.get(), two));
    ASSERT_EQ(read_store(), one_store) << "run " << run;
    ASSERT_EQ(two.bins().size(), one.bins().size());
    for (size_t i = 0; i < one.bins().size(); ++i) {
      ASSERT_EQ(two.bins()[i].count, one.bins()[i].count) << i;
      ASSERT_EQ(two.bins()[i].worst, one.bins()[i].worst) << i;
    }
  }
  // A second reader whose reads fail (a database without the tables).
  Database empty(temp_path("empty.db"), Database::Mode::ReadWriteCreate);
  {
    Minimap minimap;
    EXPECT_THROW(make(&empty, minimap), StorageError);
    EXPECT_FALSE(std::filesystem::exists(store_file));
  }
  // Stopped from another thread while both read: false or the interrupted
  // statement's error (the background says "stopped" for either), at once.
  {
    std::atomic<bool> stop{false};
    server::end_statements_when(*second, &stop);
    std::thread stopper([&] { stop = true; });
    Minimap minimap;
    bool finished = true;
    try {
      finished = make(second.get(), minimap, &stop);
    } catch (const StorageError&) {
      finished = false;
    }
    stopper.join();
    if (finished) EXPECT_EQ(read_store(), one_store) << "finished before the stop: whole";
    else EXPECT_FALSE(std::filesystem::exists(store_file)) << "no part of a store put in place";
  }
}

// A frame's lanes read by two threads (server/lane_reads.h, a cold open's
// frames): each lane as the model's own load makes it, whichever thread
// read it; a failing second connection's error is thrown to the caller.
TEST_F(LazyLanesTest, LanesReadTwoAtATimeAreTheLoadedOnes) {
  db_.reset();
  auto db = open_profile_for_reading(profile_path_);
  auto second = open_profile_for_reading(profile_path_);
  ProfileModel model = ProfileModel::load_outline(*db, scan_lane_summary(*db));
  std::vector<server::LaneKey> lanes;
  for (uint32_t t = 0; t < model.threads().size(); ++t) lanes.push_back({server::LaneOf::Thread, t});
  for (uint32_t c = 0; c < model.connections().size(); ++c) lanes.push_back({server::LaneOf::Connection, c});
  for (uint32_t c = 0; c < model.counters().size(); ++c) lanes.push_back({server::LaneOf::Counter, c});
  ASSERT_GT(lanes.size(), 10u);
  std::vector<server::ReadLane> read;
  server::read_lanes(*db, second.get(), model, lanes, read);
  ASSERT_EQ(read.size(), lanes.size());
  for (size_t i = 0; i < lanes.size(); ++i) {
    server::adopt_lane(model, lanes[i], std::move(read[i]));
    uint32_t k = lanes[i].index;
    switch (lanes[i].kind) {
      case server::LaneOf::Thread:
        ASSERT_TRUE(same_records(model.threads()[k].spans, without_args(whole.threads()[k].spans))) << "thread " << k;
        ASSERT_TRUE(same_records(model.threads()[k].running, whole.threads()[k].running)) << "thread " << k;
        ASSERT_TRUE(same_records(model.threads()[k].instants, without_args(whole.threads()[k].instants))) << "thread " << k;
        ASSERT_EQ(model.threads()[k].depth_begin, whole.threads()[k].depth_begin) << "thread " << k;
        break;
      case server::LaneOf::Connection:
        for (int dir = 0; dir < 2; ++dir)
          ASSERT_TRUE(same_records(model.connections()[k].lanes[dir], whole.connections()[k].lanes[dir])) << k;
        ASSERT_EQ(model.connections()[k].retransmissions, whole.connections()[k].retransmissions) << k;
        break;
      case server::LaneOf::Counter:
        ASSERT_TRUE(same_records(model.counters()[k].samples, whole.counters()[k].samples)) << "counter " << k;
        break;
    }
  }
  Database empty(temp_path("empty.db"), Database::Mode::ReadWriteCreate);
  EXPECT_THROW(server::read_lanes(*db, &empty, model, lanes, read), StorageError);
}

// The store being made, read back lane by lane while it is written
// (server/partial_lane_store.h, a cold open's frames before the store is
// in): each lane published is the model's own, field for field, its arrays
// views of the part file; none is given before it is published; lanes given
// before the file grew read the same after it grew and after others were
// released; one whose key is not the model's is not given.
TEST_F(LazyLanesTest, LanesOfAStoreBeingMadeAreReadBack) {
  db_.reset();
  std::filesystem::path profile = profile_path_;
  auto db = open_profile_for_reading(profile.string());
  ProfileModel writing = ProfileModel::load_outline(*db, scan_lane_summary(*db));
  ProfileModel reading = ProfileModel::load_outline(*db, scan_lane_summary(*db));
  auto partial = std::make_shared<server::PartialLaneStore>();
  server::LaneStoreWriter writer(profile, writing);
  writer.publish_to(partial);
  size_t bytes = 0;
  ASSERT_FALSE(partial->has({server::LaneOf::Connection, 0}));
  ASSERT_FALSE(partial->load(reading, {server::LaneOf::Connection, 0}, bytes)) << "nothing published yet";
  // Half the threads first: the others are not given until they are written.
  const uint32_t half = uint32_t(writing.threads().size() / 2);
  for (uint32_t t = 0; t < half; ++t) {
    writing.load_thread_events(*db, t);
    writer.add_thread(t);
    writing.unload_thread_events(t);
  }
  ASSERT_FALSE(partial->has({server::LaneOf::Thread, half}));
  for (uint32_t t = 0; t < writing.threads().size(); ++t) {
    if (t == half) {
      for (uint32_t u = half; u < writing.threads().size(); ++u) {
        writing.load_thread_events(*db, u);
        writer.add_thread(u);
        writing.unload_thread_events(u);
      }
      for (uint32_t c = 0; c < writing.connections().size(); ++c) {
        writing.load_connection_lanes(*db, c);
        writer.add_connection(c);
        writing.unload_connection_lanes(c);
      }
      for (uint32_t c = 0; c < writing.counters().size(); ++c) {
        writing.load_counter_samples(*db, c);
        writer.add_counter(c);
        writing.unload_counter_samples(c);
      }
    }
    ASSERT_TRUE(partial->load(reading, {server::LaneOf::Thread, t}, bytes)) << "thread " << t;
    ASSERT_EQ(bytes, reading.thread_event_bytes(t));
    const ThreadLane &a = reading.threads()[t], &b = whole.threads()[t];
    ASSERT_TRUE(same_records(a.spans, without_args(b.spans))) << t;
    ASSERT_TRUE(same_records(a.running, b.running)) << t;
    ASSERT_TRUE(same_records(a.instants, without_args(b.instants))) << t;
    ASSERT_EQ(a.depth_begin, b.depth_begin) << t;
    ASSERT_EQ(a.instant_severity.levels(), b.instant_severity.levels()) << t;
    if (!b.spans.empty()) ASSERT_TRUE(a.spans.is_view()) << t;
  }
  for (uint32_t c = 0; c < reading.connections().size(); ++c) {
    ASSERT_TRUE(partial->load(reading, {server::LaneOf::Connection, c}, bytes)) << "connection " << c;
    const ConnectionLanes &a = reading.connections()[c], &b = whole.connections()[c];
    for (int dir = 0; dir < 2; ++dir) {
      ASSERT_TRUE(same_records(a.lanes[dir], b.lanes[dir])) << c;
      ASSERT_EQ(a.severity[dir].levels(), b.severity[dir].levels()) << c;
    }
    ASSERT_EQ(a.retransmissions, b.retransmissions);
    ASSERT_EQ(a.dup_acks, b.dup_acks);
  }
  for (uint32_t c = 0; c < reading.counters().size(); ++c) {
    ASSERT_TRUE(partial->load(reading, {server::LaneOf::Counter, c}, bytes)) << "counter " << c;
    ASSERT_TRUE(same_records(reading.counters()[c].samples, whole.counters()[c].samples)) << c;
  }
  // Every other thread given back: the rest still read as the model's.
  for (uint32_t t = 0; t < reading.threads().size(); t += 2) {
    reading.unload_thread_events(t);
    partial->release({server::LaneOf::Thread, t});
  }
  for (uint32_t t = 1; t < reading.threads().size(); t += 2) {
    ASSERT_TRUE(same_records(reading.threads()[t].spans, without_args(whole.threads()[t].spans))) << t;
    ASSERT_TRUE(same_records(reading.threads()[t].instants, without_args(whole.threads()[t].instants))) << t;
  }
  ASSERT_TRUE(partial->load(reading, {server::LaneOf::Thread, 0}, bytes));
  ASSERT_TRUE(same_records(reading.threads()[0].spans, without_args(whole.threads()[0].spans)));
  EXPECT_EQ(writer.finish(), "");
  // A model whose connection 0 has another id (another profile's lanes).
  ProfileModel other = ProfileModel::load_outline(*db, scan_lane_summary(*db));
  other.unload_connection_lanes(0);
  server::PartialLaneStore foreign;
  // Placed inside the file (after its lanes), so that only its key is wrong.
  uint64_t size = std::filesystem::file_size(server::lane_store_path(profile));
  ui::lane_store_format::Entry e{ui::lane_store_format::LaneKind::Connection, 0, other.connections()[0].id + 1000, 0,
                                 0, size, {}};
  foreign.publish(e, server::lane_store_path(profile).string(), size);
  EXPECT_FALSE(foreign.load(other, {server::LaneOf::Connection, 0}, bytes));
  EXPECT_FALSE(other.connections()[0].lanes_loaded);
}

// Frames of a cold open while the store is being made (half its lanes
// written), through the lane cache with a budget that drops lanes (each
// dropped view given back to the partial store): byte for byte the whole
// model's; once the partial store is let go, no lane of it is held and the
// frames, read from the rows, are still the whole model's.
TEST_F(LazyLanesTest, FramesFromAStoreBeingMadeAreTheWholeModels) {
  db_.reset();
  std::filesystem::path profile = profile_path_;
  auto db = open_profile_for_reading(profile.string());
  ProfileModel writing = ProfileModel::load_outline(*db, scan_lane_summary(*db));
  ProfileModel lazy = ProfileModel::load_outline(*db, scan_lane_summary(*db));
  auto partial = std::make_shared<server::PartialLaneStore>();
  auto writer = std::make_unique<server::LaneStoreWriter>(profile, writing);
  writer->publish_to(partial);
  for (uint32_t t = 0; t < writing.threads().size(); t += 2) {
    writing.load_thread_events(*db, t);
    writer->add_thread(t);
    writing.unload_thread_events(t);
  }
  for (uint32_t c = 0; c < writing.connections().size(); c += 2) {
    writing.load_connection_lanes(*db, c);
    writer->add_connection(c);
    writing.unload_connection_lanes(c);
  }
  server::LaneCache cache(*db, lazy, 64 * 1024);
  cache.set_partial(partial);
  FrameRenderer from_lazy(lazy), from_whole(whole);
  from_lazy.set_prepare([&](const TimelineLayout& layout, size_t first, size_t last) {
    cache.prepare(layout, first, last);
  });
  auto same_frames = [&] {
    walk_views([&](const FrameRequest& r, const std::string& where) {
      ASSERT_EQ(encode_frame_answer(from_lazy.render(r)), encode_frame_answer(from_whole.render(r))) << where;
    });
  };
  same_frames();
  EXPECT_GT(cache.partial_loads(), 0u);
  EXPECT_LT(cache.partial_loads(), cache.loads()) << "the lanes not written are read from the rows";
  EXPECT_GT(cache.drops(), 0u);
  cache.set_partial(nullptr);
  for (uint32_t t = 0; t < lazy.threads().size(); t += 2)
    EXPECT_TRUE(lazy.threads()[t].spans.empty() || !lazy.threads()[t].spans.is_view()) << t;
  for (uint32_t c = 0; c < lazy.connections().size(); c += 2)
    for (int dir = 0; dir < 2; ++dir)
      EXPECT_TRUE(lazy.connections()[c].lanes[dir].empty() || !lazy.connections()[c].lanes[dir].is_view()) << c;
  writer.reset();  // the part file removed (never finished)
  partial.reset();  // and the mapping gone: nothing may point into it now
  same_frames();
}

// A measured range counted in the lane store (GET /measure) is the whole
// model's count (what the page counts in-browser), packets, spans and
// instants, over ranges from the whole trace to narrow ones.
TEST_F(LazyLanesTest, RangesCountedInTheStoreAreTheWholeModels) {
  Stored stored = made_store();
  ASSERT_TRUE(stored.store) << stored.why;
  ProfileModel& lazy = stored.lazy;
  server::LaneStore* store = stored.store.get();
  double d = double(whole.duration_ns());
  ui::RangeCounts all = ui::count_range(whole, -1, d + 1);
  EXPECT_EQ(all.packets, whole.counts().packets);
  EXPECT_GT(all.spans, 0);
  EXPECT_GT(all.instants, 0);
  // The marks by kind are those `]` / `[` step through (FindingMarks).
  FindingMarks marks;
  marks.build(whole);
  int64_t marked = 0;
  for (int i = 0; i <= 40; ++i) {
    double t0 = d * (i % 7) / 7.0, t1 = t0 + d / double(1 + i);
    std::optional<ui::RangeCounts> c = store->count_range(lazy, t0, t1);
    ASSERT_TRUE(c) << i;
    ui::RangeCounts expected = ui::count_range(whole, t0, t1);
    ASSERT_EQ(*c, expected) << i;
    std::vector<int64_t> kinds = marks.count_by_kind(t0, t1);
    for (size_t k = 0; k < kinds.size(); ++k) ASSERT_EQ(expected.marks[k], kinds[k]) << i << " kind " << k;
    for (int64_t n : expected.marks) marked += n;
  }
  EXPECT_GT(marked, 0);
  ASSERT_EQ(*store->count_range(lazy, -1, d + 1), all);
}

// `/` search in server-backed viewing: each lane's match bits in the store
// are its names' own (contains_folded on the texts: an oracle apart from
// SearchIndex); the pass over the args (args_search.h) then adds the items
// whose args contain the query, and /frame?q= outlines and counts exactly
// what the page does in-browser over the whole model (names and args), over
// the 72-view walk, under a small lane budget. "q-10" and "10.0.1.3" are in
// args only; the first frames, before the pass is over, count the names'
// matches at least and say how much of the args they cover.
TEST_F(LazyLanesTest, SearchedInTheStoreAsInTheWholeModel) {
  Stored stored = made_store();
  ASSERT_TRUE(stored.store) << stored.why;
  const std::vector<std::string> queries = {"step", "INNER", "e", "main", "zzz-in-no-name", "q-10", "10.0.1.3"};
  std::map<std::string, uint64_t> by_names, by_names_and_args;
  for (const std::string& q : queries) {
    std::string folded = folded_query(q);
    SearchIndex search;
    ASSERT_TRUE(server::run_search_in_store(*stored.store, stored.lazy, search, q));
    uint64_t expected = 0, with_args = 0;
    auto named = [&](uint32_t name) { return name != 0 && contains_folded(whole.text(name), folded); };
    auto in_args = [&](uint32_t args) { return args != 0 && contains_folded(whole.args(args), folded); };
    for (uint32_t t = 0; t < whole.threads().size(); ++t) {
      const ThreadLane& lane = whole.threads()[t];
      expected += named(lane.name) || named(lane.exception);
      with_args += named(lane.name) || named(lane.exception);
      auto count_lane = [&](const auto& records, const MatchBits* bits, const char* what) {
        for (size_t i = 0; i < records.size(); ++i) {
          bool m = named(records[i].name);
          expected += m;
          with_args += m || in_args(records[i].args);
          ASSERT_EQ(bits && bits->test(i), m) << q << " thread " << t << " " << what << " " << i;
        }
      };
      count_lane(lane.spans, search.span_matches(t), "span");
      count_lane(lane.instants, search.instant_matches(t), "instant");
    }
    EXPECT_EQ(search.match_count(), expected) << q;
    by_names[q] = expected;
    by_names_and_args[q] = with_args;
    if (q == "e") EXPECT_GE(expected, uint64_t(kBigSpans)) << "nearly every span";
    if (q.starts_with("zzz")) EXPECT_EQ(with_args, 0u);
    if (q == "q-10" || q == "10.0.1.3") EXPECT_TRUE(expected == 0 && with_args > 5) << q << ": in args only";
  }

  server::FrameEndpoint endpoint(profile_path_, dir_, 64 * 1024);
  ASSERT_TRUE(endpoint.has_store());
  FrameRenderer here(whole);
  int64_t outlined = 0, outlined_blocks = 0;
  double d = double(whole.duration_ns());
  for (const std::string& q : queries) {
    FrameRequest first = request(-d * 0.01, d * 1.01, 0, false, false);
    first.search = q;
    auto answer = endpoint.answer(frame_get(frame_request_query(first)));
    ASSERT_TRUE(answer && answer->status == 200) << q;
    std::string problem;
    std::optional<FrameAnswer> early = decode_frame_answer(body_of(*answer), problem);
    ASSERT_TRUE(early) << problem;
    EXPECT_GE(early->search_matches, int64_t(by_names[q])) << q << ": the names' matches at least";
    EXPECT_LE(early->search_matches, int64_t(by_names_and_args[q])) << q;
    EXPECT_TRUE(early->search_args_searched >= 0 && early->search_args_searched <= 1) << early->search_args_searched;
    if (early->search_args_searched < 1) EXPECT_LT(early->search_args_searched, 1.0);
    endpoint.wait_for_args_search();
    walk_views([&](FrameRequest r, const std::string& where) {
      r.search = q;
      auto answer = endpoint.answer(frame_get(frame_request_query(r)));
      ASSERT_TRUE(answer);
      ASSERT_EQ(answer->status, 200) << q << " " << where << ": " << body_of(*answer);
      FrameAnswer w = here.render(r);
      ASSERT_EQ(body_of(*answer), encode_frame_answer(w)) << q << " " << where;
      EXPECT_EQ(w.search_matches, int64_t(here.search().hits().size()));
      EXPECT_EQ(w.search_matches, int64_t(by_names_and_args[q])) << q;
      EXPECT_EQ(w.search_args_searched, 1.0);
      outlined += w.frame.search_marked;
      outlined_blocks += w.frame.search_marked_blocks;
    });
  }
  EXPECT_GT(outlined, 100);
  EXPECT_GT(outlined_blocks, 10) << "merged blocks holding a match";
}

// /item in server-backed viewing describes a span, running period or
// instant with its args (and an exception's stack) as the page does
// in-browser over the whole model, though the lanes lurk view holds have
// none: each item's row is found by its lane's index (read_item_args),
// among items of the same time by their order, under a small lane budget.
TEST_F(LazyLanesTest, ItemsAreDescribedWithTheirArgs) {
  Stored stored = made_store();
  ASSERT_TRUE(stored.store) << stored.why;
  server::FrameEndpoint endpoint(profile_path_, dir_, 64 * 1024);
  int with_args = 0, checked = 0;
  for (uint32_t t = 0; t < whole.threads().size(); ++t) {
    const ThreadLane& lane = whole.threads()[t];
    auto check = [&](ItemRef item, uint32_t args) {
      auto answer = endpoint.answer(get_request("/item", item_request_query(item)));
      ASSERT_TRUE(answer && answer->status == 200) << item_request_query(item);
      nlohmann::json there = nlohmann::json::parse(body_of(*answer));
      ItemDetails here = describe_item(whole, item, nullptr);
      ASSERT_EQ(there["title"], here.title);
      ASSERT_EQ(there["fields"].size(), here.fields.size()) << item_request_query(item) << " " << there.dump();
      for (size_t f = 0; f < here.fields.size(); ++f) {
        ASSERT_EQ(there["fields"][f][0], here.fields[f].name) << item_request_query(item);
        ASSERT_EQ(there["fields"][f][1], here.fields[f].value) << item_request_query(item);
      }
      with_args += args != 0;
      ++checked;
    };
    for (uint32_t i = 0; i < lane.spans.size(); i += lane.spans[i].args ? 3 : 17)
      check({ItemKind::Span, t, i, 1}, lane.spans[i].args);
    for (uint32_t i = 0; i < lane.running.size(); i += 29) check({ItemKind::Running, t, i, 1}, lane.running[i].args);
    for (uint32_t i = 0; i < lane.instants.size(); ++i) check({ItemKind::Instant, t, i, 1}, lane.instants[i].args);
  }
  EXPECT_GT(with_args, 100);
  EXPECT_GT(checked, with_args);
}

// Times at both ends of int64 (a hostile profile): relative times saturate,
// so several spans share one that says none of their rows; /item still
// gives each its own args (its lane read again whole).
class SaturatedTimesTest : public ProfileTest {};

TEST_F(SaturatedTimesTest, ItemsAtSaturatedTimesGetTheirOwnArgs) {
  {
    TraceWriter w(db());
    SourceRow source{0, "t", "test", "hash-saturated", 1};
    w.begin_source(source);
    ThreadRow t;
    t.source_id = source.id;
    t.ext_id = "edge";
    t.name = w.intern("edge");
    w.insert_thread(t);
    w.insert_span({t.id, INT64_MIN + 10, INT64_MIN + 20, 0, "span", w.intern("low"), "{\"k\":\"low\"}"});
    w.insert_span({t.id, INT64_MAX - 20, INT64_MAX - 10, 0, "span", w.intern("high"), "{\"k\":\"a\"}"});
    w.insert_span({t.id, INT64_MAX - 15, INT64_MAX - 5, 0, "span", w.intern("high"), "{\"k\":\"b\"}"});
    w.insert_instant({t.id, INT64_MAX - 3, "log", w.intern("at the end"), "{\"k\":\"c\"}"});
    w.commit_source(source);
  }
  ProfileModel whole = ProfileModel::load(db());
  ASSERT_EQ(whole.threads().size(), 1u);
  const ThreadLane& lane = whole.threads()[0];
  ASSERT_EQ(lane.spans.size(), 3u);
  ASSERT_EQ(lane.spans[1].t0_ns, lane.spans[2].t0_ns) << "two starts saturated to one";
  db_.reset();
  server::FrameEndpoint endpoint(profile_path_, dir_);
  endpoint.wait_for_background();
  auto args_of = [&](ItemRef item) {
    auto answer = endpoint.answer(get_request("/item", item_request_query(item)));
    EXPECT_TRUE(answer && answer->status == 200) << (answer ? body_of(*answer) : "");
    nlohmann::json described = nlohmann::json::parse(body_of(*answer));
    for (const auto& f : described["fields"])
      if (f[0] == "args") return f[1].get<std::string>();
    return std::string();
  };
  for (uint32_t i = 0; i < 3; ++i)
    EXPECT_EQ(args_of({ItemKind::Span, 0, i, 1}), std::string(whole.args(lane.spans[i].args))) << i;
  EXPECT_EQ(args_of({ItemKind::Instant, 0, 0, 1}), "{\"k\":\"c\"}");
}

// The args pass matches a lane a row at a time (match_thread_args: a bit per
// item, the lane's records never held) in the order the lane is loaded in:
// each depth's spans as the index walk gives them. A row whose start was
// stored as text (a hostile file) comes last in that walk though its
// number is earlier, so the depth is out of order: that lane is read whole
// and matched the same. Both against the whole model's args.
TEST_F(SaturatedTimesTest, ArgsMatchedRowByRowAsTheLanesItems) {
  {
    TraceWriter w(db());
    SourceRow source{0, "t", "test", "hash-args-rows", 1};
    w.begin_source(source);
    for (const char* ext : {"plain", "text-time"}) {
      ThreadRow t;
      t.source_id = source.id;
      t.ext_id = ext;
      t.name = w.intern(ext);
      w.insert_thread(t);
      for (int i = 0; i < 300; ++i) {
        int64_t start = 1000 + 10 * i;
        std::string args = i % 7 == 0 ? "{\"peer\":\"Warn-" + std::to_string(i) + "\"}" : (i % 5 ? "{}" : "");
        w.insert_span({t.id, start, start + 100 + i % 3, i % 4, "span", w.intern("s"), args});
        if (i % 11 == 0) w.insert_span({t.id, start, start + 5, 0, "running", 0, "{\"warn\":1}"});
        if (i % 3 == 0) w.insert_instant({t.id, start + 1, "log", w.intern("l"), i % 2 ? "{\"x\":\"WARN\"}" : "{}"});
      }
    }
    w.commit_source(source);
  }
  // The second thread's spans i = 8 (depth 0, no args) and i = 49 (depth 1, a match).
  db().exec("UPDATE spans SET start_ns = '@' || start_ns WHERE thread_id = (SELECT max(id) FROM threads) "
            "AND start_ns IN (1080, 1490) AND kind = 'span'");
  ASSERT_EQ(count("SELECT count(*) FROM spans WHERE typeof(start_ns) = 'text'"), 2);
  ProfileModel whole = ProfileModel::load(db());
  db_.reset();
  std::unique_ptr<Database> reading = open_profile_for_reading(profile_path_);
  ProfileModel lazy = ProfileModel::load_outline(*reading, scan_lane_summary(*reading));
  ASSERT_EQ(lazy.threads().size(), 2u);
  const std::string folded = folded_query("warn");
  ProfileModel::ArgsMatcher matches = [&](std::string_view json) {
    return !json.empty() && json != "{}" && contains_folded(json, folded);
  };
  for (uint32_t t = 0; t < 2; ++t) {
    uint64_t told = 0;
    ProfileModel::ArgsMatchBits bits =
        lazy.match_thread_args(*reading, t, matches, [&](uint64_t events) { told += events; });
    const ThreadLane& lane = whole.threads()[t];
    ASSERT_EQ(bits.spans.size(), lane.spans.size()) << t;
    ASSERT_EQ(bits.instants.size(), lane.instants.size()) << t;
    EXPECT_EQ(told, lane.spans.size() + lane.instants.size()) << t;
    int found = 0;
    for (size_t i = 0; i < lane.spans.size(); ++i) {
      bool want = lane.spans[i].args && contains_folded(whole.args(lane.spans[i].args), folded);
      ASSERT_EQ(bool(bits.spans[i]), want) << "thread " << t << " span " << i;
      found += want;
    }
    for (size_t i = 0; i < lane.instants.size(); ++i) {
      bool want = lane.instants[i].args && contains_folded(whole.args(lane.instants[i].args), folded);
      ASSERT_EQ(bool(bits.instants[i]), want) << "thread " << t << " instant " << i;
      found += want;
    }
    EXPECT_EQ(found, 43 + 50) << t;  // spans i % 7 == 0, instants i % 6 == 3
  }
}

// GET /window.lurk: the window a server-backed page shows, cut out of the
// profile on a thread of its own while the request is deferred (the view
// answers frames meanwhile), sent from a file; what it holds against the
// whole model's lanes in that window. A request for another window waits
// for the cut under way; a window that is not one is refused.
TEST_F(LazyLanesTest, WindowDownloadIsTheWindowShownCutOut) {
  server::FrameEndpoint endpoint(profile_path_, dir_, 64 * 1024);
  const double d = double(whole.duration_ns()), t0 = d * 0.3, t1 = d * 0.45;
  auto ask = [&](const std::string& query) {
    for (int i = 0; i < 6000; ++i) {
      std::optional<server::HttpResponse> r = endpoint.answer(get_request("/window.lurk", query));
      if (!r || !r->defer) return r;
      // Deferred: frames are answered meanwhile, another window waits.
      if (i == 0) {
        auto frame = endpoint.answer(frame_get(frame_request_query(request(0, d, 0, false, false))));
        EXPECT_TRUE(frame && frame->status == 200);
        auto other = endpoint.answer(get_request("/window.lurk", "t=0,1000"));
        EXPECT_TRUE(other && other->defer) << "one cut at a time";
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return std::optional<server::HttpResponse>();
  };
  char window[64];
  std::snprintf(window, sizeof window, "t=%.17g,%.17g", t0, t1);
  std::optional<server::HttpResponse> answer = ask(window);
  ASSERT_TRUE(answer);
  ASSERT_EQ(answer->status, 200) << body_of(*answer);
  std::string path = (dir_ / "window.lurk").string();
  {
    std::ofstream out(path, std::ios::binary);
    std::string bytes = body_of(*answer);
    ASSERT_GT(bytes.size(), 4096u);
    out.write(bytes.data(), std::streamsize(bytes.size()));
  }
  Database cut(path, Database::Mode::ReadOnly);
  // The whole model's items in the window (its times are relative: the window's own).
  const int64_t lo = int64_t(std::floor(t0)), hi = int64_t(std::ceil(t1));
  int64_t packets = 0, spans = 0, instants = 0;
  for (const ConnectionLanes& c : whole.connections())
    for (const auto& lane : c.lanes)
      for (const PacketMark& p : lane) packets += p.t_ns >= lo && p.t_ns <= hi;
  for (const ThreadLane& t : whole.threads()) {
    for (const auto* run : {&t.spans, &t.running})
      for (const SpanRecord& s : *run) spans += s.t0_ns <= hi && s.t1_ns >= lo;
    for (const InstantRecord& i : t.instants) instants += i.t_ns >= lo && i.t_ns <= hi;
  }
  EXPECT_GT(packets, 100);
  EXPECT_EQ(cut.query_int("SELECT count(*) FROM packets"), packets);
  EXPECT_EQ(cut.query_int("SELECT count(*) FROM spans"), spans);
  EXPECT_EQ(cut.query_int("SELECT count(*) FROM instants"), instants);
  // The other window asked meanwhile is cut next.
  std::optional<server::HttpResponse> other = ask("t=0,1000");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 200);
  for (const char* bad : {"t=5,1", "t=x", "", "t=0,10&anon=1&key=zz"}) {
    std::optional<server::HttpResponse> refused = endpoint.answer(get_request("/window.lurk", bad));
    ASSERT_TRUE(refused);
    EXPECT_EQ(refused->status, 400) << bad;
  }
}

// Queries asked one after another (two pages searching for different
// things ask their own views in turn) keep their args passes going, the
// last four of them: a query asked again gets its matches so far back and
// its pass goes on; the fifth stops the first's, which starts again when it
// is asked again. Each query's matches, once its pass is over, are the
// whole model's.
TEST_F(LazyLanesTest, QueriesAskedInTurnKeepTheirArgsPasses) {
  Stored stored = made_store();
  ASSERT_TRUE(stored.store) << stored.why;
  server::FrameEndpoint endpoint(profile_path_, dir_, 64 * 1024);
  double d = double(whole.duration_ns());
  FrameRequest r = request(-d * 0.01, d * 1.01, 0, false, false);
  const std::vector<std::string> queries = {"e", "q-1", "peer", "Q-2", "10.0.1.3"};
  for (int round = 0; round < 3; ++round)
    for (const std::string& q : queries) {
      r.search = q;
      auto answer = endpoint.answer(frame_get(frame_request_query(r)));
      ASSERT_TRUE(answer && answer->status == 200) << q;
    }
  for (const std::string& q : {"peer", "e", "10.0.1.3"}) {
    r.search = q;
    ASSERT_TRUE(endpoint.answer(frame_get(frame_request_query(r))));
    endpoint.wait_for_args_search();
    auto answer = endpoint.answer(frame_get(frame_request_query(r)));
    ASSERT_TRUE(answer && answer->status == 200);
    FrameRenderer here(whole);
    EXPECT_EQ(body_of(*answer), encode_frame_answer(here.render(r))) << q;
    EXPECT_GT(here.search().match_count(), 5u) << q;
  }
}

// A finding clicked or stepped to in server-backed viewing (GET /finding):
// the item and window lurk view works out are the page's own in-browser
// (finding_target over the whole model): exceptions of failed threads, a
// flagged packet of several connections, a connection finding without a
// time; unknown and malformed ids refused.
TEST_F(LazyLanesTest, FindingTargetsAreTheWholeModels) {
  int64_t origin = whole.origin_ns();
  int added = 0;
  for (const ThreadLane& t : whole.threads())
    if (t.failed) {
      db().exec("INSERT INTO findings (kind, severity, title, thread_id, ts_ns) VALUES ('exception', 50, 'x', " +
                std::to_string(t.id) + ", " + std::to_string(origin + t.end_ns) + ")");
      ++added;
    }
  for (uint32_t c = 0; c < whole.connections().size() && c < 6; ++c) {
    const auto& lane = whole.connections()[c].lanes[c % 2];
    if (lane.size() < 10) continue;
    int64_t t = lane[lane.size() / 3].t_ns;
    db().exec("INSERT INTO findings (kind, severity, title, connection_id, ts_ns, duration_ns) VALUES "
              "('rst-established', 40, 'y', " + std::to_string(whole.connections()[c].id) + ", " +
              std::to_string(origin + t) + ", " + (c == 2 ? "250000" : "NULL") + ")");
    ++added;
  }
  db().exec("INSERT INTO findings (kind, severity, title, connection_id) VALUES ('rto-stall', 30, 'z', " +
            std::to_string(whole.connections()[0].id) + ")");
  ++added;
  ui::FindingList list = ui::FindingList::load(db());
  ASSERT_EQ(list.rows().size(), size_t(added));
  ASSERT_GT(added, 5);
  db_.reset();
  server::FrameEndpoint endpoint(profile_path_, dir_, 64 * 1024);
  auto answer = [&](const std::string& query) {
    server::HttpRequest r = frame_get(query);
    r.path = "/finding";
    auto a = endpoint.answer(r);
    return a ? std::make_pair(a->status, body_of(*a)) : std::make_pair(0, std::string());
  };
  std::set<int> kinds;
  for (const ui::FindingRow& row : list.rows()) {
    FindingTarget want = finding_target(whole, row);
    auto [status, body] = answer(finding_request_query(row.id));
    ASSERT_EQ(status, 200) << body;
    nlohmann::json j = nlohmann::json::parse(body);
    ASSERT_TRUE(want.item) << row.kind;
    kinds.insert(int(want.item.kind));
    EXPECT_EQ(j["sel"], item_request_query(want.item).substr(4)) << row.kind << " " << row.id;
    ASSERT_TRUE(want.has_window);
    EXPECT_EQ(j["t0"].get<double>(), want.t0_ns) << row.id;
    EXPECT_EQ(j["t1"].get<double>(), want.t1_ns) << row.id;
  }
  EXPECT_GE(kinds.size(), 3u) << "packets, exception instants, a group";
  EXPECT_EQ(answer("id=987654").first, 404);
  EXPECT_EQ(answer("id=x").first, 400);
  EXPECT_EQ(answer("idx=1").first, 400);
}

// Enter / shift+Enter stepped in the lane store (GET /mark?q=) land on the
// match the page steps to in-browser (SearchIndex::next_after /
// previous_before over the whole model's hits): from every match of a
// query (as the current one; every 97th of the broad one) and from 23 times,
// both ways, wrapping; a query with no match steps nowhere.
TEST_F(LazyLanesTest, SearchStepsInTheStoreAreTheWholeModels) {
  Stored stored = made_store();
  ASSERT_TRUE(stored.store) << stored.why;
  double d = double(whole.duration_ns());
  int64_t steps = 0;
  for (const std::string q : {"step", "main", "INNER", "e", "wake", "lwt", "parse", "q-10", "10.0.1.3"}) {
    SearchIndex here, there;
    here.run(whole, q);
    ASSERT_TRUE(search_with_args(stored, there, q));
    EXPECT_EQ(there.match_count(), here.hits().size()) << q;
    const auto& hits = here.hits();
    ASSERT_FALSE(hits.empty()) << q;
    auto check = [&](int64_t current, double t, bool forward) {
      bool none = true;
      ItemRef from = current >= 0 ? hits[size_t(current)].item : ItemRef();
      std::optional<server::SearchStep> got = server::step_search(*stored.store, stored.lazy, there, from, t, forward, none);
      int64_t i = forward ? here.next_after(int64_t(t), current) : here.previous_before(int64_t(t), current);
      ASSERT_TRUE(got) << q << " none " << none;
      const SearchHit& want = hits[size_t(i)];
      ASSERT_EQ(got->item, want.item) << q << " from " << current << " t " << t << (forward ? " forward" : " back")
                                      << ": got " << item_kind_name(got->item.kind) << " " << got->item.lane << "."
                                      << got->item.index << ", want " << item_kind_name(want.item.kind) << " "
                                      << want.item.lane << "." << want.item.index;
      EXPECT_EQ(double(got->t_ns), item_time(whole, want.item)) << q;
      ++steps;
    };
    size_t stride = hits.size() > 2000 ? 97 : 1;
    for (size_t h = 0; h < hits.size(); h += stride)
      for (bool forward : {true, false}) check(int64_t(h), d / 2, forward);
    for (bool forward : {true, false}) {
      check(int64_t(hits.size()) - 1, 0, forward);  // wrapping from the last
      for (int k = 0; k <= 22; ++k) check(-1, -d * 0.05 + d * 1.1 * k / 22.0, forward);
    }
  }
  EXPECT_GT(steps, 2000);
  SearchIndex nothing;
  ASSERT_TRUE(server::run_search_in_store(*stored.store, stored.lazy, nothing, "zzz-in-no-name"));
  bool none = false;
  EXPECT_FALSE(server::step_search(*stored.store, stored.lazy, nothing, ItemRef(), d / 2, true, none));
  EXPECT_TRUE(none);
}

// `]` / `[` stepped in the lane store (GET /mark) land on the marks the
// page steps to in-browser (FindingMarks over the whole model): from every
// mark (as the current one) and from times, forward and back, wrapping,
// over everything and within a group.
TEST_F(LazyLanesTest, MarksSteppedInTheStoreAreTheWholeModels) {
  Stored stored = made_store();
  ASSERT_TRUE(stored.store) << stored.why;
  ProfileModel& lazy = stored.lazy;
  server::LaneStore* store = stored.store.get();
  FindingMarks marks;
  marks.build(whole);
  const auto& all = marks.marks();
  ASSERT_GT(all.size(), 10u);
  std::set<int> kinds;
  for (const FindingMark& m : all) kinds.insert(int(m.kind));
  EXPECT_GE(kinds.size(), 3u) << "packets of several kinds and exceptions";
  auto step = [&](std::optional<size_t> current, double t, bool forward, int32_t group) {
    server::MarkCursor cursor;
    cursor.t_ns = t;
    if (current) {
      std::optional<FindingMark> m = server::mark_of(*store, lazy, all[*current].item);
      EXPECT_TRUE(m) << "mark " << *current << " is a mark in the store too";
      if (m && (group < 0 || m->group == uint32_t(group))) cursor.current = MarkKey::of(*m);
    }
    bool none = false;
    std::optional<FindingMark> got = server::step_mark(*store, lazy, cursor, forward, group, none);
    int64_t i = forward ? marks.next(current ? int64_t(*current) : -1, t, group)
                        : marks.previous(current ? int64_t(*current) : -1, t, group);
    if (i < 0) {
      EXPECT_TRUE(none && !got);
      return;
    }
    ASSERT_TRUE(got) << "none " << none;
    EXPECT_EQ(got->item, all[size_t(i)].item) << item_request_query(got->item) << " / "
                                              << item_request_query(all[size_t(i)].item);
    EXPECT_EQ(got->t_ns, all[size_t(i)].t_ns);
    EXPECT_EQ(got->kind, all[size_t(i)].kind);
  };
  double d = double(whole.duration_ns());
  for (int32_t group : {-1, 0, 1, int32_t(whole.groups().size()) - 1}) {
    SCOPED_TRACE(group);
    for (size_t i = 0; i < all.size(); i += std::max<size_t>(1, all.size() / 150))
      for (bool forward : {true, false}) step(i, 0, forward, group);
    for (int k = -1; k <= 21; ++k)
      for (bool forward : {true, false}) step(std::nullopt, d * k / 20.0, forward, group);
    // A time exactly at a mark's: strictly after / before it.
    for (bool forward : {true, false}) step(std::nullopt, double(all[all.size() / 2].t_ns), forward, group);
  }
  // Not marks: a span, a packet that is not flagged.
  EXPECT_FALSE(server::mark_of(*store, lazy, ItemRef{ItemKind::Span, 0, 0, 1}));
}

TEST_F(LazyLanesTest, LaneStoreCutShortUnderAViewIsNotRead) {
  db_.reset();
  std::filesystem::path profile = profile_path_;
  std::filesystem::path store_file = server::lane_store_path(profile);
  std::filesystem::remove(server::lane_summary_path(profile));
  {
    server::FrameEndpoint made(profile, dir_, 64 * 1024);
    made.wait_for_background();  // a cold open from the lane facts makes its store in the background
    ASSERT_TRUE(made.has_store()) << made.store_note();
  }
  uintmax_t whole_size = std::filesystem::file_size(store_file);
  {
    auto db = open_profile_for_reading(profile.string());
    ProfileModel model = ProfileModel::load_outline(*db, scan_lane_summary(*db));
    std::string why;
    std::unique_ptr<server::LaneStore> store = server::LaneStore::open(profile, model, why);
    ASSERT_TRUE(store) << why;
    EXPECT_FALSE(store->changed());
    std::filesystem::resize_file(store_file, 100);  // inside the first page: the rest is gone
    EXPECT_TRUE(store->changed());
    size_t bytes = 0;
    for (uint32_t t = 0; t < model.threads().size(); ++t) {
      EXPECT_FALSE(store->load_thread(model, t, bytes)) << "thread " << t;
      EXPECT_FALSE(model.threads()[t].events_loaded);
    }
    for (uint32_t c = 0; c < model.connections().size(); ++c) {
      EXPECT_FALSE(store->load_connection(model, c, bytes)) << "connection " << c;
      EXPECT_FALSE(model.connections()[c].lanes_loaded);
    }
    for (uint32_t c = 0; c < model.counters().size(); ++c)
      EXPECT_FALSE(store->load_counter(model, c, bytes)) << "counter " << c;
  }
  std::filesystem::remove(server::lane_summary_path(profile));
  {
    server::FrameEndpoint remade(profile, dir_, 64 * 1024);
    remade.wait_for_background();
    ASSERT_TRUE(remade.has_store());
  }
  ASSERT_EQ(std::filesystem::file_size(store_file), whole_size);
  FrameRenderer from_whole(whole);
  server::FrameEndpoint view(profile, dir_, 64 * 1024);  // lanes dropped between frames: read again
  ASSERT_TRUE(view.has_store()) << view.store_note();
  int frames = 0;
  walk_views([&](const FrameRequest& r, const std::string& where) {
    if (++frames == 20) std::filesystem::resize_file(store_file, whole_size / 2);
    auto answer = view.answer(frame_get(frame_request_query(r)));
    ASSERT_TRUE(answer);
    ASSERT_EQ(answer->status, 200) << where;
    ASSERT_EQ(body_of(*answer), encode_frame_answer(from_whole.render(r))) << where;
  });
  EXPECT_EQ(frames, 72);
  EXPECT_FALSE(view.has_store()) << "the cut store was dropped (and cannot be opened again)";
  EXPECT_NE(view.store_note().find("changed while in use"), std::string::npos) << view.store_note();
  EXPECT_GT(view.lanes().store_loads(), 0u) << "lanes came from the store before the cut";
  EXPECT_LT(view.lanes().store_loads(), view.lanes().loads()) << "and from the profile after it";
}

}  // namespace
}  // namespace lurk::test
