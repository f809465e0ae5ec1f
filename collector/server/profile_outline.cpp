// Writing a profile's outline (profile_outline.h).
#include "server/profile_outline.h"

#include <algorithm>

#include "storage/sqlite_handle.h"
#include "storage/table_copy.h"

namespace lurk::server {

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
  std::vector<SchemaObject> schema = schema_objects(from);
  for (const SchemaObject& c : schema) out.exec(c.sql);
  for (const SchemaObject& c : schema) {
    if (c.type != "table") continue;
    const auto& bulk = bulk_tables();
    if (std::find(bulk.begin(), bulk.end(), c.name) == bulk.end()) copy_rows(from, out, c.name);
  }
  out.exec("PRAGMA user_version = " + std::to_string(from.query_int("PRAGMA user_version")));
  out.exec("COMMIT");
  from.exec("COMMIT");
}

}  // namespace lurk::server
