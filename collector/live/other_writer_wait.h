// A program other than lurk holding the profile's write lock when `lurk
// collect` starts (a sqlite3 shell in a transaction, a script): lurk's own
// writers are refused at once by name (storage/profile_writer_lock.h), but
// such a program cannot be named, and it may be about to let go (a one-line
// UPDATE), so it is waited for, up to a bound, and the user is told at once
// that the collector waits and for what, not left with a silent start or a
// bare "database is locked" (docs/live.md, "One collector, and no ingest,
// while collecting").
#pragma once

#include <string>

struct sqlite3;

namespace lurk::live {

// Returns once no other connection holds the write lock of the profile open
// in `db` (at `path`), having said on stderr that it waits when one does;
// throws, saying what to do, when one still holds it after `wait_ms`. Leaves
// the connection's busy timeout at `wait_ms`, for what the collector does
// next (switching to WAL waits for readers too).
void wait_for_other_writers(sqlite3* db, const std::string& path, int wait_ms);

}  // namespace lurk::live
