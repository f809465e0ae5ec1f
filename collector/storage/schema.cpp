// Applying and checking the .lurk schema; see schema.h.
#include "storage/schema.h"

#include <cstdio>
#include <filesystem>
#include <system_error>

#include "storage/savepoint.h"
#include "storage/schema_audit.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk {

extern const char kSchemaV1Sql[];  // generated from schema/lurk_v1.sql

std::string_view schema_sql() { return kSchemaV1Sql; }

namespace {

// A lurk file is recognised by its tables, not only by user_version: any
// SQLite file has a user_version of 0 until someone sets it.
bool has_lurk_tables(Database& db) {
  return db.query_int(
             "SELECT count(*) FROM sqlite_master WHERE type='table' AND name IN "
             "('sources','connections','packets','threads')") == 4;
}

}  // namespace

// A table that a file lacks is created in its current form; columns added
// to existing tables are the migrations' (schema_migrations.cpp).
void add_missing_tables(Database& db) {
  std::string sql(schema_sql());
  for (std::string_view what : {"CREATE TABLE ", "CREATE INDEX "}) {
    for (size_t at = sql.find(what); at != std::string::npos; at = sql.find(what, at + 1))
      sql.insert(at + what.size(), "IF NOT EXISTS ");
  }
  db.exec(sql);
}

std::string schema_problem(Database& db) {
  int64_t version = db.query_int("PRAGMA user_version");
  if (version > kSchemaVersion)
    return "schema version " + std::to_string(version) + " is newer than this lurk reads (" +
           std::to_string(kSchemaVersion) + "); update lurk";
  if (version < 1 || !has_lurk_tables(db)) return "not a lurk profile (no lurk schema)";
  return "";
}

namespace {

// Whether this connection already checked the file's schema and nothing
// changed it since: SQLite bumps the schema cookie on every CREATE, DROP or
// ALTER, by this connection or another process. One ingest makes a writer
// per pass over the profile (findings_pass.cpp); auditing the schema again
// for each (a fresh in-memory schema, every table's columns) was 5% of the
// CPU of ingesting a 2,000-connection capture (bench/RESULTS.md, pcap10).
bool checked_and_unchanged(Database& db) {
  return db.schema_checked_at() >= 0 &&
         db.query_int("PRAGMA schema_version") == db.schema_checked_at() &&
         db.query_int("PRAGMA user_version") == kSchemaVersion;
}

void create_or_check_schema(Database& db) {
  int64_t tables = db.query_int("SELECT count(*) FROM sqlite_master");
  if (tables == 0) {
    if (db.held_foreign_bytes())
      throw StorageError(db.path() +
                         ": not a SQLite database (not a lurk profile); refusing to write over it");
    Savepoint create(db, "create_schema");
    db.exec(schema_sql());
    db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
    create.release();
    return;
  }
  std::string problem = schema_problem(db);
  if (!problem.empty()) throw StorageError(db.path() + ": " + problem);
  // Checked before the first write: a trigger or view in the file would run
  // as part of lurk's own statements (schema_audit.h).
  problem = foreign_schema_object(db);
  if (!problem.empty())
    throw StorageError(db.path() + ": refusing to write to this profile: " + problem);
  // Said, not done silently: from here on, a lurk that reads only the
  // file's old version refuses it (schema_problem's "newer than this lurk").
  // An in-memory copy (open_profile_for_reading's) changes no file.
  int64_t version = db.query_int("PRAGMA user_version");
  if (version < kSchemaVersion && db.path() != ":memory:")
    std::fprintf(stderr,
                 "lurk: %s: schema version %lld, upgraded to %d as lurk writes to it "
                 "(docs/schema-versions.md); a lurk that reads only version %lld cannot open it afterwards\n",
                 db.path().c_str(), (long long)version, kSchemaVersion, (long long)version);
  migrate_to_current(db);
}

}  // namespace

void ensure_schema(Database& db) {
  if (checked_and_unchanged(db)) return;
  create_or_check_schema(db);
  db.set_schema_checked_at(db.query_int("PRAGMA schema_version"));
}

}  // namespace lurk
