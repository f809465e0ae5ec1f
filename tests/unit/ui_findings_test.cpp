// The UI's ranked findings (core/finding_list, findings_view, finding_target)
// and the time-ordered walk of flagged marks (core/finding_marks): on a
// profile of real data in the tree (two lab captures, the loopback capture
// and its JSONL trace, which has an uncaught exception), the list equals what
// `lurk findings --format json` prints, each finding leads to the packet,
// thread or range it names, the view steps and filters in rank order, and
// the mark walk stays within a group when asked to.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <cstdio>
#include <map>
#include <set>
#include <string>

#include "capture_builder.h"
#include "core/finding_list.h"
#include "core/finding_marks.h"
#include "core/finding_target.h"
#include "core/findings_view.h"
#include "core/item_details.h"
#include "core/profile_model.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;
// lurk::FindingRow (the collector's) is also in scope in a unity build.
using ui::FindingRow;

FindingRow row(const std::string& kind, const std::string& title) {
  FindingRow r;
  r.kind = kind;
  r.title = title;
  return r;
}

// Five rows, ranked, of three kinds.
FindingList five_rows() {
  return FindingList::from_rows({row("exception", "e1"), row("rst-established", "r1"),
                                 row("exception", "e2"), row("spurious-retransmission", "s1"),
                                 row("rst-established", "r2")});
}

TEST(UiFindingsView, CountsKindsInRankOrderWithTheirTimelineColours) {
  FindingList list = five_rows();
  ASSERT_EQ(list.kinds().size(), 3u);
  EXPECT_EQ(list.kinds()[0].kind, "exception");
  EXPECT_EQ(list.kinds()[0].count, 2);
  EXPECT_EQ(list.kinds()[0].mark, MarkKind::Exception);
  EXPECT_EQ(list.kinds()[1].kind, "rst-established");
  EXPECT_EQ(list.kinds()[1].count, 2);
  EXPECT_EQ(list.kinds()[1].mark, MarkKind::Reset);
  EXPECT_EQ(list.kinds()[2].mark, MarkKind::Spurious);
  EXPECT_EQ(finding_mark_kind("zero-window-stall"), MarkKind::ZeroWindow);
  EXPECT_EQ(finding_mark_kind("rto-stall"), MarkKind::Retransmission);
  EXPECT_EQ(finding_mark_kind("dup-ack-after-fin"), MarkKind::DuplicateAck);
  EXPECT_EQ(finding_mark_kind("dup-ack-run-no-fast-retransmission"), MarkKind::DuplicateAck);
  EXPECT_EQ(finding_mark_kind("connection-end-exception"), MarkKind::Exception);
  EXPECT_EQ(finding_mark_kind("a-kind-from-the-future"), MarkKind::Normal);
}

TEST(UiFindingsView, StepsInRankOrderAndWraps) {
  FindingList list = five_rows();
  FindingsView view;
  view.reset(list);
  EXPECT_TRUE(view.shown());
  EXPECT_EQ(view.current(), -1);
  EXPECT_EQ(view.step(true), 0);
  EXPECT_EQ(view.step(true), 1);
  EXPECT_EQ(view.step(false), 0);
  EXPECT_EQ(view.step(false), 4);  // wraps to the last
  EXPECT_EQ(view.step(true), 0);
  view.reset(list);
  EXPECT_EQ(view.step(false), 4);  // N from nothing: the last
}

TEST(UiFindingsView, FilterKeepsOneKindAndStepsWithinIt) {
  FindingList list = five_rows();
  FindingsView view;
  view.reset(list);
  view.set_current(3);  // the spurious retransmission
  view.set_filter(list, "rst-established");
  EXPECT_EQ(view.visible(), (std::vector<uint32_t>{1, 4}));
  EXPECT_EQ(view.current_position(), -1);  // filtered out
  EXPECT_EQ(view.step(true), 4);           // the next rst ranked after it
  EXPECT_EQ(view.current_position(), 1);
  EXPECT_EQ(view.step(true), 1);           // wraps within the kind
  view.set_current(3);
  EXPECT_EQ(view.step(false), 1);          // the previous rst ranked before it
  view.set_filter(list, "");
  EXPECT_EQ(view.visible().size(), 5u);
  EXPECT_EQ(view.current_position(), 1);
  view.set_filter(list, "no-such-kind");
  EXPECT_EQ(view.step(true), -1);
}

TEST(UiFindingsView, AnEmptyListIsHidden) {
  FindingList list = FindingList::from_rows({});
  FindingsView view;
  view.reset(list);
  EXPECT_FALSE(view.shown());
  EXPECT_EQ(view.step(true), -1);
  view.toggle();
  EXPECT_TRUE(view.shown());
}

// A profile of real data with several kinds of findings.
class UiFindingsRealData : public ProfileTest {
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
    list = FindingList::load(db());
  }

  // What the CLI prints for this profile.
  nlohmann::json cli_findings() {
    std::string command = std::string(LURK_LURK_BIN) + " findings " + profile_path_ +
                          " --format json 2>/dev/null";
    FILE* pipe = popen(command.c_str(), "r");
    std::string out;
    char buf[4096];
    while (size_t n = fread(buf, 1, sizeof buf, pipe)) out.append(buf, n);
    EXPECT_EQ(pclose(pipe), 0) << command;
    return nlohmann::json::parse(out);
  }

  ProfileModel model;
  FindingList list;
};

template <typename T>
nlohmann::json or_null(const std::optional<T>& v) {
  return v ? nlohmann::json(*v) : nlohmann::json(nullptr);
}

TEST_F(UiFindingsRealData, TheListIsWhatLurkFindingsPrints) {
  nlohmann::json cli = cli_findings();
  ASSERT_EQ(list.size(), cli.size());
  std::set<std::string> kinds;
  for (size_t i = 0; i < list.size(); ++i) {
    const FindingRow& r = list.rows()[i];
    const nlohmann::json& c = cli[i];
    EXPECT_EQ(r.id, c["id"].get<int64_t>()) << "rank " << i + 1;
    EXPECT_EQ(r.kind, c["kind"].get<std::string>());
    EXPECT_EQ(r.severity, c["severity"].get<int64_t>());
    EXPECT_EQ(r.title, c["title"].get<std::string>());
    EXPECT_EQ(r.detail, c["detail"].is_null() ? "" : c["detail"].get<std::string>());
    EXPECT_EQ(or_null(r.connection_id), c["connection_id"]);
    EXPECT_EQ(or_null(r.thread_id), c["thread_id"]);
    EXPECT_EQ(or_null(r.ts_ns), c["ts_ns"]);
    EXPECT_EQ(or_null(r.duration_ns), c["duration_ns"]);
    kinds.insert(r.kind);
  }
  // The data has the kinds the panel's colours are about.
  for (const char* k : {"exception", "rst-established", "zero-window-stall", "spurious-retransmission"})
    EXPECT_TRUE(kinds.count(k)) << "no " << k << " finding in the test profile";
}

TEST_F(UiFindingsRealData, EachFindingLeadsToWhatItNames) {
  int packets = 0, stalls = 0, exceptions = 0, exception_instants = 0;
  for (const FindingRow& f : list.rows()) {
    SCOPED_TRACE(f.kind + ": " + f.title);
    FindingTarget target = finding_target(model, f);
    ASSERT_TRUE(target.has_window);
    ASSERT_TRUE(f.ts_ns.has_value());
    double ts = double(*f.ts_ns - model.origin_ns());
    double end = ts + double(f.duration_ns.value_or(0));
    EXPECT_LE(target.t0_ns, ts);
    EXPECT_GE(target.t1_ns, end);
    if (f.thread_id && (f.kind == "exception" || f.kind == "connection-end-exception")) {
      ASSERT_TRUE(target.item.kind == ItemKind::Instant || target.item.kind == ItemKind::Thread);
      const ThreadLane& t = model.threads()[target.item.lane];
      EXPECT_EQ(t.id, *f.thread_id);
      if (target.item.kind == ItemKind::Instant) {
        // The exception itself: at the finding's time, or the last one before
        // the end of the thread it killed.
        EXPECT_EQ(t.instants[target.item.index].kind, InstantKind::Exception);
        EXPECT_LE(item_time(model, target.item), ts);
        EXPECT_GE(item_time(model, target.item), double(t.start_ns));
        for (size_t i = target.item.index + 1; i < t.instants.size(); ++i)
          EXPECT_FALSE(t.instants[i].kind == InstantKind::Exception && double(t.instants[i].t_ns) <= ts);
        ++exception_instants;
      } else {
        EXPECT_EQ(item_time(model, target.item), ts);  // a failed thread ends at the finding
      }
      ++exceptions;
    } else if (f.connection_id) {
      ASSERT_EQ(target.item.kind, ItemKind::Packet);
      const ConnectionLanes& c = model.connections()[target.item.lane / 2];
      const PacketMark& p = c.lanes[target.item.lane % 2][target.item.index];
      int32_t named = model.connection_index(*f.connection_id);
      EXPECT_TRUE(c.id == *f.connection_id || int32_t(target.item.lane / 2) ==
                  model.connections()[size_t(named)].same_as);
      EXPECT_EQ(double(p.t_ns), ts);  // the packet at the finding's time
      MarkKind kind = mark_kind(p.analysis, p.tcp_flags);
      if (f.kind == "rst-established") {
        EXPECT_EQ(kind, MarkKind::Reset);
      }
      if (f.kind == "spurious-retransmission") {
        EXPECT_EQ(kind, MarkKind::Spurious);
      }
      if (f.duration_ns && *f.duration_ns > 0) {
        // A stall is fitted: its range and a margin, not much more.
        double d = double(*f.duration_ns);
        EXPECT_LE(target.t1_ns - target.t0_ns, d * (1 + 2 * kFindingMargin) + kPointWindowMinNs);
        ++stalls;
      } else {
        EXPECT_LE(target.t1_ns - target.t0_ns, kPointWindowMaxNs);
        ++packets;
      }
    }
  }
  EXPECT_GT(packets, 0);
  EXPECT_GT(stalls, 0);
  EXPECT_GT(exceptions, 0);
  EXPECT_GT(exception_instants, 0);  // the JSONL trace's uncaught exception is an instant
}

TEST_F(UiFindingsRealData, TheMarkWalkStaysInTheSelectedGroup) {
  FindingMarks marks;
  marks.build(model);
  ASSERT_GT(marks.marks().size(), 10u);
  // The group with the most marks, and one other with marks.
  std::map<uint32_t, int> per_group;
  for (const FindingMark& m : marks.marks()) ++per_group[m.group];
  ASSERT_GE(per_group.size(), 2u);
  uint32_t group = per_group.begin()->first;
  for (auto [g, n] : per_group)
    if (n > per_group[group]) group = g;
  int64_t i = marks.next(-1, -1.0, int32_t(group));
  ASSERT_GE(i, 0);
  int64_t first = i;
  int steps = 0;
  do {
    EXPECT_EQ(marks.marks()[size_t(i)].group, group);
    int64_t next = marks.next(i, 0, int32_t(group));
    if (next != first) {
      EXPECT_GE(marks.marks()[size_t(next)].t_ns, marks.marks()[size_t(i)].t_ns);
    }
    EXPECT_EQ(marks.previous(next, 0, int32_t(group)), i);
    i = next;
    ++steps;
  } while (i != first && steps < 100000);
  EXPECT_EQ(steps, per_group[group]);  // every mark of the group, then back to the first
  // Unscoped: the next mark after a time is the first one later, whatever its group.
  const FindingMark& mid = marks.marks()[marks.marks().size() / 2];
  int64_t after = marks.next(-1, double(mid.t_ns));
  ASSERT_GE(after, 0);
  EXPECT_GT(marks.marks()[size_t(after)].t_ns, mid.t_ns);
  EXPECT_LE(marks.marks()[size_t(after) - 1].t_ns, mid.t_ns);
  // From a mark outside the scope, the walk starts from the time instead.
  for (size_t k = 0; k < marks.marks().size(); ++k) {
    if (marks.marks()[k].group == group) continue;
    int64_t j = marks.next(int64_t(k), double(marks.marks()[k].t_ns), int32_t(group));
    EXPECT_EQ(marks.marks()[size_t(j)].group, group);
    break;
  }
}

}  // namespace
}  // namespace lurk::test
