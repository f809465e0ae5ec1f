#include "server/profile_snapshot.h"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

#include "storage/sqlite_handle.h"

namespace lurk::server {
namespace {

std::atomic<uint64_t> g_snapshot_count{0};

int64_t mtime_ns(const struct stat& info) {
  return static_cast<int64_t>(info.st_mtim.tv_sec) * 1000000000 + info.st_mtim.tv_nsec;
}

// Copies every page of `source` into `target` in one step, so the copy is one
// committed state. A writer holding its lock makes SQLite answer BUSY: wait
// for it a few seconds rather than fail at once.
void copy_pages(Database& source, Database& target, const std::string& name,
                std::chrono::milliseconds busy_wait) {
  sqlite3_backup* backup = sqlite3_backup_init(target.raw(), "main", source.raw(), "main");
  if (!backup) throw std::runtime_error(name + ": cannot copy the profile: " +
                                        sqlite3_errmsg(target.raw()));
  auto deadline = std::chrono::steady_clock::now() + busy_wait;
  int rc;
  while ((rc = sqlite3_backup_step(backup, -1)) == SQLITE_BUSY || rc == SQLITE_LOCKED) {
    if (std::chrono::steady_clock::now() > deadline) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  sqlite3_backup_finish(backup);
  if (rc == SQLITE_DONE) return;
  std::string reason = sqlite3_errstr(rc);
  if (rc == SQLITE_NOTADB) reason = "it is not an SQLite database";
  if (rc == SQLITE_BUSY || rc == SQLITE_LOCKED)
    reason = "another process is writing it (locked for " + std::to_string(busy_wait.count()) + " ms)";
  throw std::runtime_error(name + ": cannot take a consistent copy to serve: " + reason);
}

}  // namespace

FileSignature signature_of(const std::filesystem::path& profile) {
  FileSignature signature;
  struct stat info{};
  if (stat(profile.c_str(), &info) == 0) {
    signature.device = info.st_dev;
    signature.inode = info.st_ino;
    signature.size = static_cast<uint64_t>(info.st_size);
    signature.mtime_ns = mtime_ns(info);
  }
  std::string wal = profile.string() + "-wal";
  if (stat(wal.c_str(), &info) == 0) {
    signature.wal_size = static_cast<uint64_t>(info.st_size);
    signature.wal_mtime_ns = mtime_ns(info);
  }
  return signature;
}

std::shared_ptr<const ProfileSnapshot> ProfileSnapshot::take(const std::filesystem::path& profile,
                                                             const std::filesystem::path& temp_dir,
                                                             std::chrono::milliseconds busy_wait) {
  std::shared_ptr<ProfileSnapshot> snapshot(new ProfileSnapshot);
  snapshot->source_ = signature_of(profile);
  uint64_t number = ++g_snapshot_count;
  std::filesystem::path copy = temp_dir / ("snapshot-" + std::to_string(number) + ".lurk");
  try {
    // The hot-journal check happens here: a read-only Database refuses one.
    Database source(profile.string(), Database::Mode::ReadOnly);
    Database target(copy.string(), Database::Mode::ReadWriteCreate);
    copy_pages(source, target, profile.string(), busy_wait);
    // A copy of a WAL profile would say "WAL" in its header; the page opens
    // its bytes alone, with no -wal or -shm beside them.
    target.exec("PRAGMA journal_mode = DELETE");
  } catch (...) {
    std::error_code ignored;
    std::filesystem::remove(copy, ignored);
    std::filesystem::remove(copy.string() + "-journal", ignored);
    throw;
  }
  snapshot->fd_ = open(copy.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat info{};
  if (snapshot->fd_ < 0 || fstat(snapshot->fd_, &info) != 0) {
    std::filesystem::remove(copy);
    throw std::runtime_error("cannot open the copy of " + profile.string() + " in " +
                             temp_dir.string());
  }
  std::filesystem::remove(copy);  // served from the open descriptor from now on
  snapshot->size_ = static_cast<uint64_t>(info.st_size);
  snapshot->etag_ = "\"" + std::to_string(getpid()) + "-" + std::to_string(number) + "-" +
                    std::to_string(snapshot->size_) + "\"";
  return snapshot;
}

ProfileSnapshot::~ProfileSnapshot() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace lurk::server
