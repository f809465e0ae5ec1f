// WriteTransaction: see write_transaction.h.
#include "storage/write_transaction.h"

#include <sqlite3.h>

#include <exception>
#include <iostream>

#include "storage/sqlite_handle.h"

namespace lurk {

WriteTransaction::WriteTransaction(Database& db) : db_(db) { db_.exec("BEGIN IMMEDIATE"); }

// Open until the COMMIT succeeded: one that fails (SQLITE_BUSY: a reader
// of a rollback-journal profile) leaves the transaction to the destructor.
void WriteTransaction::commit() {
  db_.exec("COMMIT");
  open_ = false;
}

// A destructor cannot throw; a failed rollback is said, not dropped. Some
// errors (a full disk, an I/O error) make SQLite roll the whole transaction
// back itself: then there is nothing left to undo.
WriteTransaction::~WriteTransaction() {
  if (!open_ || sqlite3_get_autocommit(db_.raw())) return;
  try {
    db_.exec("ROLLBACK");
  } catch (const std::exception& e) {
    std::cerr << "lurk: " << db_.path() << ": rolling back: " << e.what() << "\n";
  }
}

}  // namespace lurk
