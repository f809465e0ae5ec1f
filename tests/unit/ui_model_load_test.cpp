// The UI model's one-pass loader (wasm-ui/core/profile_model*.cpp) reads the
// tables in storage order: rows written out of time order, interleaved
// between lanes and depths, must still land in sorted lanes, with the same
// origin, counts and args as the rows say; and search marks a merged block
// that holds a match (wasm-ui/core/search_index, timeline_frame).
#include <gtest/gtest.h>

#include <algorithm>
#include <random>

#include "core/connection_rows.h"
#include "core/mark_merging.h"
#include "core/profile_model.h"
#include "core/search_index.h"
#include "core/timeline_frame.h"
#include "core/timeline_layout.h"
#include "net/analysis_flags.h"
#include "net/tcp_segment.h"
#include "profile_fixture.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;

constexpr int64_t kLoadBase = 5'000'000'000'000;

class UiModelLoadTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    w = std::make_unique<TraceWriter>(db());
    source = SourceRow{0, "t", "test", "hash-load", 1};
    w->begin_source(source);
  }
  // The writer's statements are finalized before the fixture closes the
  // profile (closing with statements open fails and leaks the connection).
  void TearDown() override {
    w.reset();
    ProfileTest::TearDown();
  }
  int64_t thread(const std::string& name, std::optional<int64_t> connection = std::nullopt) {
    ThreadRow t;
    t.source_id = source.id;
    t.ext_id = name;
    t.name = w->intern(name);
    t.start_ns = kLoadBase;
    t.end_ns = kLoadBase + 10'000'000;
    t.connection_id = connection;
    w->insert_thread(t);
    return t.id;
  }
  void load() {
    w->commit_source(source);
    model = ProfileModel::load(db());
  }
  std::unique_ptr<TraceWriter> w;
  SourceRow source;
  ProfileModel model;
};

TEST_F(UiModelLoadTest, RowsOutOfOrderLandInSortedLanes) {
  ConnectionRow c[2];
  for (int k = 0; k < 2; ++k) {
    c[k].source_id = source.id;
    c[k].addr_a = "10.0.0.1";
    c[k].addr_b = "10.0.0.2";
    c[k].port_a = 1000 + k;
    c[k].port_b = 80;
    c[k].first_ns = kLoadBase + 1000;
    c[k].last_ns = kLoadBase + 900'000;
    c[k].packets_ab = k == 0 ? 40 : 0;  // wrong on purpose for connection 1: lanes must still fill
    w->insert_connection(c[k]);
  }
  // Packets of both connections interleaved, times shuffled.
  std::mt19937 rng(3);
  std::vector<int64_t> times(40);
  for (size_t i = 0; i < times.size(); ++i) times[i] = kLoadBase + 1000 + int64_t(i) * 20'000;
  std::shuffle(times.begin(), times.end(), rng);
  for (size_t i = 0; i < times.size(); ++i) {
    PacketRow p;
    p.source_id = source.id;
    p.frame = int64_t(i) + 1;
    p.connection_id = c[i % 2].id;
    p.dir = int(i / 2 % 2);
    p.ts_ns = times[i];
    p.tcp_flags = kAck;
    p.analysis = i == 7 ? kDuplicateAck : 0;
    w->insert_packet(p);
  }
  int64_t reader = thread("reader", c[0].id), other = thread("other");
  // Spans: depth 1 written before depth 0, starts descending, two threads interleaved.
  for (int i = 9; i >= 0; --i) {
    int64_t t0 = kLoadBase + 100'000 + i * 50'000;
    w->insert_span({reader, t0 + 10'000, t0 + 20'000, 1, "span", w->intern("inner"), std::nullopt});
    w->insert_span({other, t0, t0 + 5'000, 0, "running", std::nullopt, std::nullopt});
    w->insert_span({reader, t0, t0 + 40'000, 0, "span", w->intern("outer"),
                    "{\"i\":" + std::to_string(i) + "}"});
  }
  w->insert_instant({reader, kLoadBase + 700'000, "exception", w->intern("boom"), std::nullopt});
  w->insert_instant({reader, kLoadBase + 200'000, "label", w->intern("early"), std::nullopt});
  w->insert_instant({std::nullopt, kLoadBase, "instant", w->intern("global"), std::nullopt});
  w->insert_counter({std::nullopt, w->intern("heap"), kLoadBase + 300, 7});
  w->insert_counter({std::nullopt, w->intern("heap"), kLoadBase + 100, 3});
  w->insert_flow({"read", other, kLoadBase + 600'000, reader, kLoadBase + 610'000});
  w->insert_flow({"read", other, kLoadBase + 100'000, reader, kLoadBase + 110'000});
  load();

  EXPECT_EQ(model.origin_ns(), kLoadBase) << "the earliest time of anything drawn (the global instant)";
  EXPECT_EQ(model.counts().packets, 40);
  EXPECT_EQ(model.counts().events, 30 + 3 + 2 + 2) << "spans, instants (global too), counters, flows";
  int64_t total = 0;
  for (const ConnectionLanes& conn : model.connections())
    for (const auto& lane : conn.lanes) {
      total += int64_t(lane.size());
      EXPECT_TRUE(std::is_sorted(lane.begin(), lane.end(),
                                 [](auto& a, auto& b) { return a.t_ns < b.t_ns; }));
      EXPECT_EQ(lane.capacity(), lane.size()) << "no growth slack in memory_bytes()";
    }
  EXPECT_EQ(total, 40);
  EXPECT_EQ(model.connections()[size_t(model.connection_index(c[1].id))].dup_acks, 1);

  const ThreadLane& r = model.threads()[size_t(model.thread_index(reader))];
  ASSERT_EQ(r.depth_count(), 2);
  ASSERT_EQ(r.depth_begin[1], 10u);
  for (int d = 0; d < 2; ++d)
    for (uint32_t i = r.depth_begin[size_t(d)]; i + 1 < r.depth_begin[size_t(d) + 1]; ++i) {
      EXPECT_EQ(r.spans[i].depth, d);
      EXPECT_LT(r.spans[i].t0_ns, r.spans[i + 1].t0_ns);
    }
  EXPECT_EQ(r.spans[0].t0_ns, 100'000) << "relative to the origin";
  EXPECT_EQ(model.args(r.spans[0].args), "{\"i\":0}");
  EXPECT_EQ(model.args(r.spans[9].args), "{\"i\":9}");
  ASSERT_EQ(r.instants.size(), 2u);
  EXPECT_EQ(model.text(r.instants[0].name), "early");
  EXPECT_EQ(r.instants[1].kind, InstantKind::Exception);
  const ThreadLane& o = model.threads()[size_t(model.thread_index(other))];
  EXPECT_TRUE(o.spans.empty());
  ASSERT_EQ(o.running.size(), 10u);
  EXPECT_LT(o.running[0].t0_ns, o.running[9].t0_ns);
  ASSERT_EQ(model.counters().size(), 1u);
  EXPECT_EQ(model.counters()[0].samples[0].value, 3);
  EXPECT_EQ(model.counters()[0].min, 3);
  EXPECT_EQ(model.counters()[0].max, 7);
  ASSERT_EQ(model.flows().size(), 2u);
  EXPECT_LT(model.flows()[0].from_ns, model.flows()[1].from_ns);
}

// The bulk tables are fed to the lanes by SQLite (core/row_feed.h): kinds
// come as text, names and args as stored (NULL: none), global rows to no lane.
TEST_F(UiModelLoadTest, RowsFedByTheirColumnsKeepKindsNamesAndArgs) {
  int64_t a = thread("a");
  int64_t name = w->intern("work");
  w->insert_span({a, kLoadBase + 100, kLoadBase + 900, 0, "span", name, "{\"k\":1}"});
  w->insert_span({a, kLoadBase + 200, kLoadBase + 300, 0, "running", std::nullopt, std::nullopt});
  w->insert_span({a, kLoadBase + 400, kLoadBase + 500, 1, "async", std::nullopt, "{}"});
  w->insert_span({a, kLoadBase + 600, kLoadBase + 700, 0, "other", name, std::nullopt});
  const char* kinds[] = {"instant", "label", "log", "exception", "mark"};
  for (int i = 0; i < 5; ++i)
    w->insert_instant({a, kLoadBase + 1000 + i, kinds[i], i == 2 ? std::optional<int64_t>(name) : std::nullopt,
                       i == 3 ? std::optional<std::string>("{\"m\":\"x\"}") : std::nullopt});
  w->insert_instant({std::nullopt, kLoadBase + 50, "log", name, std::nullopt});  // global: no lane
  w->insert_counter({a, name, kLoadBase + 2000, 3.5});
  w->insert_counter({std::nullopt, name, kLoadBase + 2100, -1.0});
  load();
  ASSERT_EQ(model.threads().size(), 1u);
  const ThreadLane& t = model.threads()[0];
  ASSERT_EQ(t.spans.size(), 3u);
  ASSERT_EQ(t.running.size(), 1u);
  EXPECT_EQ(t.running[0].name, 0u);
  EXPECT_EQ(model.text(t.spans[0].name), "work");
  EXPECT_EQ(model.args(t.spans[0].args), "{\"k\":1}");
  EXPECT_EQ(t.spans[1].kind, SpanKind::Span);  // "other" reads as a span, as load() always did
  EXPECT_EQ(t.spans[1].args, 0u);
  EXPECT_EQ(t.spans[2].kind, SpanKind::Async);
  EXPECT_EQ(t.spans[2].args, 0u);  // "{}" is no args
  ASSERT_EQ(t.instants.size(), 5u);
  const InstantKind want[] = {InstantKind::Instant, InstantKind::Label, InstantKind::Log,
                              InstantKind::Exception, InstantKind::Instant};
  for (int i = 0; i < 5; ++i) EXPECT_EQ(t.instants[size_t(i)].kind, want[i]) << i;
  EXPECT_EQ(model.text(t.instants[2].name), "work");
  EXPECT_EQ(model.args(t.instants[3].args), "{\"m\":\"x\"}");
  EXPECT_EQ(model.counts().events, 4 + 6 + 2);  // the global instant counts, in no lane
  ASSERT_EQ(model.counters().size(), 2u);
  EXPECT_EQ(model.counters()[0].key, -source.id);  // global: minus its source
  EXPECT_EQ(model.counters()[0].samples[0].value, -1.0);
  EXPECT_EQ(model.counters()[1].thread, 0);
  EXPECT_EQ(model.origin_ns(), kLoadBase);  // the thread's start, before every row
  // lurk_rows() is the loader's own: from SQL it is refused with a reason.
  try {
    db().query_int("SELECT lurk_rows(1, 2) FROM spans");
    ADD_FAILURE() << "lurk_rows() ran from SQL";
  } catch (const StorageError& e) {
    EXPECT_NE(std::string(e.what()).find("feed_rows"), std::string::npos) << e.what();
  }
}

TEST_F(UiModelLoadTest, SearchMarksMergedBlocksThatHoldAMatch) {
  int64_t t = thread("worker");
  // 2000 spans and 2000 labels over 10 ms; one span and one label say "needle".
  for (int i = 0; i < 2000; ++i) {
    int64_t t0 = kLoadBase + i * 5'000;
    w->insert_span({t, t0, t0 + 4'000, 0, "span", w->intern(i == 1234 ? "needle.read" : "work"),
                    std::nullopt});
    w->insert_instant({t, t0 + 2'000, "label", w->intern(i == 321 ? "a needle" : "tick"), std::nullopt});
  }
  load();
  SearchIndex search;
  search.run(model, "NEEDLE");
  ASSERT_EQ(search.hits().size(), 2u);

  TimelineLayout layout;
  layout.build(model, {});
  FrameView view;
  view.window.set(0, double(model.duration_ns()));
  view.left = 300;
  view.width = 500;  // 20 µs per pixel: 4 spans per pixel, they merge
  view.top = 30;
  view.height = 2000;
  FrameHighlights hl;
  hl.search = &search;
  TimelineFrame frame = build_timeline_frame(model, layout, view, hl);

  const ThreadLane& lane = model.threads()[size_t(model.thread_index(t))];
  PixelMapping map{view.window, view.left, view.width};
  auto spans = merge_depth_spans(lane, 0, map);
  auto instants = merge_instant_marks(lane, map);
  ASSERT_LT(spans.size(), 200u) << "zoomed out: spans merge";
  ASSERT_LT(instants.size(), 200u);
  // Exactly one block of each kind holds the match, and it holds exactly one.
  uint32_t matched_blocks = 0, matches = 0;
  for (const IntervalBlock& b : spans) {
    ItemRef ref{b.count == 1 ? ItemKind::Span : ItemKind::SpanBlock, uint32_t(model.thread_index(t)),
                b.first, b.count};
    uint32_t n = search.matches_in(model, ref);
    bool holds = b.first <= 1234 && 1234 < b.first + b.count;
    EXPECT_EQ(n, holds ? 1u : 0u) << "span block at " << b.first;
    EXPECT_EQ(search.item_matches(model, ref), holds);
    matched_blocks += n > 0 && b.count > 1;
    matches += n;
  }
  for (const MarkBlock& b : instants) {
    ItemRef ref{b.count == 1 ? ItemKind::Instant : ItemKind::InstantBlock,
                uint32_t(model.thread_index(t)), b.first, b.count};
    uint32_t n = search.matches_in(model, ref);
    EXPECT_EQ(n, b.first <= 321 && 321 < b.first + b.count ? 1u : 0u);
    matched_blocks += n > 0 && b.count > 1;
    matches += n;
  }
  EXPECT_EQ(matches, 2u);
  EXPECT_EQ(matched_blocks, 2u);
  // The frame outlines those two blocks, and no other rectangle.
  EXPECT_EQ(frame.search_marked, 2);
  EXPECT_EQ(frame.search_marked_blocks, 2);
  int outlined = 0;
  for (const DrawRect& r : frame.rects)
    if (r.outline && (r.ref.kind == ItemKind::SpanBlock || r.ref.kind == ItemKind::InstantBlock)) {
      ++outlined;
      EXPECT_GT(r.ref.count, 1u);
    }
  EXPECT_EQ(outlined, 2);
  // No search: nothing marked.
  hl.search = nullptr;
  EXPECT_EQ(build_timeline_frame(model, layout, view, hl).search_marked, 0);
}

}  // namespace
}  // namespace lurk::test

namespace lurk::test {
namespace {

using namespace lurk::ui;

// A pcap and a trace of the same run: the joiner marks the trace's connection
// as the capture's (same_as); the UI shows the trace's threads, and their
// exceptions, in the capture's connection group, next to the wire packets.
TEST_F(UiModelLoadTest, TraceThreadsShowUnderTheCapturesConnection) {
  ConnectionRow wire, stack;
  for (ConnectionRow* c : {&wire, &stack}) {
    c->source_id = source.id;
    c->addr_a = "10.0.0.1";
    c->addr_b = "10.0.0.2";
    c->port_a = 40000;
    c->port_b = 80;
    c->first_ns = kLoadBase;
    c->last_ns = kLoadBase + 1000;
    w->insert_connection(*c);
  }
  int64_t handler = thread("handler", stack.id);
  w->update_thread([&] {
    ThreadRow t;
    t.id = handler;
    t.source_id = source.id;
    t.ext_id = "handler";
    t.name = w->intern("handler");
    t.start_ns = kLoadBase;
    t.end_ns = kLoadBase + 900;
    t.failed = true;
    t.exception = w->intern("Enoent");
    t.connection_id = stack.id;
    return t;
  }());
  w->commit_source(source);
  db().exec("UPDATE connections SET same_as = " + std::to_string(wire.id) +
            " WHERE id = " + std::to_string(stack.id));
  model = ProfileModel::load(db());

  const ConnectionLanes& wire_lanes = model.connections()[size_t(model.connection_index(wire.id))];
  const ConnectionLanes& stack_lanes = model.connections()[size_t(model.connection_index(stack.id))];
  EXPECT_EQ(stack_lanes.same_as, model.connection_index(wire.id));
  EXPECT_EQ(wire_lanes.same_as, -1);
  const ThreadLane& t = model.threads()[size_t(model.thread_index(handler))];
  EXPECT_EQ(t.group, wire_lanes.group);
  EXPECT_EQ(wire_lanes.exceptions, 1);
  EXPECT_EQ(stack_lanes.exceptions, 0);
  // The trace's copy is neither in the table nor on the timeline.
  EXPECT_EQ(model.shown_connection_count(), 1u);
  std::vector<uint32_t> rows = connection_rows(model, "", ConnectionColumn::Endpoints, false);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(model.connections()[rows[0]].id, wire.id);
  TimelineLayout layout;
  layout.build(model, {}, LayoutMetrics{});
  EXPECT_TRUE(layout.group_row(uint32_t(wire_lanes.group)).has_value());
  EXPECT_FALSE(layout.group_row(uint32_t(stack_lanes.group)).has_value());
}

}  // namespace
}  // namespace lurk::test
