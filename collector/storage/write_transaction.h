// A transaction that holds the profile's write lock from its start (BEGIN
// IMMEDIATE) for a scope: another writer is found out before anything is
// written, and no other program writes between the passes it holds. Used by
// `lurk ingest`'s whole run (ingest/ingest.cpp) and `lurk collect`'s stop
// pass (live/collect_server.cpp). Not committed when its scope ends (an
// exception): rolled back. Unlike a Savepoint (savepoint.h) it never nests.
#pragma once

namespace lurk {

class Database;

class WriteTransaction {
 public:
  // BEGIN IMMEDIATE; throws StorageError (SQLITE_BUSY in the connection's
  // error code: another connection holds the write lock).
  explicit WriteTransaction(Database& db);
  ~WriteTransaction();
  WriteTransaction(const WriteTransaction&) = delete;
  WriteTransaction& operator=(const WriteTransaction&) = delete;

  void commit();

 private:
  Database& db_;
  bool open_ = true;
};

}  // namespace lurk
