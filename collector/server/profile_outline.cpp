// Writing a profile's outline (profile_outline.h).
#include "server/profile_outline.h"

#include <sqlite3.h>

#include <algorithm>

#include "storage/sqlite_handle.h"

namespace lurk::server {
namespace {

struct Created {
  std::string type, name, sql;
};

std::vector<Created> schema_of(Database& db) {
  std::vector<Created> out;
  // Tables first (indexes name them); SQLite's own objects are made by SQLite.
  Statement rows = db.prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
      "ORDER BY type = 'table' DESC, rowid");
  while (rows.step()) out.push_back({rows.column_text(0), rows.column_text(1), rows.column_text(2)});
  return out;
}

// A prepared statement of SQLite's own API (Statement does not lend its
// handle): column values are copied as they are, whatever their type.
struct RawStatement {
  sqlite3_stmt* stmt = nullptr;
  RawStatement(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), int(sql.size()), &stmt, nullptr) != SQLITE_OK)
      throw StorageError("outline: cannot prepare " + sql + ": " + sqlite3_errmsg(db));
  }
  ~RawStatement() { sqlite3_finalize(stmt); }
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;
};

// Every row of `table` from one connection to the other.
void copy_rows(Database& from, Database& to, const std::string& table) {
  RawStatement select(from.raw(), "SELECT * FROM \"" + table + "\"");
  int columns = sqlite3_column_count(select.stmt);
  std::string placeholders;
  for (int i = 0; i < columns; ++i) placeholders += i ? ",?" : "?";
  RawStatement insert(to.raw(), "INSERT INTO \"" + table + "\" VALUES (" + placeholders + ")");
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(select.stmt)) == SQLITE_ROW) {
    for (int i = 0; i < columns; ++i)
      sqlite3_bind_value(insert.stmt, i + 1, sqlite3_column_value(select.stmt, i));
    if (sqlite3_step(insert.stmt) != SQLITE_DONE)
      throw StorageError("outline: cannot copy a row of " + table + ": " + sqlite3_errmsg(to.raw()));
    sqlite3_reset(insert.stmt);
  }
  if (rc != SQLITE_DONE)
    throw StorageError("outline: cannot read " + table + ": " + sqlite3_errmsg(from.raw()));
}

}  // namespace

const std::vector<std::string>& bulk_tables() {
  static const std::vector<std::string> tables = {"packets", "spans", "instants", "counters", "flows"};
  return tables;
}

void write_profile_outline(Database& from, const std::filesystem::path& to) {
  std::filesystem::remove(to);
  Database out(to.string(), Database::Mode::ReadWriteCreate);
  out.exec("PRAGMA journal_mode = OFF");
  out.exec("PRAGMA synchronous = OFF");
  from.exec("BEGIN");
  out.exec("BEGIN");
  std::vector<Created> schema = schema_of(from);
  for (const Created& c : schema) out.exec(c.sql);
  for (const Created& c : schema) {
    if (c.type != "table") continue;
    const auto& bulk = bulk_tables();
    if (std::find(bulk.begin(), bulk.end(), c.name) == bulk.end()) copy_rows(from, out, c.name);
  }
  out.exec("PRAGMA user_version = " + std::to_string(from.query_int("PRAGMA user_version")));
  out.exec("COMMIT");
  from.exec("COMMIT");
}

}  // namespace lurk::server
