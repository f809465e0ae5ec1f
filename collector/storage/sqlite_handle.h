// Thin RAII wrappers over the SQLite C API: a database handle and a prepared
// statement. Errors become lurk::StorageError exceptions carrying SQLite's
// message, so callers never check return codes by hand.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

struct sqlite3;
struct sqlite3_stmt;

namespace lurk {

class StorageError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

class Statement;

// True when the file starts with SQLite's 16-byte header: a profile to open
// rather than a raw input to ingest.
bool is_sqlite_file(const std::string& path);

class Database {
 public:
  enum class Mode { ReadOnly, ReadWriteCreate };
  Database(const std::string& path, Mode mode);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  void exec(std::string_view sql);
  Statement prepare(std::string_view sql);
  int64_t last_insert_id() const;
  int64_t query_int(std::string_view sql);
  sqlite3* raw() const { return db_; }
  const std::string& path() const { return path_; }
  // Whether the file held bytes that are not SQLite's when it was opened for
  // writing (SQLite reads a file shorter than a page as an empty database).
  // Looked at before SQLite opens it: reading the file with a descriptor of
  // our own while a connection is open would drop the connection's POSIX
  // locks (closing any descriptor of a file does), and another process could
  // then take the database for unused and delete its -wal.
  bool held_foreign_bytes() const { return held_foreign_bytes_; }
  // The schema cookie (PRAGMA schema_version) at which ensure_schema last
  // found this file's schema lurk's own and current, or -1: storage/schema.cpp.
  int64_t schema_checked_at() const { return schema_checked_at_; }
  void set_schema_checked_at(int64_t cookie) { schema_checked_at_ = cookie; }

 private:
  void refuse_hot_journal();
  sqlite3* db_ = nullptr;
  std::string path_;
  bool held_foreign_bytes_ = false;
  int64_t schema_checked_at_ = -1;
};

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(Statement&& other) noexcept;
  Statement& operator=(Statement&& other) noexcept;
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  // Binding is 1-based, as in SQLite.
  Statement& bind(int index, int64_t value);
  Statement& bind(int index, double value);
  Statement& bind(int index, std::string_view value);
  // Binds text without copying it: `value` must stay alive and unchanged
  // until the statement has been stepped (SQLITE_STATIC).
  Statement& bind_static(int index, std::string_view value);
  Statement& bind(int index, std::nullopt_t);
  Statement& bind(int index, std::optional<int64_t> value);
  // Binds a pointer only a virtual table that asks for `type` can read
  // (sqlite3_bind_pointer); SQL sees NULL. It must outlive the step.
  Statement& bind_pointer(int index, const void* pointer, const char* type);
  template <typename T>
  Statement& bind(int index, T value)
    requires std::is_integral_v<T>
  {
    return bind(index, static_cast<int64_t>(value));
  }

  // Returns true while a row is available.
  bool step();
  // Runs a statement that returns no rows, then resets it for reuse. The
  // bindings are kept, as SQLite keeps them: rebind every parameter.
  void run();
  // Resets the statement and clears its bindings.
  void reset();

  int columns() const;
  int64_t column_int(int index) const;
  double column_double(int index) const;
  std::string column_text(int index) const;
  bool column_is_null(int index) const;
  // The integer, or nullopt for NULL (the reverse of bind(std::optional<int64_t>)).
  std::optional<int64_t> column_optional_int(int index) const;
  std::string column_name(int index) const;

 private:
  sqlite3* db_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

}  // namespace lurk
