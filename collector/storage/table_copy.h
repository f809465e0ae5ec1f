// Rows copied between two open profiles exactly as stored, whatever each
// value's type (SQLite's own values bound over, not read as C++ types): the
// outline of server-backed viewing (server/profile_outline.h) and a window
// cut out of a profile (export/window_cut.h) are both a profile's schema
// made again and some of its rows copied.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lurk {

class Database;

struct SchemaObject {
  std::string type, name, sql;
};

// The tables, indexes, views and triggers of `db` as created (SQLite's own
// objects left out), tables first: indexes name them.
std::vector<SchemaObject> schema_objects(Database& db);

// Inserts into `table` of `to` every row `select` gives on `from` (a SELECT
// of `table`'s columns in their order, e.g. "SELECT * FROM t WHERE ...";
// `binds` bound to ?1, ?2 ...), or every row of `table` when `select` is
// empty. Returns the rows copied; throws StorageError naming the table.
int64_t copy_rows(Database& from, Database& to, const std::string& table, const std::string& select = {},
                  const std::vector<int64_t>& binds = {});

}  // namespace lurk
