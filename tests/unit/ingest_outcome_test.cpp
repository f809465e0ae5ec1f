// Every input's outcome is said (issue 13): an input that yields nothing to
// show (a capture with no TCP, an empty Chrome JSON array, a JSONL file with
// only its header, a CTF trace with no events) is read, kept as a source and
// said to be empty (outcome_lines, exit code 5); one cut off is partial too;
// an input with something in it says nothing of the kind.
#include <gtest/gtest.h>

#include <string>

#include "capture_builder.h"
#include "ctf_trace_builder.h"
#include "ingest/outcome_text.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

class IngestOutcomeTest : public ProfileTest {
 protected:
  SourceOutcome ingest_text(const std::string& name, const std::string& text) {
    return ingest(name, std::vector<uint8_t>(text.begin(), text.end()));
  }
  static std::string joined(const SourceOutcome& outcome) {
    std::string all;
    for (const std::string& line : outcome_lines(outcome)) all += line + "\n";
    return all;
  }
};

// An IPv4 frame of the default exchange turned into UDP (protocol 17).
std::vector<uint8_t> udp_frame() {
  std::vector<uint8_t> frame = build_tcp_frame(exchange_spec(true, 1, 0, 0x02));
  frame[14 + 9] = 17;
  return frame;
}

TEST_F(IngestOutcomeTest, CaptureWithoutTcpHasNothingToShow) {
  SourceOutcome out = ingest("udp.pcap", build_pcap({{1000, udp_frame()}, {2000, udp_frame()}}, {}));
  EXPECT_EQ(out.status, SourceOutcome::Status::Complete);
  EXPECT_TRUE(out.nothing_shown);
  EXPECT_NE(joined(out).find("udp.pcap: NOTHING TO SHOW: no TCP packets in it (2 records read)"),
            std::string::npos) << joined(out);
  EXPECT_EQ(count("SELECT count(*) FROM sources"), 1);  // kept: a second ingest skips it
}

TEST_F(IngestOutcomeTest, CaptureWithTcpSaysNothingOfTheKind) {
  SourceOutcome out = ingest("tcp.pcap", build_pcap({{1000, build_tcp_frame(exchange_spec(true, 1, 0, 0x02))}}, {}));
  EXPECT_FALSE(out.nothing_shown);
  EXPECT_EQ(joined(out).find("NOTHING"), std::string::npos) << joined(out);
}

TEST_F(IngestOutcomeTest, EmptyChromeArrayHasNothingToShow) {
  SourceOutcome out = ingest_text("empty.json", "[]\n");
  EXPECT_EQ(out.status, SourceOutcome::Status::Complete);
  EXPECT_TRUE(out.nothing_shown);
  EXPECT_NE(joined(out).find("empty.json: NOTHING TO SHOW"), std::string::npos) << joined(out);
}

TEST_F(IngestOutcomeTest, ChromeObjectCutOffIsPartialAndEmpty) {
  SourceOutcome out = ingest_text("cut.json", "{\"traceEvents\": [");
  EXPECT_EQ(out.status, SourceOutcome::Status::Partial);
  EXPECT_TRUE(out.nothing_shown);
  std::string said = joined(out);
  EXPECT_NE(said.find(", PARTIAL"), std::string::npos) << said;
  EXPECT_NE(said.find("cut.json: NOTHING TO SHOW"), std::string::npos) << said;
  EXPECT_GE(count("SELECT count(*) FROM ingest_errors"), 1);
}

TEST_F(IngestOutcomeTest, JsonlWithOnlyItsHeaderHasNothingToShow) {
  SourceOutcome out = ingest_text(
      "header.jsonl", "{\"lurk\":\"jsonl\",\"version\":1,\"clock\":\"unix-ns\",\"producer\":\"t\"}\n");
  EXPECT_EQ(out.status, SourceOutcome::Status::Complete);
  EXPECT_TRUE(out.nothing_shown) << joined(out);
}

TEST_F(IngestOutcomeTest, CtfWithNoEventsHasNothingToShow) {
  SourceOutcome out = ingest("none.ctf", build_ctf({CtfPacketSpec{}}));
  EXPECT_NE(out.status, SourceOutcome::Status::Rejected);
  EXPECT_TRUE(out.nothing_shown) << joined(out);
  EXPECT_NE(joined(out).find("none.ctf: NOTHING TO SHOW"), std::string::npos) << joined(out);
}

TEST_F(IngestOutcomeTest, ExitCodeSaysNothingToShowUnlessWorseHappened) {
  IngestReport report;
  report.sources.push_back(ingest_text("empty.json", "[]\n"));
  EXPECT_EQ(exit_code_for(report), kExitNothingToShow);
  report.sources.push_back(ingest_text("cut.json", "{\"traceEvents\": ["));
  EXPECT_EQ(exit_code_for(report), kExitPartial);  // damage outranks emptiness
}

}  // namespace
}  // namespace lurk::test
