// A named SQLite savepoint held for a scope: what lets one pass of work be
// atomic on its own and also part of a larger transaction. Outside any
// transaction, SAVEPOINT begins one and its RELEASE commits it; inside one
// (lurk ingest holds one for the whole run, ingest/ingest.cpp) it nests, and
// nothing is on disk until the outermost one is released. A savepoint not
// released when its scope ends (an exception) is rolled back.
#pragma once

#include <string>

namespace lurk {

class Database;

class Savepoint {
 public:
  // `name` is an SQL identifier lurk chooses (letters and '_'), never input.
  Savepoint(Database& db, std::string name);
  ~Savepoint();
  Savepoint(const Savepoint&) = delete;
  Savepoint& operator=(const Savepoint&) = delete;

  // Keeps what was written since the savepoint (commits it when outermost).
  void release();
  // Drops what was written since the savepoint; the scope is then closed.
  void rollback();

 private:
  Database& db_;
  std::string name_;
  bool open_ = true;
};

}  // namespace lurk
