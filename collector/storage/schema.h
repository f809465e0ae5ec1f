// The .lurk schema as the collector applies it: the SQL text of schema/
// (embedded at build time), its version, and the checks that refuse files
// that are not lurk profiles or are newer than this build understands.
#pragma once

#include <string>
#include <string_view>

namespace lurk {

class Database;

inline constexpr int kSchemaVersion = 5;

// The CREATE statements of the current schema version (schema/lurk_v1.sql).
std::string_view schema_sql();

// Applies the schema to an empty database, or checks that an existing one is
// a lurk profile of a version this build reads and upgrades it to the current
// version (storage/schema_migrations.h). Before the first write it refuses a
// file holding anything lurk did not make (storage/schema_audit.h), leaving
// it byte for byte as it was. Throws StorageError otherwise.
void ensure_schema(Database& db);

// Creates the tables and indexes of the current schema that `db` lacks (a
// file from before a table was added). Used by the migrations.
void add_missing_tables(Database& db);

// Explains why `db` cannot be read as a lurk profile, or returns "" if it can.
std::string schema_problem(Database& db);

}  // namespace lurk
