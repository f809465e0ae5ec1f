// Audit of an existing profile's schema against a fresh one; see
// schema_audit.h.
#include "storage/schema_audit.h"

#include <map>
#include <string>

#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

// One column as PRAGMA table_xinfo describes it. Its declared type, NOT NULL
// and default are not compared: files that lurk upgraded keep the
// declarations of the build that made them, and none of these runs code.
// Whether it is hidden or generated is: a generated column computes.
struct Column {
  int64_t hidden = 0;
  bool operator==(const Column&) const = default;
};

struct Shape {
  std::map<std::string, std::string> objects;  // name -> type (table, index, view, trigger)
  std::map<std::string, std::string> index_sql;  // index name -> its CREATE INDEX
  std::map<std::string, std::map<std::string, Column>> columns;  // table -> column -> shape
};

// Objects SQLite makes by itself: indexes behind UNIQUE/PRIMARY KEY,
// AUTOINCREMENT's counter table, ANALYZE's statistics. A view or trigger
// never is, whatever its name.
bool made_by_sqlite(const std::string& name, const std::string& type) {
  return (type == "index" || type == "table") && name.starts_with("sqlite_");
}

Shape read_shape(Database& db) {
  Shape shape;
  Statement objects = db.prepare("SELECT name, type, sql FROM main.sqlite_master");
  while (objects.step()) {
    std::string name = objects.column_text(0);
    std::string type = objects.column_text(1);
    if (made_by_sqlite(name, type)) continue;
    shape.objects[name] = type;
    if (type == "index") shape.index_sql[name] = objects.column_text(2);
  }
  for (const auto& [name, type] : shape.objects) {
    if (type != "table") continue;
    Statement info = db.prepare("SELECT name, hidden FROM pragma_table_xinfo(?, 'main')");
    info.bind(1, name);
    auto& table = shape.columns[name];
    while (info.step())
      table[info.column_text(0)] = Column{info.column_int(1)};
  }
  return shape;
}

const Shape& fresh_shape() {
  static const Shape shape = [] {
    Database fresh(":memory:", Database::Mode::ReadWriteCreate);
    fresh.exec(schema_sql());
    return read_shape(fresh);
  }();
  return shape;
}

std::string check_columns(const std::string& table, const std::map<std::string, Column>& found,
                          const std::map<std::string, Column>& expected, bool all_required) {
  for (const auto& [name, column] : found) {
    auto it = expected.find(name);
    if (it == expected.end())
      return "column " + table + "." + name + " is not part of the lurk schema";
    if (!(it->second == column))
      return "column " + table + "." + name + " is a generated column lurk did not make";
  }
  if (all_required)
    for (const auto& [name, column] : expected)
      if (!found.contains(name)) return "column " + table + "." + name + " is missing";
  return "";
}

}  // namespace

std::string foreign_schema_object(Database& db) {
  const Shape& expected = fresh_shape();
  Shape found = read_shape(db);
  // Only a file of the current version must be complete: an older one lacks
  // what its migrations will add.
  bool complete = db.query_int("PRAGMA user_version") >= kSchemaVersion;
  for (const auto& [name, type] : found.objects) {
    auto it = expected.objects.find(name);
    if (it == expected.objects.end() || it->second != type)
      return type + " '" + name + "' was not made by lurk";
    if (type == "index" && found.index_sql.at(name) != expected.index_sql.at(name))
      return "index '" + name + "' is defined differently from the lurk schema";
  }
  for (const auto& [table, columns] : found.columns) {
    std::string problem =
        check_columns(table, columns, expected.columns.at(table), complete);
    if (!problem.empty()) return problem;
  }
  if (complete)
    for (const auto& [name, type] : expected.objects)
      if (!found.objects.contains(name)) return type + " '" + name + "' is missing";
  return "";
}

}  // namespace lurk
