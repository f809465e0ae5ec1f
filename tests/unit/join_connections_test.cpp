// The joiner: a capture and a lurk JSONL trace of the same run, ingested in
// either order, end up under the same connection rows; each thread is linked
// the way its events name the connection (4-tuple, port, label+time), and a
// thread whose events name nothing stays unlinked.
#include <gtest/gtest.h>

#include <string>

#include "capture_builder.h"
#include "join/join_evidence.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

class JoinTest : public ProfileTest {
 protected:
  void ingest_run(bool trace_first) {
    std::string src = LURK_SOURCE_DIR;
    auto trace = read_binary_file(src + "/tests/data/jsonl/loopback-http.jsonl");
    auto capture = read_binary_file(src + "/samples/loopback-http.pcap");
    if (trace_first) ingest("loopback-http.jsonl", trace);
    ingest("loopback-http.pcap", capture);
    if (!trace_first) ingest("loopback-http.jsonl", trace);
  }
  int64_t capture_source() { return count("SELECT id FROM sources WHERE format = 'pcap'"); }
  void expect_joined() {
    std::string capture = std::to_string(capture_source());
    // Every connection the trace saw is the capture's connection.
    EXPECT_EQ(count("SELECT count(*) FROM connections c JOIN connections k ON k.id = c.same_as "
                    "WHERE c.source_id <> " + capture + " AND k.source_id = " + capture +
                    " AND k.port_a = c.port_a AND k.addr_a = c.addr_a"), 8);
    EXPECT_EQ(count("SELECT count(*) FROM connections WHERE source_id = " + capture +
                    " AND same_as IS NOT NULL"), 0);
    // Threads sit under the capture's rows, each linked the way its events say.
    auto how = [&](const std::string& thread) {
      return text("SELECT coalesce(link_how, 'none') || ':' || coalesce(c.port_a, 0) FROM threads t "
                  "LEFT JOIN connections c ON c.id = t.connection_id WHERE t.ext_id = '" + thread +
                  "' AND (c.id IS NULL OR c.source_id = " + capture + ")");
    };
    EXPECT_EQ(how("client-0"), "4-tuple:53212");
    EXPECT_EQ(how("client-1"), "port:53226");
    EXPECT_EQ(how("client-2"), "label+time:45118");
    EXPECT_EQ(how("client-3"), "label+time:45128");
    EXPECT_EQ(how("client-4"), "4-tuple:53234");
    EXPECT_EQ(how("client-5"), "port:53242");
    EXPECT_EQ(how("client-6"), "4-tuple:60324");
    EXPECT_EQ(how("client-7"), "none:0");
  }
};

TEST_F(JoinTest, TraceThenCapture) {
  ingest_run(true);
  expect_joined();
}

TEST_F(JoinTest, CaptureThenTrace) {
  ingest_run(false);
  expect_joined();
}

TEST_F(JoinTest, ChromeArgsNameTheConnectionByPortOrTuple) {
  std::string src = LURK_SOURCE_DIR;
  ingest("loopback-http.pcap", read_binary_file(src + "/samples/loopback-http.pcap"));
  ingest("t.json", bytes_of(R"([
    {"ph":"X","pid":1,"tid":1,"ts":1795624220171000,"dur":5,"name":"fetch","args":{"local":"127.0.0.1:53212","remote":"127.0.0.1:18080"}},
    {"ph":"X","pid":1,"tid":2,"ts":1795624220302000,"dur":5,"name":"fetch","args":{"data":{"sport":45118}}},
    {"ph":"X","pid":1,"tid":3,"ts":1795624220302000,"dur":5,"name":"serve","args":{"port":18080}},
    {"ph":"i","pid":1,"tid":4,"ts":1795624220525000,"name":"accepted [::1]:45128 from peer","s":"t"}
  ])"));
  EXPECT_EQ(text("SELECT link_how || ':' || c.port_a FROM threads t JOIN connections c ON c.id = t.connection_id WHERE ext_id = '1:1'"),
            "4-tuple:53212");
  EXPECT_EQ(text("SELECT link_how || ':' || c.port_a FROM threads t JOIN connections c ON c.id = t.connection_id WHERE ext_id = '1:2'"),
            "port:45118");
  // Port 18080 is every connection's server port: ambiguous, so no link.
  EXPECT_EQ(count("SELECT count(*) FROM threads WHERE ext_id = '1:3' AND connection_id IS NULL"), 1);
  // An address:port in a label names the endpoint, even at another time.
  EXPECT_EQ(text("SELECT link_how || ':' || c.port_a FROM threads t JOIN connections c ON c.id = t.connection_id WHERE ext_id = '1:4'"),
            "port:45128");
}

TEST(JoinEvidence, ReadsTheSpellingsItDocuments) {
  auto kinds = [](const std::string& args, const std::string& name) {
    std::string out;
    for (const JoinEvidence& e : evidence_in_event(args, name, 0))
      out += e.kind == JoinEvidence::Kind::FourTuple ? "T" : e.kind == JoinEvidence::Kind::Port ? "P" : "L";
    return out;
  };
  EXPECT_EQ(kinds(R"({"conn":{"laddr":"::0001","lport":1,"raddr":"::2","rport":2}})", ""), "T");
  EXPECT_EQ(kinds(R"({"src":"10.0.0.1","sport":1,"dst":"10.0.0.2","dport":2})", ""), "T");
  EXPECT_EQ(kinds(R"({"lport":"8080"})", ""), "P");
  EXPECT_EQ(kinds(R"({"port":70000})", ""), "");
  EXPECT_EQ(kinds("", "TCP connect"), "L");
  EXPECT_EQ(kinds("", "disconnect"), "");
  EXPECT_EQ(kinds("", "10.0.0.1:5 -> 10.0.0.2:80"), "T");
  EXPECT_EQ(evidence_in_event(R"({"conn":{"laddr":"::0001","lport":1,"raddr":"::2","rport":2}})", "", 0)[0].addr_1, "::1");
}

}  // namespace
}  // namespace lurk::test
