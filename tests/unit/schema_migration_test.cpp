// Files that last (docs/schema-versions.md): every committed profile of an
// earlier schema version (tests/data/profiles/, made by the lurk of that
// version) opens for reading (older than kOldestReadableAsIs through an
// upgraded copy, later ones as they are), upgrades in place on
// the next write to exactly the current schema, keeps its rows, and takes a
// new source; a file from a newer lurk is refused naming both versions.
#include <gtest/gtest.h>

#include <filesystem>
#include <algorithm>
#include <map>
#include <set>

#include <unistd.h>

#include "capture_builder.h"
#include "core/lane_summary.h"
#include "ingest/ingest.h"
#include "storage/schema.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::test {
namespace {

namespace fs = std::filesystem;

// Every column of every table: type, NOT NULL, default.
std::map<std::string, std::string> schema_of(Database& db) {
  std::map<std::string, std::string> out;
  Statement tables = db.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name");
  while (tables.step()) {
    std::string table = tables.column_text(0);
    Statement columns = db.prepare("SELECT name, type, \"notnull\", coalesce(dflt_value, '') "
                                   "FROM pragma_table_info(?)");
    columns.bind(1, table);
    while (columns.step())
      out[table + "." + columns.column_text(0)] = columns.column_text(1) + " " +
                                                  columns.column_text(2) + " " +
                                                  columns.column_text(3);
  }
  return out;
}

std::map<std::string, std::string> fresh_schema(const fs::path& dir) {
  Database db((dir / "fresh.lurk").string(), Database::Mode::ReadWriteCreate);
  ensure_schema(db);
  return schema_of(db);
}

int64_t rows(Database& db, const std::string& table) {
  return db.query_int("SELECT count(*) FROM " + table);
}

class SchemaMigrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("lurk-migrate-" + std::to_string(::getpid()));
    fs::create_directories(dir_);
    for (const auto& e : fs::directory_iterator(fs::path(LURK_SOURCE_DIR) / "tests/data/profiles"))
      if (e.path().extension() == ".lurk") fixtures_.push_back(e.path());
    std::sort(fixtures_.begin(), fixtures_.end());
  }
  void TearDown() override { fs::remove_all(dir_); }
  fs::path copy(const fs::path& fixture, const std::string& name) {
    fs::path to = dir_ / name;
    fs::copy_file(fixture, to, fs::copy_options::overwrite_existing);
    return to;
  }
  fs::path dir_;
  std::vector<fs::path> fixtures_;
};

TEST_F(SchemaMigrationTest, EveryEarlierVersionHasAFixture) {
  std::set<int64_t> versions;
  for (const fs::path& f : fixtures_) {
    Database db(f.string(), Database::Mode::ReadOnly);
    versions.insert(db.query_int("PRAGMA user_version"));
  }
  for (int64_t v = 1; v < kSchemaVersion; ++v)
    EXPECT_TRUE(versions.count(v)) << "no fixture of schema version " << v;
}

TEST_F(SchemaMigrationTest, ReadingUpgradesACopyAndLeavesTheFile) {
  for (const fs::path& fixture : fixtures_) {
    SCOPED_TRACE(fixture.filename().string());
    fs::path file = copy(fixture, "read.lurk");
    int64_t version, packets, threads;
    {
      Database before(file.string(), Database::Mode::ReadOnly);
      version = before.query_int("PRAGMA user_version");
      packets = rows(before, "packets");
      threads = rows(before, "threads");
    }
    std::unique_ptr<Database> db = open_profile_for_reading(file.string());
    if (version < kOldestReadableAsIs) {
      EXPECT_EQ(db->query_int("PRAGMA user_version"), kSchemaVersion);
      EXPECT_EQ(schema_of(*db), fresh_schema(dir_));
    } else {
      // Read as it is: every column a reader needs is there; only tables no
      // reader needs may be missing.
      std::map<std::string, std::string> fresh = fresh_schema(dir_), have = schema_of(*db);
      for (const auto& [column, type] : fresh) {
        std::string table = column.substr(0, column.find('.'));
        bool optional = std::any_of(std::begin(kTablesReadersDoNotNeed),
                                    std::end(kTablesReadersDoNotNeed),
                                    [&](const char* t) { return table == t; });
        if (!optional) EXPECT_EQ(have[column], type) << column;
      }
      for (const auto& [column, type] : have) EXPECT_TRUE(fresh.count(column)) << column;
    }
    EXPECT_EQ(rows(*db, "packets"), packets);
    EXPECT_EQ(rows(*db, "threads"), threads);
    Database after(file.string(), Database::Mode::ReadOnly);
    EXPECT_EQ(after.query_int("PRAGMA user_version"), version) << "reading changed the file";
  }
}

TEST_F(SchemaMigrationTest, WritingUpgradesInPlaceAndTakesANewSource) {
  ASSERT_FALSE(fixtures_.empty());
  for (const fs::path& fixture : fixtures_) {
    SCOPED_TRACE(fixture.filename().string());
    fs::path file = copy(fixture, "write.lurk");
    int64_t sources, instants;
    {
      Database before(file.string(), Database::Mode::ReadOnly);
      sources = rows(before, "sources");
      instants = rows(before, "instants");
    }
    std::string capture = std::string(LURK_SOURCE_DIR) + "/tests/data/netlab-reset-v4.pcap";
    IngestReport report = ingest_files({capture}, file.string());
    ASSERT_EQ(report.sources.size(), 1u);
    Database db(file.string(), Database::Mode::ReadOnly);
    EXPECT_EQ(db.query_int("PRAGMA user_version"), kSchemaVersion);
    EXPECT_EQ(schema_of(db), fresh_schema(dir_));
    EXPECT_EQ(rows(db, "sources"), sources + (report.sources[0].status ==
                                              SourceOutcome::Status::AlreadyPresent ? 0 : 1));
    EXPECT_EQ(rows(db, "instants"), instants);
    // The lane facts (version 5) describe every row, the old ones too: the
    // summary made from them is the pass over every event's.
    std::string why;
    std::optional<ui::LaneSummary> facts = ui::lane_summary_from_facts(db, why);
    ASSERT_TRUE(facts) << why;
    ui::LaneSummary scan = ui::scan_lane_summary(db);
    EXPECT_EQ(facts->events, scan.events);
    EXPECT_EQ(facts->packets, scan.packets);
    EXPECT_EQ(facts->first_ns, scan.first_ns);
    EXPECT_EQ(facts->last_ns, scan.last_ns);
    EXPECT_EQ(facts->depths, scan.depths);
    EXPECT_EQ(facts->counters.size(), scan.counters.size());
    // Every instant of a thread now knows its source.
    EXPECT_EQ(db.query_int("SELECT count(*) FROM instants WHERE thread_id IS NOT NULL AND "
                           "source_id IS NULL"), 0);
    Statement check = db.prepare("PRAGMA integrity_check");
    ASSERT_TRUE(check.step());
    EXPECT_EQ(check.column_text(0), "ok");
  }
}

// A version 1 file from its first builds: no same_as, no ts_rtt_ns, no
// capture_findings (the next ingest used to fail with "no column named ...").
TEST_F(SchemaMigrationTest, EarlyVersionOneFileWithoutLaterColumns) {
  ASSERT_FALSE(fixtures_.empty());
  fs::path file = copy(fixtures_.front(), "early.lurk");
  {
    Database db(file.string(), Database::Mode::ReadWriteCreate);
    ASSERT_EQ(db.query_int("PRAGMA user_version"), 1);
    // SQLite will not drop a column that REFERENCES a table, nor edit the
    // schema text around the comments: rebuild the tables without them.
    db.exec("CREATE TABLE early AS SELECT id, source_id, addr_a, port_a, addr_b, port_b, "
            "first_ns, last_ns, syn_seen, synack_seen, fin_a, fin_b, rst_seen, packets_ab, "
            "packets_ba, bytes_ab, bytes_ba, state, flags_json FROM connections; "
            "DROP TABLE connections; ALTER TABLE early RENAME TO connections; "
            "CREATE TABLE early_packets AS SELECT id, source_id, frame, connection_id, ts_ns, "
            "dir, seq, ack, payload_len, tcp_flags, window, wire_len, analysis, dup_ack_num, "
            "dup_ack_frame, rtt_ns FROM packets; DROP TABLE packets; "
            "ALTER TABLE early_packets RENAME TO packets; DROP TABLE capture_findings");
  }
  std::string capture = std::string(LURK_SOURCE_DIR) + "/tests/data/netlab-short-v6.pcap";
  IngestReport report = ingest_files({capture}, file.string());
  ASSERT_EQ(report.sources.size(), 1u);
  EXPECT_NE(report.sources[0].status, SourceOutcome::Status::Rejected);
  Database db(file.string(), Database::Mode::ReadOnly);
  std::map<std::string, std::string> upgraded = schema_of(db);
  for (const auto& [column, type] : fresh_schema(dir_))
    EXPECT_TRUE(upgraded.count(column)) << column << " missing after the upgrade";
  EXPECT_NO_THROW(rows(db, "capture_findings"));
}

TEST_F(SchemaMigrationTest, NewerFileIsRefusedNamingBothVersions) {
  fs::path file = dir_ / "newer.lurk";
  {
    Database db(file.string(), Database::Mode::ReadWriteCreate);
    ensure_schema(db);
    db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion + 1));
  }
  try {
    open_profile_for_reading(file.string());
    FAIL() << "a newer file was opened";
  } catch (const StorageError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("schema version " + std::to_string(kSchemaVersion + 1)), std::string::npos) << message;
    EXPECT_NE(message.find("(" + std::to_string(kSchemaVersion) + ")"), std::string::npos) << message;
  }
}

}  // namespace
}  // namespace lurk::test
