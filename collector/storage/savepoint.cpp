// Savepoint: see savepoint.h.
#include "storage/savepoint.h"

#include <sqlite3.h>

#include <exception>
#include <iostream>

#include "storage/sqlite_handle.h"

namespace lurk {

Savepoint::Savepoint(Database& db, std::string name) : db_(db), name_(std::move(name)) {
  db_.exec("SAVEPOINT " + name_);
}

void Savepoint::release() {
  open_ = false;
  db_.exec("RELEASE " + name_);
}

void Savepoint::rollback() {
  open_ = false;
  // Some errors (a full disk, an I/O error) make SQLite roll the whole
  // transaction back itself: then there is nothing left to undo.
  if (sqlite3_get_autocommit(db_.raw())) return;
  db_.exec("ROLLBACK TO " + name_);
  db_.exec("RELEASE " + name_);
}

// A destructor cannot throw; a failed rollback is said, not dropped.
Savepoint::~Savepoint() {
  if (!open_) return;
  try {
    rollback();
  } catch (const std::exception& e) {
    std::cerr << "lurk: " << db_.path() << ": rolling back " << name_ << ": " << e.what() << "\n";
  }
}

}  // namespace lurk
