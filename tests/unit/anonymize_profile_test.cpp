// Anonymising a whole profile in place (collector/export/anonymizer.h): every
// TEXT column of the schema has a policy; on a real loopback capture, its
// lurk JSONL trace and a pcapng with comments, no original address or comment
// is left in any column, connections keep their prefixes, and the findings
// keep their kinds, severities, times and links.
#include <gtest/gtest.h>

#include <set>

#include "capture_builder.h"
#include "export/anonymizer.h"
#include "export/ip_prefix_map.h"
#include "findings/findings_pass.h"
#include "pcapng_builder.h"
#include "profile_fixture.h"
#include "storage/schema.h"

namespace lurk {
namespace {

const SipKey kProfileKey{0x0123456789abcdefULL, 0xfedcba9876543210ULL};

class AnonymizeProfileTest : public test::ProfileTest {
 protected:
  void ingest_real_and_commented() {
    std::string src = LURK_SOURCE_DIR;
    ingest("loopback-http.pcap", test::read_binary_file(src + "/samples/loopback-http.pcap"));
    ingest("loopback-http.jsonl",
           test::read_binary_file(src + "/tests/data/jsonl/loopback-http.jsonl"));
    test::PcapngBuilder b;
    b.section(false, {"captured at the 10.9.8.7 office, secret"});
    b.interface({.link_type = 1, .comments = {"uplink to 10.9.8.1"}});
    test::FrameSpec syn{.src = "10.9.8.7", .dst = "10.9.9.1", .src_port = 41000, .dst_port = 443,
                        .seq = 100, .flags = 0x02};
    b.enhanced(0, 1000, test::build_tcp_frame(syn), 0, {"customer 42 complained here"});
    ingest("office.pcapng", b.bytes());
    analyse_profile(db());
  }

  // Every value of every TEXT column, for searching.
  std::string all_text() {
    std::string out;
    for (const ColumnPolicy& p : text_column_policies())
      out += text(std::string("SELECT group_concat(") + p.column + ", '|') FROM " + p.table) + "\n";
    return out;
  }
};

TEST_F(AnonymizeProfileTest, EveryTextColumnOfTheSchemaHasAPolicy) {
  ensure_schema(db());
  std::set<std::pair<std::string, std::string>> schema_columns, policy_columns;
  Statement tables = db().prepare(
      "SELECT m.name, c.name FROM sqlite_schema m, pragma_table_info(m.name) c "
      "WHERE m.type = 'table' AND upper(c.type) = 'TEXT'");
  while (tables.step()) schema_columns.emplace(tables.column_text(0), tables.column_text(1));
  for (const ColumnPolicy& p : text_column_policies()) policy_columns.emplace(p.table, p.column);
  EXPECT_EQ(schema_columns, policy_columns)
      << "a TEXT column was added to schema/lurk_v1.sql: say in "
         "collector/export/anonymizer.cpp (and docs/sharing.md) how export anonymises it";
}

TEST_F(AnonymizeProfileTest, NoOriginalAddressOrCommentLeftFindingsKept) {
  ingest_real_and_commented();
  std::string before = all_text();
  ASSERT_NE(before.find("127.0.0.1"), std::string::npos);
  ASSERT_NE(before.find("10.9.8.7"), std::string::npos);
  ASSERT_NE(before.find("customer 42"), std::string::npos);
  std::string findings_sql =
      "SELECT group_concat(kind||'/'||severity||'/'||ifnull(ts_ns,'-')||'/'||"
      "ifnull(duration_ns,'-')||'/'||ifnull(connection_id,'-')||'/'||ifnull(thread_id,'-'), ' ') "
      "FROM (SELECT * FROM findings ORDER BY id)";
  std::string findings_before = text(findings_sql);
  ASSERT_GT(count("SELECT count(*) FROM findings"), 0);

  AnonymizeSummary summary = anonymize_profile(db(), {.key = kProfileKey, .map_ports = true});
  EXPECT_EQ(summary.addresses, 4);  // 127.0.0.1, ::1 (the capture's IPv6 part), 10.9.8.7, 10.9.9.1

  std::string after = all_text();
  for (const char* secret : {"127.0.0.1", "10.9.8.7", "10.9.9.1", "10.9.8.1", "customer 42",
                             "office", "loopback-http", "secret"})
    EXPECT_EQ(after.find(secret), std::string::npos) << secret << " survived";
  EXPECT_EQ(text("SELECT group_concat(text, ' ') FROM comments"),
            "comment#1 comment#2 comment#3");
  EXPECT_EQ(text(findings_sql), findings_before);
  IpPrefixMap map(kProfileKey);
  EXPECT_EQ(text("SELECT addr_a FROM connections c JOIN sources s ON s.id = c.source_id "
                 "WHERE s.format = 'pcap' LIMIT 1"),
            map.map_text("127.0.0.1").value());
  // 10.9.8.7 and 10.9.9.1 share 23 bits; so do their images.
  EXPECT_EQ(text("SELECT addr_a||' '||addr_b FROM connections c JOIN sources s ON s.id = c.source_id "
                 "WHERE s.format = 'pcapng'"),
            map.map_text("10.9.8.7").value() + " " + map.map_text("10.9.9.1").value());
  EXPECT_EQ(schema_problem(db()), "");
}

}  // namespace
}  // namespace lurk
