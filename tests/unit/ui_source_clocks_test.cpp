// Sources on clocks of their own in the UI model (wasm-ui/core/source_clocks,
// docs/ui.md "Clocks"): the real MirageOS trace next to a capture of another
// run keeps its clock (the collector could not align it), so the model draws
// it moved to start with the capture instead of 55 years away; a display
// offset by hand moves it where the user says; a trace the collector aligned
// is drawn where its times are.
#include <gtest/gtest.h>

#include "capture_builder.h"
#include "core/profile_model.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;

class UiSourceClocksTest : public ProfileTest {
 protected:
  void ingest_apart() {
    std::string src = LURK_SOURCE_DIR;
    ingest("net.ctf", read_binary_file(src + "/../shared/samples/net.ctf"));
    ingest("loopback-http.pcap", read_binary_file(src + "/samples/loopback-http.pcap"));
  }
  const SourceClock& source(const ProfileModel& m, const std::string& format) {
    for (const SourceClock& s : m.sources())
      if (s.format == format) return s;
    throw std::runtime_error("no " + format + " source");
  }
};

TEST_F(UiSourceClocksTest, UnalignedTraceStartsWithTheCapture) {
  ingest_apart();
  ProfileModel m = ProfileModel::load(db());
  const SourceClock& ctf = source(m, "ctf");
  const SourceClock& pcap = source(m, "pcap");
  EXPECT_EQ(ctf.how, "not-aligned");
  EXPECT_TRUE(ctf.own_axis);
  EXPECT_FALSE(pcap.own_axis);
  EXPECT_EQ(ctf.first_ns + ctf.display_shift_ns, pcap.first_ns);
  EXPECT_EQ(m.origin_ns(), pcap.first_ns);
  // The whole profile spans the longer of the two, not decades.
  int64_t longest = std::max(ctf.last_ns - ctf.first_ns, pcap.last_ns - pcap.first_ns);
  EXPECT_EQ(m.duration_ns(), longest);
  // Every thread of the trace lies inside the axis.
  int64_t threads = 0;
  for (const ThreadLane& t : m.threads()) {
    EXPECT_GE(t.start_ns, 0);
    EXPECT_LE(t.end_ns, m.duration_ns());
    for (const SpanRecord& s : t.running) EXPECT_LE(s.t1_ns, m.duration_ns());
    ++threads;
  }
  EXPECT_EQ(threads, count("SELECT count(*) FROM threads"));
  for (const ConnectionLanes& c : m.connections()) EXPECT_LE(c.last_ns, m.duration_ns());
}

TEST_F(UiSourceClocksTest, DisplayOffsetByHand) {
  ingest_apart();
  int64_t ctf_id = count("SELECT id FROM sources WHERE format = 'ctf'");
  ProfileModel moved = ProfileModel::load(db());
  const SourceClock& pcap = source(moved, "pcap");
  // Start the trace 2 s after the capture's first frame.
  int64_t shift = pcap.first_ns + 2'000'000'000 - source(moved, "ctf").first_ns;
  ProfileModel m = ProfileModel::load(db(), {{ctf_id, shift}});
  EXPECT_TRUE(source(m, "ctf").by_hand);
  EXPECT_EQ(source(m, "ctf").display_shift_ns, shift);
  int64_t first_thread = INT64_MAX;
  for (const ThreadLane& t : m.threads())
    if (t.start_known) first_thread = std::min(first_thread, t.start_ns);
  EXPECT_EQ(first_thread, 2'000'000'000 + (count("SELECT min(start_ns) FROM threads") -
                                           source(m, "ctf").first_ns));
}

TEST_F(UiSourceClocksTest, AlignedOrUnixSourcesAreNotMoved) {
  std::string src = LURK_SOURCE_DIR;
  ingest("loopback-http.pcap", read_binary_file(src + "/samples/loopback-http.pcap"));
  ingest("loopback-http.jsonl", read_binary_file(src + "/tests/data/jsonl/loopback-http.jsonl"));
  ProfileModel m = ProfileModel::load(db());
  for (const SourceClock& s : m.sources()) {
    EXPECT_FALSE(s.own_axis) << s.path;
    EXPECT_EQ(s.display_shift_ns, 0) << s.path;
  }
  EXPECT_EQ(m.origin_ns(), count("SELECT min(t) FROM (SELECT min(first_ns) AS t FROM connections "
                                 "UNION ALL SELECT min(start_ns) FROM threads UNION ALL "
                                 "SELECT min(ts_ns) FROM instants UNION ALL SELECT min(ts_ns) "
                                 "FROM counters)"));
}

}  // namespace
}  // namespace lurk::test
