// SharedReadSnapshot (shared_read_snapshot.h).
#include "server/shared_read_snapshot.h"

#include <sqlite3.h>

#include "storage/sqlite_handle.h"

namespace lurk::server {
namespace {

// A read fixes the transaction's state (BEGIN alone takes no lock).
void read_something(Database& db) { db.query_int("SELECT count(*) FROM sqlite_schema"); }

}  // namespace

SharedReadSnapshot::SharedReadSnapshot(Database& db) {
  read_something(db);
  Statement mode = db.prepare("PRAGMA journal_mode");
  if (!mode.step() || mode.column_text(0) != "wal") return;
  int rc = sqlite3_snapshot_get(db.raw(), "main", &wal_);
  if (rc == SQLITE_OK) return;
  wal_ = nullptr;
  // SQLite takes no snapshot of a WAL without frames (every commit since
  // the last reset checkpointed): the state is the file's own, and stays
  // so while this transaction lasts (its reader holds off the checkpoints
  // that would change the file), so another reader that also finds no
  // frames reads the same state; one that finds frames, a later one.
  if (rc != SQLITE_ERROR) throw StorageError(db.path() + ": cannot share the state being read: " + sqlite3_errstr(rc));
  empty_wal_ = true;
}

SharedReadSnapshot::~SharedReadSnapshot() {
  if (wal_) sqlite3_snapshot_free(wal_);
}

void SharedReadSnapshot::begin_in(Database& other) const {
  // A connection that has done no I/O yet does not know the file is in WAL
  // mode, and cannot open a snapshot (sqlite3.h's advice: this pragma).
  if (wal_) other.query_int("PRAGMA application_id");
  other.exec("BEGIN");
  try {
    if (wal_) {
      if (int rc = sqlite3_snapshot_open(other.raw(), "main", wal_); rc != SQLITE_OK)
        throw StorageError(other.path() + ": cannot open the state the view reads: " + sqlite3_errstr(rc));
    }
    read_something(other);
    if (empty_wal_) {
      sqlite3_snapshot* now = nullptr;
      if (sqlite3_snapshot_get(other.raw(), "main", &now) == SQLITE_OK) {
        sqlite3_snapshot_free(now);
        throw StorageError(other.path() + ": committed to since the view read it");
      }
    } else if (!wal_) {
      // Rollback mode: had the file gone to WAL since, there would be no
      // lock to rely on.
      Statement mode = other.prepare("PRAGMA journal_mode");
      if (mode.step() && mode.column_text(0) == "wal")
        throw StorageError(other.path() + ": changed to WAL mode while it was being opened");
    }
  } catch (...) {
    sqlite3_exec(other.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
}

}  // namespace lurk::server
