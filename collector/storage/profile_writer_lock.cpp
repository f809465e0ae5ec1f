// Advisory locks on a profile being written: see profile_writer_lock.h.
#include "storage/profile_writer_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>

#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

bool try_flock(int fd, int how) {
  while (::flock(fd, how | LOCK_NB) != 0) {
    if (errno != EINTR) return false;
  }
  return true;
}

std::string collecting(const std::string& path) {
  return path + ": another `lurk collect` is collecting into this profile (it holds it until it "
                "stops); ";
}

}  // namespace

ProfileWriterLock::ProfileWriterLock(const std::string& path, Role role) {
  if (path.empty() || path == ":memory:") return;
  // O_CREAT: an empty file is a new profile to SQLite, as if it had made it.
  fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (fd_ < 0) return;
  if (try_flock(fd_, role == Role::Collector ? LOCK_EX : LOCK_SH)) return;
  bool busy = errno == EWOULDBLOCK;
  // Who holds it: a shared lock is free while only ingests hold theirs.
  bool ingests_only = busy && role == Role::Collector && try_flock(fd_, LOCK_SH);
  ::close(fd_);
  fd_ = -1;
  if (!busy) return;  // no flock here (ENOLCK): SQLite's lock alone, as before
  if (role == Role::Ingest)
    throw StorageError(collecting(path) + "ingest into it before a collector starts or after it "
                       "stopped");
  if (ingests_only)
    throw StorageError(path + ": a `lurk ingest -o` is writing this profile; collect into it when "
                       "that has finished");
  throw StorageError(collecting(path) + "one collector per profile: stop that one, or collect "
                     "into another file");
}

ProfileWriterLock::~ProfileWriterLock() {
  if (fd_ >= 0) ::close(fd_);  // drops the flock
}

}  // namespace lurk
