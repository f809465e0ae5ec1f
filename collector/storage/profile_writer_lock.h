// Who is writing a profile, beside SQLite's own lock (docs/live.md, "One
// collector, and no ingest, while collecting"). `lurk collect` holds the
// profile's SQLite write lock from batch to batch, but lets it go for an
// instant at every COMMIT, and SQLite cannot say who holds it. So a
// collector also holds an advisory lock (flock) on the file for its whole
// run, exclusive, and `lurk ingest -o` a shared one for its whole run: a
// second collector, or an ingest into a profile being collected into (or a
// collector on a profile being ingested into), is refused at once, saying
// who is in the way, instead of waiting on a lock that is never free for
// long, or getting it in that instant and writing under the collector.
//
// Local file systems only: on NFS, Linux emulates flock with POSIX locks,
// which would then hold off SQLite's readers and be dropped by SQLite's own
// unlocks (SQLite's locking is not reliable there either).
//
// Take it before opening the profile's Database and drop it after the
// Database is closed: closing a file descriptor of a file drops every POSIX
// lock the process holds on it, SQLite's included (flock's own survive).
#pragma once

#include <string>

namespace lurk {

class ProfileWriterLock {
 public:
  enum class Role { Collector, Ingest };
  // Throws StorageError, without waiting, when a collector holds the file,
  // or (for a collector) an ingest does. A file that cannot be opened or
  // locked at all (a directory, a file system without flock) is not locked
  // here: SQLite says what is wrong with it when it is opened.
  ProfileWriterLock(const std::string& path, Role role);
  ~ProfileWriterLock();
  ProfileWriterLock(const ProfileWriterLock&) = delete;
  ProfileWriterLock& operator=(const ProfileWriterLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace lurk
