// The VFS that gathers a database file's consecutive writes
// (storage/gathered_writes_vfs.h): a commit's pages reach the file in a few
// writes of at most kGatheredWriteBytes instead of one per page, the file is
// byte for byte what SQLite writes without it, and what is held is in the
// file before SQLite reads it back (a spilled page), syncs or commits; a
// database in WAL mode works through it too.
#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "storage/gathered_writes_vfs.h"

namespace lurk::test {
namespace {

// A VFS over the default one that counts the writes reaching main database
// files, and the largest: what the gathering VFS hands on, seen from below.
struct WriteCount {
  int writes = 0;
  int largest = 0;
};
WriteCount counted;
std::set<sqlite3_file*> main_db_files;
const sqlite3_io_methods* wrapped = nullptr;  // the base's methods of a main database file
sqlite3_io_methods counting_methods;
int (*real_write)(sqlite3_file*, const void*, int, sqlite3_int64) = nullptr;
int (*real_close)(sqlite3_file*) = nullptr;
sqlite3_vfs counting_vfs;

// What reaches the files, in order: 'W' a main database write, 'D' a
// journal deleted (a rollback-journal commit's last step).
std::string file_events;
// The main database write that fails (SQLITE_FULL, nothing written): the
// fail_write_in-th from now; 0: none.
int fail_write_in = 0;

int counting_write(sqlite3_file* file, const void* data, int amount, sqlite3_int64 offset) {
  if (main_db_files.count(file)) {
    if (fail_write_in > 0 && --fail_write_in == 0) return SQLITE_FULL;
    ++counted.writes;
    counted.largest = std::max(counted.largest, amount);
    file_events.push_back('W');
  }
  return real_write(file, data, amount, offset);
}

int counting_delete(sqlite3_vfs*, const char* name, int sync_dir) {
  std::string_view n(name);
  if (n.size() > 8 && n.substr(n.size() - 8) == "-journal") file_events.push_back('D');
  sqlite3_vfs* base = sqlite3_vfs_find("unix");
  return base->xDelete(base, name, sync_dir);
}

int counting_close(sqlite3_file* file) {
  main_db_files.erase(file);
  return real_close(file);
}

int counting_open(sqlite3_vfs*, const char* name, sqlite3_file* file, int flags, int* out) {
  sqlite3_vfs* base = sqlite3_vfs_find("unix");
  int rc = base->xOpen(base, name, file, flags, out);
  // Only main database files: the unix VFS gives journals other methods
  // (no locking), whose xClose is not the database's.
  if (!file->pMethods || !(flags & SQLITE_OPEN_MAIN_DB)) return rc;
  if (!wrapped) {
    wrapped = file->pMethods;
    counting_methods = *wrapped;
    real_write = counting_methods.xWrite;
    real_close = counting_methods.xClose;
    counting_methods.xWrite = counting_write;
    counting_methods.xClose = counting_close;
  }
  if (file->pMethods != wrapped) return rc;
  file->pMethods = &counting_methods;
  main_db_files.insert(file);
  return rc;
}

const char* counting_vfs_name() {
  if (!sqlite3_vfs_find("lurk-test-counting")) {
    counting_vfs = *sqlite3_vfs_find("unix");
    counting_vfs.zName = "lurk-test-counting";
    counting_vfs.pNext = nullptr;
    counting_vfs.xOpen = counting_open;
    counting_vfs.xDelete = counting_delete;
    sqlite3_vfs_register(&counting_vfs, 0);
  }
  return "lurk-test-counting";
}

const char* gathering_vfs_name() {
  return register_gathered_writes_vfs("lurk-test-gathering", sqlite3_vfs_find(counting_vfs_name()));
}

class GatheredWritesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("lurk-gathered-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  sqlite3* open(const std::string& name, const char* vfs) {
    sqlite3* db = nullptr;
    std::string path = (dir_ / name).string();
    EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, vfs),
              SQLITE_OK);
    return db;
  }
  static void exec(sqlite3* db, const std::string& sql) {
    char* error = nullptr;
    int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &error);
    EXPECT_EQ(rc, SQLITE_OK) << sql << ": " << (error ? error : "");
    sqlite3_free(error);
  }
  static int64_t query(sqlite3* db, const std::string& sql) {
    sqlite3_stmt* s = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &s, nullptr), SQLITE_OK) << sql;
    int64_t value = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
    sqlite3_finalize(s);
    return value;
  }
  std::string bytes(const std::string& name) {
    std::ifstream in(dir_ / name, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  // One transaction of rows with an index inserted at many places: a file
  // of a few hundred pages, written at the commit.
  static void fill(sqlite3* db, int rows) {
    exec(db, "CREATE TABLE t(id INTEGER PRIMARY KEY, lane INTEGER, v TEXT);"
             "CREATE INDEX t_by_lane ON t(lane, v)");
    exec(db, "BEGIN");
    exec(db, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " +
                 std::to_string(rows) + ") INSERT INTO t(lane, v) SELECT i % 16, "
                 "printf('%.200c%d', 'x', i) FROM n");
    exec(db, "COMMIT");
  }

  std::filesystem::path dir_;
};

TEST_F(GatheredWritesTest, ACommitsPagesReachTheFileInFewWritesWithTheSameBytes) {
  // The writer's page cache (trace_writer.cpp): the transaction's pages stay
  // in memory until the commit, which writes them in page order.
  sqlite3* plain = open("plain.db", counting_vfs_name());
  exec(plain, "PRAGMA cache_size = -32768");
  counted = {};
  fill(plain, 5000);
  WriteCount one_per_page = counted;
  sqlite3_close(plain);

  sqlite3* gathered = open("gathered.db", gathering_vfs_name());
  exec(gathered, "PRAGMA cache_size = -32768");
  counted = {};
  fill(gathered, 5000);
  WriteCount gathered_writes = counted;
  sqlite3_close(gathered);

  // ~500 pages of 4 KB: one write each without gathering, 16 to a write with it.
  EXPECT_GT(one_per_page.writes, 250);
  EXPECT_EQ(one_per_page.largest, 4096);
  EXPECT_LT(gathered_writes.writes * 8, one_per_page.writes);
  EXPECT_EQ(gathered_writes.largest, int(kGatheredWriteBytes));
  std::string a = bytes("plain.db"), b = bytes("gathered.db");
  EXPECT_GT(a.size(), 250u * 4096);
  EXPECT_TRUE(a == b) << "the files differ: " << a.size() << " and " << b.size() << " bytes";
}

TEST_F(GatheredWritesTest, SpilledPagesReadBackAndTheFileIsWholeAfterTheCommit) {
  sqlite3* db = open("spill.db", gathering_vfs_name());
  // A cache of a few pages: the transaction spills pages to the file and
  // reads them back before it commits.
  exec(db, "PRAGMA cache_size = 10");
  fill(db, 1000);
  int64_t before = query(db, "SELECT sum(lane) FROM t");
  exec(db, "BEGIN");
  exec(db, "UPDATE t SET lane = lane + 1 WHERE id % 4 = 0");
  EXPECT_EQ(query(db, "SELECT sum(lane) FROM t"), before + 250);
  exec(db, "COMMIT");
  EXPECT_EQ(query(db, "SELECT count(*) FROM t INDEXED BY t_by_lane WHERE lane >= 0"), 1000);
  sqlite3_close(db);

  // Read through the default VFS: everything reached the file.
  sqlite3* again = open("spill.db", nullptr);
  sqlite3_stmt* check = nullptr;
  ASSERT_EQ(sqlite3_prepare_v2(again, "PRAGMA integrity_check", -1, &check, nullptr), SQLITE_OK);
  ASSERT_EQ(sqlite3_step(check), SQLITE_ROW);
  EXPECT_STREQ(reinterpret_cast<const char*>(sqlite3_column_text(check, 0)), "ok");
  sqlite3_finalize(check);
  EXPECT_EQ(query(again, "SELECT sum(lane) FROM t"), before + 250);
  sqlite3_close(again);
}

TEST_F(GatheredWritesTest, AWalDatabaseCheckpointsThroughIt) {
  sqlite3* writer = open("wal.db", gathering_vfs_name());
  exec(writer, "PRAGMA journal_mode = WAL");
  fill(writer, 2000);
  sqlite3* reader = open("wal.db", nullptr);
  EXPECT_EQ(query(reader, "SELECT count(*) FROM t"), 2000);
  exec(writer, "PRAGMA wal_checkpoint(TRUNCATE)");
  sqlite3_close(writer);
  EXPECT_EQ(query(reader, "SELECT count(*) FROM t INDEXED BY t_by_lane WHERE lane >= 0"), 2000);
  sqlite3_close(reader);
}

TEST_F(GatheredWritesTest, EveryWriteOfACommitReachesTheFileBeforeItsJournalIsDeleted) {
  // synchronous = OFF (as lurk ingest): no sync; the commit's
  // SQLITE_FCNTL_SYNC is what writes out the held pages before the journal
  // goes (without it they would wait for the unlock, after the deletion).
  for (const char* sync : {"OFF", "FULL"}) {
    sqlite3* db = open(std::string("order-") + sync + ".db", gathering_vfs_name());
    exec(db, std::string("PRAGMA synchronous = ") + sync);
    fill(db, 300);
    file_events.clear();
    exec(db, "BEGIN");
    exec(db, "UPDATE t SET lane = lane + 1 WHERE id % 3 = 0");
    exec(db, "COMMIT");
    EXPECT_NE(file_events.find('W'), std::string::npos) << sync;
    EXPECT_EQ(file_events.back(), 'D') << sync << ": a write after the journal's deletion: " << file_events;
    sqlite3_close(db);
  }
}

TEST_F(GatheredWritesTest, AFailedWriteOutKeepsTheBytesAndWritesThemFirst) {
  sqlite3_vfs* vfs = sqlite3_vfs_find(gathering_vfs_name());
  ASSERT_NE(vfs, nullptr);
  std::vector<uint64_t> storage((size_t(vfs->szOsFile) + 7) / 8);
  auto* file = reinterpret_cast<sqlite3_file*>(storage.data());
  std::string path = (dir_ / "direct.db").string();
  int out = 0;
  ASSERT_EQ(vfs->xOpen(vfs, path.c_str(), file,
                       SQLITE_OPEN_MAIN_DB | SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, &out),
            SQLITE_OK);
  std::string pages;
  for (int page = 0; page < 4; ++page) {
    std::string bytes(4096, char('a' + page));
    pages += bytes;
    ASSERT_EQ(file->pMethods->xWrite(file, bytes.data(), 4096, sqlite3_int64(page) * 4096), SQLITE_OK);
  }
  // A hint whose result SQLite ignores: the held pages' write fails there.
  fail_write_in = 1;
  sqlite3_int64 hint = 8 * 4096;
  EXPECT_NE(file->pMethods->xFileControl(file, SQLITE_FCNTL_SIZE_HINT, &hint), SQLITE_OK);
  // The disk has room again: the next operation writes them first.
  EXPECT_EQ(file->pMethods->xSync(file, SQLITE_SYNC_NORMAL), SQLITE_OK);
  EXPECT_EQ(file->pMethods->xClose(file), SQLITE_OK);
  EXPECT_TRUE(bytes("direct.db") == pages) << "the pages held when the write failed were lost";
}

}  // namespace
}  // namespace lurk::test
