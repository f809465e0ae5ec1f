// Waiting for another program's write lock: see other_writer_wait.h.
#include "live/other_writer_wait.h"

#include <sqlite3.h>

#include <iostream>
#include <stdexcept>

namespace lurk::live {
namespace {

// BEGIN IMMEDIATE takes the write lock (RESERVED, or WAL's writer lock)
// without writing; ROLLBACK lets it go again. SQLITE_BUSY: another holds it.
int try_write_lock(sqlite3* db) {
  int rc = sqlite3_exec(db, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr);
  if (rc == SQLITE_OK) sqlite3_exec(db, "ROLLBACK", nullptr, nullptr, nullptr);
  return rc;
}

}  // namespace

void wait_for_other_writers(sqlite3* db, const std::string& path, int wait_ms) {
  sqlite3_busy_timeout(db, 0);
  int rc = try_write_lock(db);
  if ((rc & 0xff) == SQLITE_BUSY) {  // extended codes too (SQLITE_BUSY_RECOVERY)
    std::cerr << "lurk collect: " << path
              << ": another program holds the profile's write lock (not a lurk command: a sqlite3 "
                 "shell or a script in a transaction?); waiting up to "
              << wait_ms / 1000 << " s for it to let go\n";
    sqlite3_busy_timeout(db, wait_ms);
    rc = try_write_lock(db);
    if ((rc & 0xff) == SQLITE_BUSY)
      throw std::runtime_error(path + ": another program held the profile's write lock for " +
                               std::to_string(wait_ms / 1000) +
                               " s: end its transaction (or close it), then start lurk collect again");
  }
  if (rc != SQLITE_OK) throw std::runtime_error(path + ": " + sqlite3_errmsg(db));
  sqlite3_busy_timeout(db, wait_ms);
}

}  // namespace lurk::live
