// The UI's timeline core on a small profile written with the TraceWriter:
// the model groups threads under their connection (and a "no connection"
// group), the layout stacks lanes and folds groups, the frame's records are
// hit-tested back to the items they show, findings come in time order, and
// search finds names, labels and args.
#include <gtest/gtest.h>

#include "core/connection_rows.h"
#include "core/finding_marks.h"
#include "core/item_details.h"
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

constexpr int64_t kTimelineBase = 1'000'000'000'000;

class UiTimelineTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    TraceWriter w(db());
    SourceRow source{0, "t", "test", "hash-ui", 1};
    w.begin_source(source);
    for (int k = 0; k < 2; ++k) {
      ConnectionRow c;
      c.source_id = source.id;
      c.addr_a = "10.0.0.1";
      c.addr_b = k == 0 ? "10.0.0.2" : "10.0.0.3";
      c.port_a = 40000 + k;
      c.port_b = 80;
      c.first_ns = kTimelineBase + k * 1'000'000;
      c.last_ns = c.first_ns + 900'000;
      c.packets_ab = 3;
      c.state = k == 0 ? "closed" : "reset";
      w.insert_connection(c);
      conn_ids[k] = c.id;
      for (int i = 0; i < 3; ++i) {
        PacketRow p;
        p.source_id = source.id;
        p.frame = k * 3 + i + 1;
        p.connection_id = c.id;
        p.ts_ns = c.first_ns + i * 100'000;
        p.tcp_flags = kAck;
        p.analysis = (k == 0 && i == 2) ? kRetransmission : 0;
        p.seq = 100 + uint32_t(i);
        w.insert_packet(p);
      }
    }
    ThreadRow reader;
    reader.source_id = source.id;
    reader.ext_id = "1";
    reader.name = w.intern("reader");
    reader.start_ns = kTimelineBase;
    reader.end_ns = kTimelineBase + 800'000;
    reader.connection_id = conn_ids[0];
    reader.failed = true;
    reader.exception = w.intern("Invalid_argument(\"Lwt.wakeup_result\")");
    w.insert_thread(reader);
    ThreadRow main;
    main.source_id = source.id;
    main.ext_id = "0";
    main.name = w.intern("main");
    main.start_ns = kTimelineBase;
    main.end_ns = kTimelineBase + 2'000'000;
    w.insert_thread(main);
    reader.parent_id = main.id;
    w.update_thread(reader);
    w.insert_span({reader.id, kTimelineBase + 100'000, kTimelineBase + 500'000, 0, "span", w.intern("tcp.read"),
                   std::string("{\"bytes\":1460}")});
    w.insert_span({reader.id, kTimelineBase + 200'000, kTimelineBase + 300'000, 1, "span", w.intern("parse"), std::nullopt});
    w.insert_instant({reader.id, kTimelineBase + 800'000, "exception", reader.exception,
                      std::string("{\"stack\":[\"Tcp.Pcb.close\",\"Lwt.wakeup_result\"]}")});
    w.insert_instant({main.id, kTimelineBase + 50'000, "label", w.intern("booting"), std::nullopt});
    w.insert_counter({std::nullopt, w.intern("heap"), kTimelineBase, 10});
    w.insert_counter({std::nullopt, w.intern("heap"), kTimelineBase + 1'000'000, 30});
    w.insert_flow({"read", main.id, kTimelineBase + 60'000, reader.id, kTimelineBase + 100'000});
    w.insert_period({source.id, "gc", kTimelineBase + 1'200'000, kTimelineBase + 1'300'000});
    w.commit_source(source);
    model = ProfileModel::load(db());
  }

  int64_t conn_ids[2] = {};
  ProfileModel model;
};

TEST_F(UiTimelineTest, ModelGroupsThreadsUnderTheirConnection) {
  ASSERT_EQ(model.connections().size(), 2u);
  ASSERT_EQ(model.threads().size(), 2u);
  ASSERT_EQ(model.groups().size(), 3u) << "two connections and the no-connection group";
  const LaneGroup& first = model.groups()[0];
  ASSERT_EQ(first.threads.size(), 1u);
  const ThreadLane& reader = model.threads()[first.threads[0]];
  EXPECT_EQ(model.text(reader.name), "reader");
  EXPECT_TRUE(reader.failed);
  EXPECT_EQ(model.text(reader.exception), "Invalid_argument(\"Lwt.wakeup_result\")");
  EXPECT_EQ(reader.depth_count(), 2);
  EXPECT_EQ(model.text(reader.spans[reader.depth_begin[1]].name), "parse");
  EXPECT_EQ(model.groups()[2].connection, -1);
  EXPECT_EQ(model.groups()[2].threads.size(), 1u);
  EXPECT_EQ(model.groups()[2].counters.size(), 1u) << "a global counter lands in the no-connection group";
  EXPECT_EQ(model.connections()[0].retransmissions, 1);
  EXPECT_EQ(model.connections()[0].exceptions, 1);
  ASSERT_EQ(model.flows().size(), 1u);
  EXPECT_EQ(model.periods(PeriodKind::Gc).size(), 1u);
  EXPECT_EQ(reader.parent, model.thread_index(model.threads()[model.groups()[2].threads[0]].id));
}

TEST_F(UiTimelineTest, LayoutStacksLanesAndFoldsGroups) {
  TimelineLayout layout;
  layout.build(model, {});
  // group 0: header, 2 packet lanes, reader; group 1: header, 2 packet lanes;
  // group 2: header, main, heap counter.
  ASSERT_EQ(layout.rows().size(), 4u + 3u + 3u);
  EXPECT_EQ(layout.rows()[0].kind, RowKind::GroupHeader);
  EXPECT_EQ(layout.rows()[3].kind, RowKind::Thread);
  auto row = layout.row_at(layout.rows()[3].y + 1);
  ASSERT_TRUE(row);
  EXPECT_EQ(*row, 3u);
  float full = layout.total_height();
  layout.build(model, {true, false, false});
  EXPECT_EQ(layout.rows().size(), 1u + 3u + 3u);
  EXPECT_LT(layout.total_height(), full);
  EXPECT_FALSE(layout.thread_row(model.groups()[0].threads[0]));
  auto [first, last] = layout.visible(0, 1e6f);
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(last, layout.rows().size());
}

TEST_F(UiTimelineTest, FrameRecordsHitTestBackToTheirItems) {
  TimelineLayout layout;
  layout.build(model, {});
  FrameView view;
  view.window.set(0, 2'000'000);
  view.left = 300;
  view.width = 1000;  // 2000 ns per pixel
  view.top = 30;
  view.height = 1000;
  FrameHighlights hl;
  TimelineFrame frame = build_timeline_frame(model, layout, view, hl);
  EXPECT_GT(frame.primitives(), 10);
  // The retransmitted packet (frame 3) at 200 µs: x = 300 + 100.
  const LayoutRow& lane = layout.rows()[1];  // group 0, A to B
  ItemRef hit = frame.hit_test(400, view.top + lane.y + lane.height / 2);
  ASSERT_EQ(hit.kind, ItemKind::Packet);
  ItemDetails d = describe_item(model, hit, &db());
  ASSERT_TRUE(d.field("frame"));
  EXPECT_EQ(*d.field("frame"), "3");
  EXPECT_EQ(*d.field("analysis"), "retransmission");
  EXPECT_EQ(*d.field("seq"), "102");
  // The nested span "parse" at depth 1, 200..300 µs: x 400..450.
  const LayoutRow& thread = layout.rows()[3];
  float depth1 = view.top + thread.y + layout.metrics().thread_marks + layout.metrics().span_row * 1.5f;
  hit = frame.hit_test(425, depth1);
  ASSERT_EQ(hit.kind, ItemKind::Span);
  EXPECT_EQ(describe_item(model, hit, nullptr).title, "parse");
  // The exception instant at 800 µs is drawn over the whole lane.
  hit = frame.hit_test(700, view.top + thread.y + thread.height - 2);
  ASSERT_EQ(hit.kind, ItemKind::Instant);
  ItemDetails ex = describe_item(model, hit, nullptr);
  EXPECT_EQ(*ex.field("message"), "Invalid_argument(\"Lwt.wakeup_result\")");
  EXPECT_NE(ex.field("args")->find("Tcp.Pcb.close"), std::string::npos);
  ASSERT_TRUE(ex.field("stack"));
  EXPECT_EQ(*ex.field("stack"), "Tcp.Pcb.close\nLwt.wakeup_result") << "one frame per line";
  // A group header.
  hit = frame.hit_test(10, view.top + 5);
  EXPECT_EQ(hit.kind, ItemKind::Group);
  // The failed thread's exception text is drawn after its end.
  bool has_text = false;
  for (const DrawText& t : frame.texts) has_text |= t.text.find("Lwt.wakeup_result") != std::string::npos;
  EXPECT_TRUE(has_text);
  EXPECT_EQ(frame.ruler_lines, 1u) << "one flow arrow, then the ruler's lines";
}

TEST_F(UiTimelineTest, HideIdleFoldsRowsWithNothingInView) {
  TimelineLayout layout;
  LayoutOptions options;
  options.hide_idle = true;
  options.t0 = 1'000'000;  // connection 1's packets, main and the heap's second sample
  options.t1 = 1'950'000;
  layout.build(model, {}, LayoutMetrics{}, options);
  std::vector<RowKind> kinds;
  for (const LayoutRow& r : layout.rows()) kinds.push_back(r.kind);
  // Group 0 (its packets and reader end by 0.9 ms) is gone; group 1 keeps its
  // A-to-B lane only; group 2 keeps main and the heap.
  std::vector<RowKind> expected = {RowKind::GroupHeader, RowKind::Packets, RowKind::GroupHeader,
                                   RowKind::Thread, RowKind::Counter};
  EXPECT_EQ(kinds, expected);
  EXPECT_FALSE(layout.group_row(0));
  EXPECT_TRUE(layout.packet_row(1, 0));
  EXPECT_FALSE(layout.packet_row(1, 1));
  // The highlighted group stays, idle or not.
  options.keep_group = 0;
  layout.build(model, {}, LayoutMetrics{}, options);
  EXPECT_TRUE(layout.group_row(0));
}

TEST_F(UiTimelineTest, ExceptionTextOnlyWhileTheFailureIsInView) {
  TimelineLayout layout;
  layout.build(model, {});
  FrameView view;
  view.left = 300;
  view.width = 1000;
  view.top = 30;
  view.height = 1000;
  FrameHighlights hl;
  const ThreadLane& reader = model.threads()[model.groups()[0].threads[0]];
  auto drawn = [](const TimelineFrame& f) {
    for (const DrawText& t : f.texts)
      if (t.text.find("Lwt.wakeup_result") != std::string::npos) return true;
    return false;
  };
  view.window.set(0, 2'000'000);  // the failure at 0.8 ms is in view
  TimelineFrame frame = build_timeline_frame(model, layout, view, hl);
  ASSERT_EQ(frame.exception_labels.size(), 1u);
  EXPECT_EQ(frame.exception_labels[0].thread, reader.id);
  EXPECT_EQ(frame.exception_labels[0].t_ns, 800'000);
  EXPECT_TRUE(drawn(frame));
  view.window.set(1'000'000, 2'000'000);  // after it: no text, an edge indicator
  frame = build_timeline_frame(model, layout, view, hl);
  EXPECT_TRUE(frame.exception_labels.empty());
  EXPECT_FALSE(drawn(frame));
  EXPECT_EQ(frame.edge_indicators, 1);
}

TEST_F(UiTimelineTest, PeriodTooltipSaysWhatAndHowLong) {
  ItemDetails d = describe_item(model, {ItemKind::Period, uint32_t(PeriodKind::Gc), 0, 1}, nullptr);
  EXPECT_EQ(d.title, "GC 100 \xc2\xb5s");
}

TEST_F(UiTimelineTest, FindingsComeInTimeOrderAndWrap) {
  FindingMarks f;
  f.build(model);
  ASSERT_EQ(f.marks().size(), 2u) << "the retransmission and the exception";
  EXPECT_EQ(f.marks()[0].kind, MarkKind::Retransmission);
  EXPECT_EQ(f.marks()[1].kind, MarkKind::Exception);
  EXPECT_EQ(f.next(-1, 0), 0);
  EXPECT_EQ(f.next(0, 0), 1);
  EXPECT_EQ(f.next(1, 0), 0) << "wraps";
  EXPECT_EQ(f.previous(-1, 1e12), 1);
  EXPECT_EQ(f.previous(0, 0), 1);
  EXPECT_EQ(f.next(-1, 300'000), 1) << "after the time in view";
  EXPECT_EQ(f.find(f.marks()[1].item), 1);
  auto counts = f.count_by_kind(0, 500'000);
  EXPECT_EQ(counts[size_t(MarkKind::Retransmission)], 1);
  EXPECT_EQ(counts[size_t(MarkKind::Exception)], 0);
}

TEST_F(UiTimelineTest, SearchFindsNamesLabelsAndArgs) {
  SearchIndex s;
  s.run(model, "READ");
  // The thread "reader" and the span "tcp.read".
  ASSERT_EQ(s.hits().size(), 2u);
  s.run(model, "1460");  // only in the span's args
  ASSERT_EQ(s.hits().size(), 1u);
  EXPECT_EQ(s.hits()[0].item.kind, ItemKind::Span);
  EXPECT_TRUE(s.item_matches(model, s.hits()[0].item));
  s.run(model, "boot");
  ASSERT_EQ(s.hits().size(), 1u);
  EXPECT_EQ(s.hits()[0].item.kind, ItemKind::Instant);
  EXPECT_EQ(s.next_after(0, -1), 0);
  // A current match left from a query with more hits is not an index here.
  EXPECT_EQ(s.previous_before(0, 5), s.previous_before(0, -1));
  EXPECT_EQ(s.next_after(0, 5), s.next_after(0, -1));
  s.run(model, "no such thing");
  EXPECT_TRUE(s.hits().empty());
}

TEST_F(UiTimelineTest, ConnectionRowsSortAndFilter) {
  auto rows = connection_rows(model, "", ConnectionColumn::Retransmissions, true);
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(model.connections()[rows[0]].id, conn_ids[0]);
  rows = connection_rows(model, "", ConnectionColumn::Retransmissions, false);
  EXPECT_EQ(model.connections()[rows[0]].id, conn_ids[1]);
  rows = connection_rows(model, "10.0.0.3", ConnectionColumn::Endpoints, false);
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(model.connections()[rows[0]].id, conn_ids[1]);
  EXPECT_EQ(connection_rows(model, "RESET", ConnectionColumn::State, false).size(), 1u);
}

TEST_F(UiTimelineTest, ThreadDetailsShowLineage) {
  uint32_t reader = model.groups()[0].threads[0];
  ItemDetails d = describe_item(model, {ItemKind::Thread, reader, 0}, nullptr);
  ASSERT_TRUE(d.field("lineage"));
  EXPECT_NE(d.field("lineage")->find("main"), std::string::npos);
  EXPECT_TRUE(d.field("failed"));
}

// A connection with 150 threads alive at once (each reading the one before:
// 149 flows) and two threads on no connection: highlighted and fitted to a
// 500 px rows area, its packed rows become thin lines that all fit, with
// arrows on them and no names but the selected thread's.
class UiFittedGroupTest : public ProfileTest {
 protected:
  static constexpr int kThreads = 150;
  void SetUp() override {
    ProfileTest::SetUp();
    TraceWriter w(db());
    SourceRow source{0, "t", "test", "hash-fit", 1};
    w.begin_source(source);
    ConnectionRow c;
    c.source_id = source.id;
    c.first_ns = kTimelineBase;
    c.last_ns = kTimelineBase + 2'000'000;
    c.state = "closed";
    w.insert_connection(c);
    int64_t previous = 0;
    for (int i = 0; i < kThreads; ++i) {
      ThreadRow t;
      t.source_id = source.id;
      t.ext_id = std::to_string(i);
      t.name = w.intern("worker " + std::to_string(i));
      t.start_ns = kTimelineBase + i * 1'000;
      t.end_ns = kTimelineBase + 1'000'000 + i * 1'000;
      t.connection_id = c.id;
      t.failed = i == 7;
      if (t.failed) t.exception = w.intern("Failure(\"seven\")");
      w.insert_thread(t);
      if (previous) w.insert_flow({"read", t.id, *t.start_ns, previous, *t.start_ns + 500, std::nullopt});
      previous = t.id;
    }
    for (int i = 0; i < 2; ++i) {
      ThreadRow t;
      t.source_id = source.id;
      t.ext_id = "idle-" + std::to_string(i);
      t.name = w.intern("idle loop");
      t.start_ns = kTimelineBase;
      t.end_ns = kTimelineBase + 2'000'000;
      w.insert_thread(t);
    }
    w.commit_source(source);
    model = ProfileModel::load(db());
  }
  LayoutOptions fitted(float height) const {
    LayoutOptions o;
    o.keep_group = 0;
    o.fit_height = height;
    return o;
  }
  ProfileModel model;
};

TEST_F(UiFittedGroupTest, HighlightedGroupThatDoesNotFitGetsThinRowsThatFit) {
  ASSERT_EQ(model.groups().size(), 2u);
  TimelineLayout layout;
  layout.build(model, {}, LayoutMetrics{}, fitted(500));
  ASSERT_EQ(layout.group_thread_rows(0), size_t(kThreads)) << "all alive at once: a row each";
  ASSERT_EQ(layout.thin_group(), 0u);
  // (500 - 24 px header) / 150 rows, rounded down to whole pixels.
  EXPECT_EQ(layout.thin_row_height(), 3.0f);
  auto extent = layout.group_extent(0);
  ASSERT_TRUE(extent);
  EXPECT_LE(extent->second - extent->first, 500.0f);
  EXPECT_EQ(extent->second - extent->first, 24.0f + 3.0f * kThreads);
  size_t thin = 0;
  float y = 0;
  for (const LayoutRow& r : layout.rows()) {
    EXPECT_GE(r.y, y) << "rows do not overlap";
    y = r.y + r.height;
    if (r.kind != RowKind::Thread) continue;
    if (r.group == 0) {
      EXPECT_EQ(r.height, 3.0f);
      ++thin;
    } else {
      EXPECT_EQ(r.height, layout.metrics().thread_dense) << "the other group keeps its rows";
    }
  }
  EXPECT_EQ(thin, size_t(kThreads));
  // Every thread still has its row (arrows can reach it).
  for (uint32_t t : model.groups()[0].threads) EXPECT_TRUE(layout.thread_row(t));
}

TEST_F(UiFittedGroupTest, OnlyTheHighlightedGroupAndOnlyWhenItDoesNotFit) {
  TimelineLayout layout;
  LayoutOptions o = fitted(500);
  o.keep_group.reset();
  layout.build(model, {}, LayoutMetrics{}, o);
  EXPECT_FALSE(layout.thin_group()) << "nothing highlighted";
  layout.build(model, {}, LayoutMetrics{}, fitted(2000));
  EXPECT_FALSE(layout.thin_group()) << "24 + 150 x 8 px fits in 2000";
  layout.build(model, {}, LayoutMetrics{}, fitted(0));
  EXPECT_FALSE(layout.thin_group()) << "no height: no fitting";
  // Too small to fit: the thinnest lines, 2 px (1 px line, 1 px gap).
  layout.build(model, {}, LayoutMetrics{}, fitted(100));
  ASSERT_EQ(layout.thin_group(), 0u);
  EXPECT_EQ(layout.thin_row_height(), layout.metrics().thread_thin_min);
  // Folded, it is one header: nothing to fit.
  layout.build(model, {true, false}, LayoutMetrics{}, fitted(500));
  EXPECT_FALSE(layout.thin_group());
}

TEST_F(UiFittedGroupTest, ThinRowsDrawLinesArrowsAndOnlyTheSelectedName) {
  TimelineLayout layout;
  layout.build(model, {}, LayoutMetrics{}, fitted(500));
  FrameView view;
  view.window.set(0, 2'000'000);
  view.left = 300;
  view.width = 1000;  // 2000 ns per pixel
  view.top = 30;
  view.height = 500;
  FrameHighlights hl;
  hl.selected_group = 0;
  uint32_t chosen = model.groups()[0].threads[40];
  hl.selected = {ItemKind::Thread, chosen, 0};
  TimelineFrame frame = build_timeline_frame(model, layout, view, hl);
  size_t names = 0, selected_name = 0;
  for (const DrawText& t : frame.texts) {
    if (t.text.find("worker") == std::string::npos) continue;
    ++names;
    selected_name += t.text.find(thread_title(model, chosen)) != std::string::npos ? 1 : 0;
  }
  EXPECT_EQ(names, 1u) << "thin rows are named only at the selection";
  EXPECT_EQ(selected_name, 1u);
  EXPECT_EQ(frame.arrows, kThreads - 1) << "every flow between the fitted rows is drawn";
  // The middle of a thread's line hits it: thread 40 starts at 40 µs (x 320).
  const LayoutRow& row = layout.rows()[*layout.thread_row(chosen)];
  ItemRef hit = frame.hit_test(400, view.top + row.y + 1);
  ASSERT_EQ(hit.kind, ItemKind::Thread);
  EXPECT_EQ(hit.lane, chosen);
  // The failed thread's text is at its failure, in view.
  ASSERT_EQ(frame.exception_labels.size(), 1u);
  EXPECT_EQ(frame.exception_labels[0].t_ns, 1'000'000.0 + 7 * 1'000);
}

}  // namespace
}  // namespace lurk::test
