// A SQLite VFS over another that gathers a database file's consecutive page
// writes into one write system call (up to kGatheredWriteBytes).
//
// Why: a rollback-journal commit writes every dirty page with its own
// pwrite, in page order. A 6,000-connection capture's profile is ~3,300
// pages, and on this project's VM each 4 KB pwrite costs ~6 us of system time
// where a 64 KB one costs ~1.6 us per 4 KB (bench/RESULTS.md, pcap14); the
// commit runs after the import, alone, so those calls were wall time too.
//
// What it changes: only when bytes reach the file, never their order or
// what is written. Writes are held while they continue one another in the
// same file; anything else done to that file (a read, a size query, a lock
// change, a file control such as SQLITE_FCNTL_SYNC, which SQLite sends
// before every database sync and in its place when synchronous is OFF, a
// sync, a truncate, a close) first writes out what is held. So every sync
// and every commit point (the journal's deletion comes after the database's
// sync) still follows all the writes before it, and a kill in between loses
// only writes that SQLite had not yet made durable: as if it came a moment
// earlier. A write-out that fails keeps what is held (tried again before
// anything else, its error returned until then), since SQLite ignores what
// some file controls return. Only main database files gather (not journals or WAL files), and
// none once the file is used in WAL mode (its first shared-memory call): a
// WAL checkpoint tells other connections through shared memory, which the
// VFS does not see, that the database file holds its pages.
#pragma once

#include <cstddef>

struct sqlite3_vfs;

namespace lurk {

// At most 64 KiB a write: SQLite's unix VFS writes at most 128 KiB - 1 per
// call (it masks the length with 0x1ffff) and calls a shorter write a full
// disk; and larger writes save no more here (dd of 13.6 MB: 4 KB writes
// 20.5 ms of CPU, 64 KB ones 5.4, 1 MB ones 5.3; bench/RESULTS.md, pcap14).
inline constexpr size_t kGatheredWriteBytes = size_t(64) << 10;

// The name of the VFS that gathers the writes of the process's default VFS;
// registered (not as the default) on first use.
const char* gathered_writes_vfs();

// A gathering VFS named `name` over `base` (tests: over a VFS that counts
// the writes that reach it). Registered once per name; returns the name.
const char* register_gathered_writes_vfs(const char* name, sqlite3_vfs* base);

}  // namespace lurk
