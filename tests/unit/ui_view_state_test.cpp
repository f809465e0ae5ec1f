// Links that hold the UI's view (core/view_state, core/view_selection,
// docs/sharing.md): the hash text round-trips every field, leaves out what
// equals the opening view, reads what it can of a damaged or newer link and
// names the rest; history entries are made for chosen views only; and on a
// profile of real data (two lab captures, the loopback capture and its
// JSONL trace) every kind of item a user can select is named by stable ids
// and found again, while names that no longer apply say why.
#include <gtest/gtest.h>

#include <string>

#include "capture_builder.h"
#include "core/connection_rows.h"
#include "core/profile_model.h"
#include "core/view_selection.h"
#include "core/view_state.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;

ViewState busy_view() {
  ViewState v;
  v.window = std::make_pair(1234.5, 987654321.25);
  v.selection = "sp.3.12";
  v.finding_rank = 4;
  v.finding_kind = "rst-established";
  v.findings_shown = true;
  v.table_shown = false;
  v.table_filter = "10.0.0.1 & :80";
  v.table_sort = "dup-acks";
  v.table_descending = true;
  v.scroll_y = 412;
  v.clock_by_hand = {{2, 1500000000}, {5, -20}};
  v.search = "tcp send #2 100%";
  v.fold = {"7", "none"};
  v.packed = false;
  v.hide_idle = false;
  v.help = true;
  v.theme = "light";
  return v;
}

TEST(UiViewState, EveryFieldRoundTripsThroughTheHash) {
  ViewState v = busy_view();
  std::string hash = view_to_hash(v, ViewState{});
  ParsedView back = view_from_hash("#" + hash, ViewState{});
  EXPECT_TRUE(back.problems.empty()) << back.problems.front();
  EXPECT_EQ(back.state, v) << hash;
  // Text is percent-encoded: '&', '#', '%' and spaces cannot break the hash apart.
  EXPECT_EQ(hash.find(' '), std::string::npos);
  EXPECT_NE(hash.find("q=tcp%20send%20%232%20100%25"), std::string::npos) << hash;
  EXPECT_NE(hash.find("cfilter=10.0.0.1%20%26%20:80"), std::string::npos) << hash;
}

TEST(UiViewState, SortScrollAndClocksAreWrittenShort) {
  ViewState v;
  v.table_sort = "bytes";
  v.table_descending = true;
  v.scroll_y = 96;
  v.clock_by_hand = {{3, -2500000}, {7, 40}};
  std::string hash = view_to_hash(v, ViewState{});
  EXPECT_EQ(hash, "v=1&csort=-bytes&y=96&clock=3:-2500000,7:40");
  EXPECT_EQ(view_from_hash(hash, ViewState{}).state, v);
  // Scrolling only replaces the history entry; sorting and moving a clock are chosen.
  ViewState scrolled;
  scrolled.scroll_y = 300;
  EXPECT_FALSE(is_chosen_change(ViewState{}, scrolled));
  EXPECT_TRUE(is_chosen_change(ViewState{}, v));
  ParsedView bad = view_from_hash("csort=Bytes!&y=-4&clock=3:x", ViewState{});
  EXPECT_EQ(bad.problems.size(), 3u);
  EXPECT_EQ(bad.state, ViewState{});
}

TEST(UiViewState, EveryTableColumnHasALinkKey) {
  for (int c = 0; c < int(ConnectionColumn::Count); ++c) {
    std::string key = connection_column_key(ConnectionColumn(c));
    EXPECT_EQ(key.find_first_not_of("abcdefghijklmnopqrstuvwxyz-"), std::string::npos) << key;
    EXPECT_EQ(connection_column_of_key(key), ConnectionColumn(c)) << key;
  }
  EXPECT_EQ(connection_column_key(ConnectionColumn::DupAcks), "dup-acks");
  EXPECT_FALSE(connection_column_of_key("dup ACKs"));
}

TEST(UiViewState, FoldAllButAFewRoundTrips) {
  ViewState v;
  v.fold_all = true;
  v.fold = {"12", "40"};
  std::string hash = view_to_hash(v, ViewState{});
  EXPECT_NE(hash.find("fold=all&open=12,40"), std::string::npos) << hash;
  EXPECT_EQ(view_from_hash(hash, ViewState{}).state, v);
}

TEST(UiViewState, WhatEqualsTheOpeningViewIsLeftOut) {
  ViewState opening;
  opening.window = std::make_pair(-50.0, 1050.0);
  opening.findings_shown = true;
  EXPECT_EQ(view_to_hash(opening, opening), "v=1");
  ViewState moved = opening;
  moved.window = std::make_pair(100.0, 200.0);
  EXPECT_EQ(view_to_hash(moved, opening), "v=1&t=100,200");
  // Read back against the same opening view, the missing keys are the opening's.
  EXPECT_EQ(view_from_hash("v=1&t=100,200", opening).state, moved);
  EXPECT_EQ(view_from_hash("", opening).state, opening);
}

TEST(UiViewState, DamagedKeysAreNamedAndTheRestApplies) {
  ParsedView p = view_from_hash("v=1&t=500,100&sel=p.2.9&finding=x&zoom=3&theme=pink&packed=2",
                                ViewState{});
  EXPECT_EQ(p.state.selection, "p.2.9");
  EXPECT_FALSE(p.state.window);
  EXPECT_EQ(p.state.finding_rank, 0);
  EXPECT_EQ(p.state.theme, "dark");
  EXPECT_TRUE(p.state.packed);
  ASSERT_EQ(p.problems.size(), 5u);
  std::string all;
  for (const std::string& s : p.problems) all += s + "\n";
  EXPECT_NE(all.find("'t=500,100' is not two increasing numbers"), std::string::npos) << all;
  EXPECT_NE(all.find("'finding=x'"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown key 'zoom'"), std::string::npos) << all;
  EXPECT_NE(all.find("unknown theme 'pink'"), std::string::npos) << all;
  EXPECT_NE(all.find("'packed=2' is not 0 or 1"), std::string::npos) << all;
}

TEST(UiViewState, ALinkFromANewerLurkSaysSoAndOpensWhatItReads) {
  ParsedView p = view_from_hash("v=2&t=10,20&lens=flame", ViewState{});
  EXPECT_EQ(p.version, 2);
  ASSERT_TRUE(p.state.window);
  EXPECT_EQ(p.state.window->second, 20);
  ASSERT_EQ(p.problems.size(), 2u);
  EXPECT_EQ(p.problems[0], "the link is from a newer lurk (view version 2, this lurk reads 1)");
}

TEST(UiViewState, WindowsKeepTheirExactValue) {
  ViewState v;
  v.window = std::make_pair(0.1 + 0.2, 1e18 / 3);
  EXPECT_EQ(view_from_hash(view_to_hash(v, ViewState{}), ViewState{}).state.window, v.window);
}

TEST(UiViewState, OnlyChosenViewsMakeHistoryEntries) {
  ViewState a = busy_view();
  ViewState b = a;
  b.window = std::make_pair(1.0, 2.0);  // dragged, wheel-zoomed
  b.search = "tcp";                     // typing
  b.table_filter = "10.";
  EXPECT_FALSE(is_chosen_change(a, b));
  for (auto change : {+[](ViewState& v) { v.selection = "th.1"; }, +[](ViewState& v) { v.finding_rank = 1; },
                      +[](ViewState& v) { v.fold.clear(); }, +[](ViewState& v) { v.findings_shown = false; },
                      +[](ViewState& v) { v.finding_kind = ""; }, +[](ViewState& v) { v.theme = "dark"; },
                      +[](ViewState& v) { v.help = false; }, +[](ViewState& v) { v.table_shown = true; }}) {
    ViewState c = a;
    change(c);
    EXPECT_TRUE(is_chosen_change(a, c));
  }
}

TEST(UiViewState, PercentCodingRoundTripsAnyByte) {
  std::string all;
  for (int c = 1; c < 256; ++c) all += char(c);
  EXPECT_EQ(percent_decode(percent_encode(all)), all);
  EXPECT_EQ(percent_decode("a%2"), "a%2");  // a cut-off escape stays as it is
}

// A profile of real data with connections, threads, spans, instants.
class UiViewSelection : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    std::string src = LURK_SOURCE_DIR;
    for (const char* file : {"tests/data/netlab-reset-v4.pcap", "tests/data/netlab-zerowin-v4.pcap",
                             "samples/loopback-http.pcap", "tests/data/jsonl/loopback-http.jsonl"}) {
      std::string path = src + "/" + file;
      ingest(path.substr(path.rfind('/') + 1), read_binary_file(path));
    }
    model = ProfileModel::load(db());
  }
  ProfileModel model;
};

TEST_F(UiViewSelection, EveryKindOfItemIsFoundAgainByItsName) {
  std::vector<ItemRef> items;
  for (uint32_t g = 0; g < model.groups().size(); ++g) items.push_back({ItemKind::Group, g, 0});
  for (uint32_t c = 0; c < model.connections().size(); ++c)
    for (uint32_t dir = 0; dir < 2; ++dir)
      if (!model.connections()[c].lanes[dir].empty()) {
        uint32_t last = uint32_t(model.connections()[c].lanes[dir].size() - 1);
        items.push_back({ItemKind::Packet, c * 2 + dir, last});
      }
  size_t spans = 0, instants = 0;
  for (uint32_t t = 0; t < model.threads().size(); ++t) {
    const ThreadLane& lane = model.threads()[t];
    items.push_back({ItemKind::Thread, t, 0});
    if (!lane.spans.empty()) items.push_back({ItemKind::Span, t, uint32_t(lane.spans.size() - 1)}), ++spans;
    if (!lane.running.empty()) items.push_back({ItemKind::Running, t, 0});
    if (!lane.instants.empty()) items.push_back({ItemKind::Instant, t, uint32_t(lane.instants.size() - 1)}), ++instants;
  }
  ASSERT_GT(spans, 0u);
  ASSERT_GT(instants, 0u);
  ASSERT_GT(model.connections().size(), 3u);
  for (const ItemRef& item : items) {
    std::string token = selection_token(model, item);
    ResolvedSelection back = resolve_selection(model, token);
    EXPECT_TRUE(back.problem.empty()) << token << ": " << back.problem;
    EXPECT_EQ(back.item, item) << token;
    EXPECT_EQ(back.item.kind, item.kind) << token;
  }
}

TEST_F(UiViewSelection, ABlockIsNamedByItsFirstItem) {
  ItemRef block{ItemKind::PacketBlock, 0, 0, 5};
  ResolvedSelection back = resolve_selection(model, selection_token(model, block));
  EXPECT_EQ(back.item.kind, ItemKind::Packet);
  EXPECT_EQ(back.item.lane, 0u);
  EXPECT_EQ(back.item.index, 0u);
}

TEST_F(UiViewSelection, NamesThatNoLongerApplySayWhy) {
  const ThreadLane& thread = model.threads().front();
  std::string past = "sp." + std::to_string(thread.id) + "." + std::to_string(thread.spans.size() + 10);
  EXPECT_EQ(resolve_selection(model, past).problem,
            "the selected span (" + std::to_string(thread.spans.size() + 10) + ") is past the end of thread " +
                std::to_string(thread.id) + " (" + std::to_string(thread.spans.size()) + ")");
  EXPECT_EQ(resolve_selection(model, "g.999999").problem, "connection 999999 is not in this profile");
  EXPECT_EQ(resolve_selection(model, "p.999999.1").problem,
            "connection 999999 of the selected packet is not in this profile");
  std::string conn = std::to_string(model.connections().front().id);
  EXPECT_EQ(resolve_selection(model, "p." + conn + ".4000000").problem,
            "frame 4000000 is not a packet of connection " + conn);
  EXPECT_EQ(resolve_selection(model, "th.424242").problem, "thread 424242 is not in this profile");
  EXPECT_EQ(resolve_selection(model, "zz.1").problem, "the selection 'zz.1' is not one this lurk knows");
  EXPECT_EQ(resolve_selection(model, "sp.x.1").problem, "the selected span's name is not readable");
  for (const char* token : {"g.999999", "p.999999.1", "th.424242", "zz.1"})
    EXPECT_FALSE(resolve_selection(model, token).item) << token;
  EXPECT_TRUE(resolve_selection(model, "").problem.empty());
}

TEST_F(UiViewSelection, GroupKeysAreConnectionIdsOrNone) {
  bool saw_none = false;
  for (uint32_t g = 0; g < model.groups().size(); ++g) {
    std::string key = group_key(model, g);
    saw_none = saw_none || key == "none";
    EXPECT_EQ(group_of_key(model, key), std::optional<uint32_t>(g)) << key;
  }
  EXPECT_FALSE(group_of_key(model, "999999"));
  EXPECT_FALSE(group_of_key(model, "-1"));
  (void)saw_none;  // whether the trace has threads on no connection depends on the joiner
}

}  // namespace
}  // namespace lurk::test
