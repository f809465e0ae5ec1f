// Reads a bulk table's rows by handing each to a function from inside
// SQLite's own loop over the table, for ProfileModel's load and append.
//
// The query puts the columns a lane needs into one aggregate call,
// lurk_rows(?2, a, b, ...), registered on the connection by feed_rows(): a row
// then costs neither a return from sqlite3_step() nor a sqlite3_column_*()
// call per column (each checks the statement, the column and the connection's
// error state before copying the value out). That is about 30% fewer
// instructions per row than stepping a SELECT of the same columns, though not
// less time: the load is bound by memory traffic (issue 15, bench/RESULTS.md). Kinds and names come raw (no CASE, no coalesce: each is a
// VM instruction per row, a CASE on text a collation call).
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <string_view>

namespace lurk {
class Database;
}

namespace lurk::ui {

// One row's columns, numbered in the order the query gave them to
// lurk_rows() after its first argument (the feed).
class RowValues {
 public:
  explicit RowValues(sqlite3_value** columns) : columns_(columns) {}
  int64_t integer(int i) const { return sqlite3_value_int64(columns_[i]); }  // NULL: 0
  double real(int i) const { return sqlite3_value_double(columns_[i]); }
  bool null(int i) const { return sqlite3_value_type(columns_[i]) == SQLITE_NULL; }
  // The text in place (no copy, no terminator added): valid while the row
  // function runs. The blob interface gives a text value's bytes as stored.
  std::string_view text(int i) const {
    const void* bytes = sqlite3_value_blob(columns_[i]);
    int n = sqlite3_value_bytes(columns_[i]);
    return bytes ? std::string_view(static_cast<const char*>(bytes), size_t(n)) : std::string_view();
  }

 private:
  sqlite3_value** columns_;
};

// Takes one row into `target`; false when it could not (out of memory): the
// query then stops with SQLite's "out of memory". A row function must not
// throw (the row is in SQLite's C frames): growth that may fail is done out of
// line (room_for_one below).
using RowFunction = bool (*)(void* target, RowValues row);

// Runs `sql`, "SELECT lurk_rows(?2, columns...) FROM table WHERE id > ?1",
// calling `row(target, ...)` for each row in storage order. Only inside a
// ReadSnapshot (below), whose last ids the caller noted: the query then needs
// no upper bound (a check per row). Throws lurk::StorageError with SQLite's
// message on an error.
void feed_rows(Database& db, const char* sql, int64_t after, void* target, RowFunction row);

// One read transaction over a load or an append (unless the caller holds one
// already): the ids noted at its start are the tables' last for every read.
class ReadSnapshot {
 public:
  explicit ReadSnapshot(Database& db);
  ~ReadSnapshot();
  ReadSnapshot(const ReadSnapshot&) = delete;
  ReadSnapshot& operator=(const ReadSnapshot&) = delete;

 private:
  sqlite3* db_ = nullptr;  // null: the caller's transaction
};

// Growth for row functions, which must not throw: false when memory ran out.
// Out of line, so that the row functions' own code calls nothing that throws
// (with Emscripten's exceptions such a call goes through a JavaScript
// trampoline, several times slower).
template <typename Vector>
[[gnu::noinline]] bool grow(Vector& v, size_t more) {
  try {
    size_t want = v.size() + more;
    v.reserve(want > 2 * v.capacity() ? want : 2 * v.capacity());
    return true;
  } catch (...) {
    return false;
  }
}

template <typename Vector>
inline bool room_for(Vector& v, size_t more) {
  return v.capacity() - v.size() >= more || grow(v, more);
}

}  // namespace lurk::ui
