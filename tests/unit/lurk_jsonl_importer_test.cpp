// lurk JSON lines import: the trace of the sample capture's run (its tcp
// events made by tshark from the capture) must give the same packets as the
// capture itself; every event type becomes its rows; bad input (bad magic,
// non-JSON lines, span_end without span_begin, unknown thread ids, bad tcp
// fields) is reported by line and byte offset and the rest is kept.
#include <gtest/gtest.h>

#include <string>

#include "capture_builder.h"
#include "importers/lurk_jsonl_importer.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

const char* kJsonlHeader = "{\"lurk\":\"jsonl\",\"version\":1}\n";

class LurkJsonlTest : public ProfileTest {
 protected:
  SourceOutcome ingest_text(const std::string& text) { return ingest("t.jsonl", bytes_of(text)); }
};

TEST_F(LurkJsonlTest, TcpEventsGiveTheSamePacketsAsTheCaptureOfTheRun) {
  std::string src = LURK_SOURCE_DIR;
  SourceOutcome jsonl = ingest("loopback-http.jsonl",
                               read_binary_file(src + "/tests/data/jsonl/loopback-http.jsonl"));
  ASSERT_EQ(jsonl.status, SourceOutcome::Status::Complete)
      << (jsonl.messages.empty() ? "" : jsonl.messages[0]);
  EXPECT_EQ(jsonl.format, "lurk-jsonl");
  SourceOutcome pcap = ingest("loopback-http.pcap", read_binary_file(src + "/samples/loopback-http.pcap"));
  ASSERT_EQ(pcap.status, SourceOutcome::Status::Complete);
  // Same segments, in the same order, with the same fields and analysis.
  const std::string fields =
      "SELECT group_concat(ts_ns || ',' || dir || ',' || seq || ',' || ack || ',' || payload_len "
      "|| ',' || tcp_flags || ',' || window || ',' || analysis, ';') FROM (SELECT * FROM packets "
      "WHERE source_id = ";
  std::string from_jsonl = text(fields + "1 ORDER BY ts_ns, id)");
  std::string from_pcap = text(fields + "2 ORDER BY ts_ns, id)");
  EXPECT_GT(from_pcap.size(), 100u);
  EXPECT_EQ(from_jsonl, from_pcap);
  EXPECT_EQ(count("SELECT count(*) FROM connections WHERE source_id = 1"),
            count("SELECT count(*) FROM connections WHERE source_id = 2"));
  // frame = the line of the tcp event.
  EXPECT_EQ(count("SELECT min(frame) FROM packets WHERE source_id = 1"), 4);
}

TEST_F(LurkJsonlTest, EveryEventTypeBecomesItsRows) {
  SourceOutcome o = ingest_text(std::string(kJsonlHeader) +
      R"({"t":"thread_start","ts":100,"thread":"main","name":"main loop"}
{"t":"thread_start","ts":110,"thread":7,"name":"worker","kind":"task","parent":"main","conn":{"laddr":"10.0.0.1","lport":4000,"raddr":"10.0.0.2","rport":80}}
{"t":"span_begin","ts":120,"thread":7,"name":"send","args":{"bytes":10}}
{"t":"span_begin","ts":130,"thread":7,"name":"copy"}
{"t":"span_end","ts":140,"thread":7}
{"t":"span_end","ts":150,"thread":7}
{"t":"log","ts":160,"thread":7,"level":"warn","source":"tcp.ml","text":"window small"}
{"t":"exception","ts":170,"thread":7,"message":"Failure: eof","stack":["a.ml:1","b.ml:2"],"uncaught":true}
{"t":"counter","ts":180,"name":"cwnd","value":14600}
{"t":"label","ts":185,"thread":"main","name":"TCP connect"}
{"t":"thread_end","ts":190,"thread":7}
{"t":"thread_end","ts":200,"thread":"main","error":"Not_found"}
{"t":"future_event","ts":210}
)");
  EXPECT_EQ(o.status, SourceOutcome::Status::Complete) << (o.messages.empty() ? "" : o.messages[0]);
  EXPECT_EQ(count("SELECT count(*) FROM threads"), 2);
  EXPECT_EQ(text("SELECT kind FROM threads WHERE ext_id = '7'"), "task");
  EXPECT_EQ(count("SELECT p.ext_id = 'main' FROM threads t JOIN threads p ON p.id = t.parent_id"), 1);
  EXPECT_EQ(count("SELECT start_ns FROM threads WHERE ext_id = '7'"), 110);
  EXPECT_EQ(count("SELECT end_ns FROM threads WHERE ext_id = '7'"), 190);
  EXPECT_EQ(count("SELECT count(*) FROM spans WHERE depth = 1 AND start_ns = 130 AND end_ns = 140"), 1);
  EXPECT_EQ(text("SELECT args_json FROM spans WHERE depth = 0"), R"({"bytes":10})");
  EXPECT_EQ(text("SELECT args_json FROM instants WHERE kind = 'log'"),
            R"({"level":"warn","source":"tcp.ml"})");
  EXPECT_EQ(text("SELECT s.text FROM instants i JOIN strings s ON s.id = i.name WHERE kind = 'exception'"),
            "Failure: eof");
  EXPECT_EQ(text("SELECT args_json FROM instants WHERE kind = 'exception'"),
            R"({"stack":["a.ml:1","b.ml:2"]})");
  // Uncaught exception and thread_end with "error" both fail the thread.
  EXPECT_EQ(count("SELECT count(*) FROM threads WHERE failed = 1"), 2);
  EXPECT_EQ(text("SELECT s.text FROM threads t JOIN strings s ON s.id = t.exception WHERE ext_id = 'main'"),
            "Not_found");
  EXPECT_EQ(count("SELECT value FROM counters"), 14600);
  // The conn tag of thread_start is kept as a 'connection' label for the joiner.
  EXPECT_EQ(text("SELECT args_json FROM instants i JOIN strings s ON s.id = i.name WHERE s.text = 'connection'"),
            R"({"conn":{"laddr":"10.0.0.1","lport":4000,"raddr":"10.0.0.2","rport":80}})");
  EXPECT_EQ(count("SELECT value FROM source_counters WHERE name = 'unknown-type:future_event'"), 1);
}

TEST_F(LurkJsonlTest, BadLinesAreReportedByLineAndOffsetAndTheRestKept) {
  std::string trace = std::string(kJsonlHeader) +
      "{\"t\":\"thread_start\",\"ts\":1,\"thread\":\"a\"}\n"            // line 2
      "{\"t\":\"span_end\",\"ts\":2,\"thread\":\"a\"}\n"                // line 3: no span open
      "this is not json\n"                                               // line 4
      "{\"t\":\"span_begin\",\"ts\":3,\"thread\":\"ghost\",\"name\":\"x\"}\n"  // line 5: unknown id
      "{\"t\":\"tcp\",\"ts\":4,\"laddr\":\"10.0.0.300\",\"lport\":1,\"raddr\":\"10.0.0.2\",\"rport\":2,"
      "\"dir\":\"tx\",\"seq\":1,\"ack\":0,\"len\":0,\"flags\":[\"SYN\"],\"window\":10}\n"  // line 6
      "{\"t\":\"span_begin\",\"ts\":5,\"thread\":\"a\",\"name\":\"kept\"}\n"  // line 7
      "{\"t\":\"span_end\",\"ts\":6,\"thread\":\"a\"}\n"                // line 8
      "{\"t\":\"span_begin\",\"ts\":7,\"thr";                            // line 9: torn
  SourceOutcome o = ingest_text(trace);
  EXPECT_EQ(o.status, SourceOutcome::Status::Partial);
  auto line_of = [&](const std::string& kind) {
    return count("SELECT line FROM ingest_errors WHERE kind = '" + kind + "' ORDER BY line LIMIT 1");
  };
  EXPECT_EQ(line_of("unmatched-end"), 3);
  EXPECT_EQ(line_of("bad-json"), 4);
  EXPECT_EQ(count("SELECT byte_offset FROM ingest_errors WHERE line = 4"),
            static_cast<int64_t>(trace.find("this is not")));
  EXPECT_EQ(line_of("unknown-id"), 5);
  EXPECT_EQ(line_of("bad-field"), 6);
  EXPECT_EQ(count("SELECT max(line) FROM ingest_errors WHERE kind = 'bad-json'"), 9);
  EXPECT_EQ(count("SELECT count(*) FROM spans s JOIN strings n ON n.id = s.name WHERE n.text = 'kept'"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM packets"), 0);
  EXPECT_EQ(count("SELECT errors FROM sources"), count("SELECT count(*) FROM ingest_errors"));
}

TEST_F(LurkJsonlTest, LinesMissingWhatTheSchemaRequiresAreErrorsAndTheRestIsKept) {
  // A log without text and a label without name used to abort the whole
  // ingest (NOT NULL on strings.text); a thread id must be a string or an integer.
  std::string trace = std::string(kJsonlHeader) +
      "{\"t\":\"log\",\"ts\":1}\n"                                        // line 2
      "{\"t\":\"label\",\"ts\":2}\n"                                      // line 3
      "{\"t\":\"span_begin\",\"ts\":3,\"thread\":true,\"name\":\"x\"}\n"  // line 4
      "{\"t\":\"log\",\"ts\":4,\"text\":\"x\",\"args\":[1]}\n"             // line 5
      "{\"t\":\"counter\",\"ts\":5.0,\"name\":\"c\",\"value\":2}\n";     // line 6: fine
  SourceOutcome o = ingest_text(trace);
  EXPECT_EQ(o.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(text("SELECT group_concat(line || ':' || kind, ' ') FROM (SELECT * FROM ingest_errors ORDER BY line)"),
            "2:missing-field 3:missing-field 4:bad-field 5:bad-field");
  EXPECT_EQ(count("SELECT count(*) FROM instants"), 3);  // both logs and the label, kept
  EXPECT_EQ(count("SELECT count(*) FROM spans"), 0);
  EXPECT_EQ(count("SELECT ts_ns FROM counters"), 5);
}

TEST_F(LurkJsonlTest, WrongHeaderIsBadMagicAndNewerVersionIsSaid) {
  SourceOutcome o = ingest_text("{\"lurk\":\"jsonl\",\"version\":9}\n{\"t\":\"counter\",\"ts\":1,\"name\":\"c\",\"value\":2}\n");
  EXPECT_EQ(o.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind = 'unsupported-version' AND line = 1"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM counters"), 1);
  // Without the header the content is not recognised at all: a clear rejection.
  SourceOutcome none = ingest("x.jsonl", bytes_of("{\"t\":\"counter\",\"ts\":1}\n"));
  EXPECT_EQ(none.status, SourceOutcome::Status::Rejected);
  ASSERT_FALSE(none.messages.empty());
  EXPECT_NE(none.messages[0].find("not a format lurk reads"), std::string::npos);
}

TEST(LurkJsonlSniff, OnlyTheHeaderLine) {
  LurkJsonlImporter importer;
  auto sniff = [&](const std::string& s) {
    return importer.sniff(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(s.data()), s.size()));
  };
  EXPECT_TRUE(sniff("{\"lurk\":\"jsonl\",\"version\":1}\n{\"t\":"));
  EXPECT_TRUE(sniff("{\"version\":1, \"lurk\":\"jsonl\"}"));
  EXPECT_FALSE(sniff("{\"traceEvents\":[]}"));
  EXPECT_FALSE(sniff("{\"lurk\":\"ctf\"}\n"));
  EXPECT_FALSE(sniff("this is not a capture\n"));
  EXPECT_FALSE(importer.sniff(build_pcap({}, {})));
}

}  // namespace
}  // namespace lurk::test
