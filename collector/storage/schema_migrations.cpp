// Schema migrations: see schema_migrations.h and docs/schema-versions.md.
#include "storage/schema_migrations.h"

#include <sqlite3.h>

#include <atomic>

#include <string_view>

#include "storage/lane_facts.h"
#include "storage/savepoint.h"
#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

bool has_column(Database& db, std::string_view table, std::string_view column) {
  Statement s = db.prepare("SELECT 1 FROM pragma_table_info(?) WHERE name = ?");
  s.bind(1, table).bind(2, column);
  return s.step();
}

struct ColumnAdded {
  const char* table;
  const char* column;
  const char* declaration;  // as in schema/lurk_v1.sql
};

void add_columns(Database& db, std::initializer_list<ColumnAdded> columns) {
  for (const ColumnAdded& c : columns) {
    if (has_column(db, c.table, c.column)) continue;
    try {
      db.exec(std::string("ALTER TABLE ") + c.table + " ADD COLUMN " + c.column + " " +
              c.declaration);
    } catch (const StorageError& e) {
      throw StorageError(db.path() + ": cannot add column " + c.table + "." + c.column +
                         " while upgrading the profile: " + e.what());
    }
  }
}

// Version 1 grew in place while it was current: files from its first builds
// lack connections.same_as and packets.ts_rtt_ns (and whole tables, which
// ensure_schema adds). Version 2 adds the clock of each source, the source
// of every instant and counter (so a source's times can be shifted as one),
// the thread of a traced segment, the packet end of a flow, and the root
// promise and close time of a connection a CTF trace shows (docs/ctf.md).
void upgrade_1_to_2(Database& db) {
  add_columns(db, {
      {"connections", "same_as", "INTEGER REFERENCES connections(id)"},
      {"packets", "ts_rtt_ns", "INTEGER"},
      {"packets", "sender_thread", "INTEGER REFERENCES threads(id)"},
      {"packets", "receiver_thread", "INTEGER REFERENCES threads(id)"},
      {"sources", "clock_domain", "TEXT NOT NULL DEFAULT 'unix'"},
      {"sources", "clock_offset_ns", "INTEGER NOT NULL DEFAULT 0"},
      {"sources", "clock_how", "TEXT NOT NULL DEFAULT ''"},
      {"sources", "clock_evidence", "TEXT NOT NULL DEFAULT ''"},
      {"instants", "source_id", "INTEGER REFERENCES sources(id)"},
      {"counters", "source_id", "INTEGER REFERENCES sources(id)"},
      {"flows", "packet_id", "INTEGER REFERENCES packets(id)"},
      {"connections", "root_thread_id", "INTEGER REFERENCES threads(id)"},
      {"connections", "close_ns", "INTEGER"},
  });
  db.exec(
      "UPDATE instants SET source_id = (SELECT source_id FROM threads t WHERE t.id = thread_id) "
      "WHERE source_id IS NULL AND thread_id IS NOT NULL");
  db.exec(
      "UPDATE counters SET source_id = (SELECT source_id FROM threads t WHERE t.id = thread_id) "
      "WHERE source_id IS NULL AND thread_id IS NOT NULL");
  // Version 1 kept global instants and counters without a source: with one
  // trace source they are its; with several nobody can tell.
  db.exec(
      "UPDATE instants SET source_id = (SELECT min(id) FROM sources WHERE format NOT IN "
      "('pcap','pcapng')) WHERE source_id IS NULL AND (SELECT count(*) FROM sources WHERE "
      "format NOT IN ('pcap','pcapng')) = 1");
  db.exec(
      "UPDATE counters SET source_id = (SELECT min(id) FROM sources WHERE format NOT IN "
      "('pcap','pcapng')) WHERE source_id IS NULL AND (SELECT count(*) FROM sources WHERE "
      "format NOT IN ('pcap','pcapng')) = 1");
  // A CTF trace's clock is the unikernel's monotonic clock, never Unix time;
  // the clock pass (join/clock_alignment) decides the rest on the next write.
  db.exec("UPDATE sources SET clock_domain = 'own' WHERE format = 'ctf'");
}

// Version 3 adds the table live_streams (each live stream's committed bytes,
// docs/live.md), which add_missing_tables creates: no column changes.
void upgrade_2_to_3(Database&) {}

// Version 4 adds live_streams.reader_state: a CTF stream's reader state at
// its committed bytes, so `lurk send --stream` of a CTF trace resumes
// exactly once (docs/live.md). NULL for JSON lines streams, as before.
void upgrade_3_to_4(Database& db) {
  add_columns(db, {{"live_streams", "reader_state", "TEXT"}});
}

// Version 5 adds lane_facts (storage/lane_facts.h), which the writer keeps
// from then on: a file upgraded to it gets the facts of the rows it holds
// by one pass over them, once, so that its later views open without one.
void upgrade_4_to_5(Database& db) { LaneFacts::rebuild(db); }

using Upgrade = void (*)(Database&);
// kUpgrades[v - 1] takes a file from version v to v + 1.
constexpr Upgrade kUpgrades[] = {upgrade_1_to_2, upgrade_2_to_3, upgrade_3_to_4, upgrade_4_to_5};

static_assert(std::size(kUpgrades) == kSchemaVersion - 1, "one upgrade step per version");

}  // namespace

void migrate_to_current(Database& db) {
  int64_t version = db.query_int("PRAGMA user_version");
  if (version >= kSchemaVersion) return;
  Savepoint migration(db, "migrate_schema");  // all steps or none
  add_missing_tables(db);
  for (int64_t v = std::max<int64_t>(version, 1); v < kSchemaVersion; ++v) kUpgrades[v - 1](db);
  db.exec("PRAGMA user_version = " + std::to_string(kSchemaVersion));
  migration.release();
}

namespace {
constexpr const char* kUpgradedCopy = ":memory:";  // the copy's path (Database::path)
std::atomic<uint64_t> upgraded_copies{0};
}  // namespace

std::unique_ptr<Database> open_profile_for_reading(const std::string& path) {
  auto file = std::make_unique<Database>(path, Database::Mode::ReadOnly);
  if (std::string problem = schema_problem(*file); !problem.empty())
    throw StorageError(path + ": " + problem);
  if (file->query_int("PRAGMA user_version") >= kOldestReadableAsIs) return file;
  auto copy = std::make_unique<Database>(kUpgradedCopy, Database::Mode::ReadWriteCreate);
  sqlite3_backup* backup = sqlite3_backup_init(copy->raw(), "main", file->raw(), "main");
  if (!backup) throw StorageError(path + ": cannot copy the profile to upgrade it");
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE)
    throw StorageError(path + ": cannot copy the profile to upgrade it: " + sqlite3_errstr(rc));
  migrate_to_current(*copy);
  upgraded_copies.fetch_add(1, std::memory_order_relaxed);
  return copy;
}

bool is_upgraded_copy(const Database& db) { return db.path() == kUpgradedCopy; }

uint64_t upgraded_copies_made() { return upgraded_copies.load(std::memory_order_relaxed); }

}  // namespace lurk
