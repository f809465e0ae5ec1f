// The clock pass (docs/clocks.md) on hand-built inputs: a mirage-profile
// trace on its own monotonic clock aligned to a capture by its connect and
// close labels, ambiguous label evidence left alone, a trace in Unix time
// recognised as such, and an offset set by hand moving every time.
#include <gtest/gtest.h>

#include "capture_builder.h"
#include "ctf_trace_builder.h"
#include "join/clock_alignment.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

constexpr int64_t kMs = 1'000'000;
// Where the capture's clock is when the unikernel's reads 0.
constexpr int64_t kBoot = 1'795'624'220'000'000'000;

// A capture of one short connection per client port, its SYN at syn_ns and
// its client's FIN 40 ms later.
std::vector<PcapRecord> connection(uint16_t port, int64_t syn_ns) {
  auto frame = [&](bool client, uint32_t seq, uint32_t ack, uint8_t flags, int64_t at) {
    FrameSpec s = exchange_spec(client, seq, ack, flags);
    (client ? s.src_port : s.dst_port) = port;
    return PcapRecord{at, build_tcp_frame(s)};
  };
  return {frame(true, 1000, 0, 0x02, syn_ns), frame(false, 5000, 1001, 0x12, syn_ns + kMs),
          frame(true, 1001, 5001, 0x10, syn_ns + 2 * kMs),
          frame(true, 1001, 5001, 0x11, syn_ns + 40 * kMs),
          frame(false, 5001, 1002, 0x11, syn_ns + 41 * kMs)};
}

std::vector<uint8_t> capture_of(const std::vector<std::pair<uint16_t, int64_t>>& syns) {
  std::vector<PcapRecord> records;
  for (auto [port, at] : syns)
    for (PcapRecord& r : connection(port, at)) records.push_back(std::move(r));
  std::sort(records.begin(), records.end(),
            [](const PcapRecord& a, const PcapRecord& b) { return a.ts_ns < b.ts_ns; });
  return build_pcap(records, PcapOptions{.nanoseconds = true});
}

// A unikernel's trace: a "TCP connect" label at each time, "Close socket" 39.5 ms later.
std::vector<uint8_t> trace_of(const std::vector<int64_t>& connects) {
  CtfEvents e;
  int64_t id = 10;
  for (int64_t t : connects) {
    e.creates(uint64_t(t - 10), 1, id, 1).label(uint64_t(t), id, "TCP connect");
    e.switch_to(uint64_t(t + 1), id).switch_to(uint64_t(t + 2 * kMs), 1);  // it runs 2 ms
    e.label(uint64_t(t + 39 * kMs + kMs / 2), id, "Close socket");
    e.pair(uint64_t(t + 40 * kMs), 2, 1, id);  // fulfilled
    ++id;
  }
  return build_ctf({{0, e.bytes}});
}

class ClockAlignmentTest : public ProfileTest {
 protected:
  std::string how(const std::string& format) {
    return text("SELECT clock_how FROM sources WHERE format = '" + format + "'");
  }
  int64_t offset(const std::string& format) {
    return count("SELECT clock_offset_ns FROM sources WHERE format = '" + format + "'");
  }
};

TEST_F(ClockAlignmentTest, LabelsLineUpWithSynsAndFins) {
  // Irregular gaps, so that only one offset lines up every label.
  std::vector<int64_t> connects = {5 * kMs, 55 * kMs, 190 * kMs, 230 * kMs};
  std::vector<std::pair<uint16_t, int64_t>> syns;
  for (size_t i = 0; i < connects.size(); ++i)
    syns.push_back({uint16_t(41000 + i), kBoot + connects[i] + kMs / 5});  // SYN 0.2 ms after
  ingest("run.pcap", capture_of(syns));
  ingest("run.ctf", trace_of(connects));
  EXPECT_EQ(how("ctf"), "labels");
  EXPECT_NEAR(double(offset("ctf")), double(kBoot + kMs / 5), double(kMs));
  EXPECT_EQ(text("SELECT clock_domain FROM sources WHERE format = 'ctf'"), "own");  // its own clock
  // Every time of the trace moved: its first label is now next to the first SYN.
  EXPECT_NEAR(double(count("SELECT min(ts_ns) FROM instants WHERE kind = 'label'")),
              double(syns[0].second), double(kMs));
  EXPECT_NEAR(double(count("SELECT min(start_ns) FROM threads")), double(syns[0].second),
              double(kMs));
}

TEST_F(ClockAlignmentTest, EvenlySpacedConnectionsCannotTellWhichIsWhich) {
  // One connect label, two captured connections: nothing says which it was.
  ingest("run.pcap", capture_of({{41000, kBoot + 100 * kMs}, {41001, kBoot + 200 * kMs}}));
  ingest("run.ctf", trace_of({100 * kMs}));
  EXPECT_EQ(how("ctf"), "not-aligned");
  EXPECT_EQ(offset("ctf"), 0);
  EXPECT_LT(count("SELECT max(ts_ns) FROM instants"), 1'000'000'000);
}

// `lurk collect` decided an offset on the labels it had (clock_how
// 'live-labels', the rows shifted), which the whole trace does not bear out:
// the stop pass leaves the source on its own clock, as `lurk ingest` does.
TEST_F(ClockAlignmentTest, ALiveOffsetTheWholeTraceDoesNotBearOutIsTakenBack) {
  ingest("run.pcap", capture_of({{41000, kBoot + 100 * kMs}, {41001, kBoot + 200 * kMs}}));
  ingest("run.ctf", trace_of({100 * kMs}));
  ASSERT_EQ(how("ctf"), "not-aligned");
  int64_t source = count("SELECT id FROM sources WHERE format = 'ctf'");
  int64_t label = count("SELECT min(ts_ns) FROM instants");
  shift_source_times(db(), source, kBoot);
  db().exec("UPDATE sources SET clock_how = 'live-labels', clock_offset_ns = " + std::to_string(kBoot) +
            " WHERE id = " + std::to_string(source));
  align_clocks(db());
  EXPECT_EQ(how("ctf"), "not-aligned");
  EXPECT_EQ(offset("ctf"), 0);
  EXPECT_EQ(count("SELECT min(ts_ns) FROM instants"), label);
}

TEST_F(ClockAlignmentTest, TheOnlyConnectionThatFits) {
  ingest("run.ctf", trace_of({100 * kMs}));
  EXPECT_EQ(how("ctf"), "not-aligned");  // alone in the profile: nothing to align to
  ingest("run.pcap", capture_of({{41000, kBoot + 100 * kMs}}));
  EXPECT_EQ(how("ctf"), "labels");  // tried again once the capture arrives
  // The connect label lines up with the SYN, the close label 0.5 ms off the FIN.
  EXPECT_NEAR(double(offset("ctf")), double(kBoot), double(kMs));
}

TEST_F(ClockAlignmentTest, UnixTimeTraceIsLeftWhereItIs) {
  ingest("run.pcap", capture_of({{41000, kBoot + 100 * kMs}}));
  ingest("run.ctf", trace_of({kBoot + 100 * kMs}));
  EXPECT_EQ(how("ctf"), "unix-clock");
  EXPECT_EQ(offset("ctf"), 0);
}

TEST_F(ClockAlignmentTest, OffsetByHandMovesEveryTimeAndIsKept) {
  ingest("run.ctf", trace_of({100 * kMs, 300 * kMs}));
  int64_t source = count("SELECT id FROM sources");
  int64_t label_before = count("SELECT min(ts_ns) FROM instants");
  int64_t span_before = count("SELECT min(start_ns) FROM spans");
  set_clock_offset(db(), source, kBoot);
  EXPECT_EQ(how("ctf"), "manual");
  EXPECT_EQ(count("SELECT min(ts_ns) FROM instants") - label_before, kBoot);
  EXPECT_EQ(count("SELECT min(start_ns) FROM spans") - span_before, kBoot);
  set_clock_offset(db(), source, kBoot - 5);  // a second setting replaces the first
  EXPECT_EQ(count("SELECT min(ts_ns) FROM instants") - label_before, kBoot - 5);
  // A later ingest keeps an offset set by hand.
  ingest("run.pcap", capture_of({{41000, kBoot + 100 * kMs}}));
  EXPECT_EQ(how("ctf"), "manual");
  EXPECT_EQ(offset("ctf"), kBoot - 5);
  EXPECT_THROW(set_clock_offset(db(), 999, 0), StorageError);
}

}  // namespace
}  // namespace lurk::test
