#include "storage/sqlite_handle.h"

#include <sqlite3.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <utility>

#include "storage/gathered_writes_vfs.h"

namespace lurk {
namespace {

[[noreturn]] void fail(sqlite3* db, const std::string& what) {
  throw StorageError(what + ": " + (db ? sqlite3_errmsg(db) : "out of memory"));
}

// A non-empty file that does not start with SQLite's header.
bool holds_foreign_bytes(const std::string& path) {
  std::error_code error;
  if (path.empty() || path == ":memory:") return false;
  auto size = std::filesystem::file_size(path, error);
  return !error && size > 0 && !is_sqlite_file(path);
}

}  // namespace

bool is_sqlite_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  char header[16] = {};
  in.read(header, sizeof header);
  return in.gcount() == 16 && std::string(header, 16) == std::string("SQLite format 3\0", 16);
}

Database::Database(const std::string& path, Mode mode) : path_(path) {
  int flags = mode == Mode::ReadOnly ? SQLITE_OPEN_READONLY
                                     : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  // A Database is used by one thread at a time, so SQLite's per-connection
  // mutex only costs time (about a tenth of a bulk ingest).
  flags |= SQLITE_OPEN_NOMUTEX;
  if (mode != Mode::ReadOnly) held_foreign_bytes_ = holds_foreign_bytes(path);
  // Written through the VFS that gathers consecutive page writes into one
  // system call (storage/gathered_writes_vfs.h: a commit wrote each page
  // with its own pwrite). The WebAssembly build's file system is memory.
  const char* vfs = nullptr;
#ifndef __EMSCRIPTEN__
  if (mode != Mode::ReadOnly) vfs = gathered_writes_vfs();
#endif
  if (sqlite3_open_v2(path.c_str(), &db_, flags, vfs) != SQLITE_OK) {
    std::string message = "cannot open " + path;
    std::string reason = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);  // a handle that failed to open holds nothing to flush
    db_ = nullptr;
    throw StorageError(message + ": " + reason);
  }
  sqlite3_extended_result_codes(db_, 1);
  // A profile is data: functions with side effects may not run from its
  // schema (views, triggers, defaults), and SQL may not corrupt the file
  // through writable_schema or direct page writes.
  sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  if (mode == Mode::ReadOnly) refuse_hot_journal();
}

// A write interrupted by a kill (an ingest, a collect) leaves a "hot" rollback
// journal next to the file: the file itself is half-written until the journal
// is played back, which needs write access. Read-only, SQLite can only say
// "attempt to write a readonly database" on the first read; say what it means.
void Database::refuse_hot_journal() {
  int rc = sqlite3_exec(db_, "SELECT 1 FROM sqlite_schema LIMIT 1", nullptr, nullptr, nullptr);
  if (rc != SQLITE_READONLY_ROLLBACK) return;  // other problems are reported where they arise
  sqlite3_close(db_);
  db_ = nullptr;
  throw StorageError(
      path_ + ": a write to this profile was interrupted (a killed ingest or collect left its "
              "hot journal, " + path_ + "-journal), so the file is half-written until that write "
              "is rolled back. lurk opens profiles read-only and does not change them; roll it "
              "back by opening the file once read-write, e.g. `sqlite3 " + path_ +
              " 'PRAGMA quick_check'`, then try again.");
}

// A destructor cannot throw: a close that fails (a statement left
// unfinalized, an I/O error flushing the journal) is said on stderr rather
// than lost.
Database::~Database() {
  if (!db_) return;
  int rc = sqlite3_close(db_);
  if (rc != SQLITE_OK)
    std::cerr << "lurk: " << path_ << ": closing the profile failed: " << sqlite3_errstr(rc)
              << " (" << sqlite3_errmsg(db_) << ")\n";
}

void Database::exec(std::string_view sql) {
  char* error = nullptr;
  std::string text(sql);
  if (sqlite3_exec(db_, text.c_str(), nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error ? error : "unknown error";
    sqlite3_free(error);
    throw StorageError(path_ + ": " + message);
  }
}

Statement Database::prepare(std::string_view sql) { return Statement(db_, sql); }

int64_t Database::last_insert_id() const { return sqlite3_last_insert_rowid(db_); }

int64_t Database::query_int(std::string_view sql) {
  Statement statement = prepare(sql);
  if (!statement.step()) throw StorageError("query returned no row: " + std::string(sql));
  return statement.column_int(0);
}

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK)
    fail(db, "cannot prepare '" + std::string(sql) + "'");
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement::Statement(Statement&& other) noexcept
    : db_(other.db_), stmt_(std::exchange(other.stmt_, nullptr)) {}

Statement& Statement::operator=(Statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    db_ = other.db_;
    stmt_ = std::exchange(other.stmt_, nullptr);
  }
  return *this;
}

Statement& Statement::bind(int index, int64_t value) {
  if (sqlite3_bind_int64(stmt_, index, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, double value) {
  if (sqlite3_bind_double(stmt_, index, value) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_TRANSIENT) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Statement& Statement::bind_static(int index, std::string_view value) {
  if (sqlite3_bind_text(stmt_, index, value.data(), static_cast<int>(value.size()),
                        SQLITE_STATIC) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Statement& Statement::bind_pointer(int index, const void* pointer, const char* type) {
  if (sqlite3_bind_pointer(stmt_, index, const_cast<void*>(pointer), type, nullptr) != SQLITE_OK)
    fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::nullopt_t) {
  if (sqlite3_bind_null(stmt_, index) != SQLITE_OK) fail(db_, "bind");
  return *this;
}

Statement& Statement::bind(int index, std::optional<int64_t> value) {
  return value ? bind(index, *value) : bind(index, std::nullopt);
}

bool Statement::step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  fail(db_, "step");
}

void Statement::run() {
  step();
  sqlite3_reset(stmt_);  // bindings stay; clearing them per row costs time for nothing
}

void Statement::reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int Statement::columns() const { return sqlite3_column_count(stmt_); }
int64_t Statement::column_int(int index) const { return sqlite3_column_int64(stmt_, index); }
double Statement::column_double(int index) const { return sqlite3_column_double(stmt_, index); }
bool Statement::column_is_null(int index) const {
  return sqlite3_column_type(stmt_, index) == SQLITE_NULL;
}
std::optional<int64_t> Statement::column_optional_int(int index) const {
  if (column_is_null(index)) return std::nullopt;
  return column_int(index);
}
std::string Statement::column_text(int index) const {
  const unsigned char* text = sqlite3_column_text(stmt_, index);
  return text ? std::string(reinterpret_cast<const char*>(text),
                            static_cast<size_t>(sqlite3_column_bytes(stmt_, index)))
              : std::string();
}
std::string Statement::column_name(int index) const { return sqlite3_column_name(stmt_, index); }

}  // namespace lurk
