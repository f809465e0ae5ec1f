// The audit every writer runs before it touches an existing profile: a
// .lurk file is data, not code, so anything in it that lurk did not make
// (a trigger, a view, an extra table, index or column) is refused before a
// single byte is written (docs/hostile-input.md).
#pragma once

#include <string>

namespace lurk {

class Database;

// Compares the objects of `db` (sqlite_master and each table's columns) with
// those of a fresh schema of the current version. A file of an older version
// may lack tables, indexes and columns (the migrations add them) but may
// hold nothing else. Columns are compared by name and by whether they are
// generated (schema_audit.cpp says why not by declared type). Returns "" when the file may be written, otherwise a
// message naming the first object that lurk did not make.
std::string foreign_schema_object(Database& db);

}  // namespace lurk
