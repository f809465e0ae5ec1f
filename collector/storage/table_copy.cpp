// Rows copied between two profiles (table_copy.h).
#include "storage/table_copy.h"

#include <sqlite3.h>

#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

// A prepared statement of SQLite's own API (Statement does not lend its
// handle): column values are copied as they are, whatever their type.
struct RawStatement {
  sqlite3_stmt* stmt = nullptr;
  RawStatement(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), int(sql.size()), &stmt, nullptr) != SQLITE_OK)
      throw StorageError("cannot prepare " + sql + ": " + sqlite3_errmsg(db));
  }
  ~RawStatement() { sqlite3_finalize(stmt); }
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;
};

}  // namespace

std::vector<SchemaObject> schema_objects(Database& db) {
  std::vector<SchemaObject> out;
  Statement rows = db.prepare(
      "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL AND name NOT LIKE 'sqlite_%' "
      "ORDER BY type = 'table' DESC, rowid");
  while (rows.step()) out.push_back({rows.column_text(0), rows.column_text(1), rows.column_text(2)});
  return out;
}

int64_t copy_rows(Database& from, Database& to, const std::string& table, const std::string& select,
                  const std::vector<int64_t>& binds) {
  RawStatement read(from.raw(), select.empty() ? "SELECT * FROM \"" + table + "\"" : select);
  for (size_t i = 0; i < binds.size(); ++i) sqlite3_bind_int64(read.stmt, int(i + 1), binds[i]);
  int columns = sqlite3_column_count(read.stmt);
  std::string placeholders;
  for (int i = 0; i < columns; ++i) placeholders += i ? ",?" : "?";
  RawStatement insert(to.raw(), "INSERT INTO \"" + table + "\" VALUES (" + placeholders + ")");
  int64_t copied = 0;
  int rc = SQLITE_ROW;
  while ((rc = sqlite3_step(read.stmt)) == SQLITE_ROW) {
    for (int i = 0; i < columns; ++i) sqlite3_bind_value(insert.stmt, i + 1, sqlite3_column_value(read.stmt, i));
    if (sqlite3_step(insert.stmt) != SQLITE_DONE)
      throw StorageError("cannot copy a row of " + table + ": " + sqlite3_errmsg(to.raw()));
    sqlite3_reset(insert.stmt);
    ++copied;
  }
  if (rc != SQLITE_DONE) throw StorageError("cannot read " + table + ": " + sqlite3_errmsg(from.raw()));
  return copied;
}

}  // namespace lurk
