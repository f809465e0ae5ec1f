// Ends the statements of a connection once a stop flag is set, so that a
// view closed early (Ctrl-C, a page's lane store no longer wanted) does not
// wait out a read of millions of rows. sqlite3_interrupt alone is not
// enough: called while no statement of the connection runs (between two
// statements, or two lanes), SQLite forgets it when the next statement
// starts, and that one then runs to its end. A progress handler asks the
// flag every few thousand virtual-machine steps of every statement instead,
// so a stop is never missed, whenever it comes.
#pragma once

#include <atomic>

namespace lurk {
class Database;
}

namespace lurk::server {

// From now on every statement of `db` ends with SQLITE_INTERRUPT (a
// lurk::StorageError where lurk steps it) once *stop is true. `stop` must
// outlive the connection or be cleared by another call (nullptr: none).
void end_statements_when(Database& db, const std::atomic<bool>* stop);

}  // namespace lurk::server
