// The bytes `lurk view` serves for a profile: a consistent, read-only copy
// made through SQLite (the backup API, under one read transaction), never the
// raw file, which may be mid-write (lurk collect) or half-written (a hot
// journal left by a killed ingest: refused, see storage/sqlite_handle.cpp).
// The copy is written into the server's private temporary directory, opened,
// and unlinked at once, so it occupies no name on disk while it is served and
// vanishes with the last connection reading it, or with the process.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

namespace lurk::server {

// What identifies one state of a profile on disk (the file and its WAL), to
// notice that it changed since a snapshot was taken.
struct FileSignature {
  uint64_t device = 0, inode = 0, size = 0;
  int64_t mtime_ns = 0;
  uint64_t wal_size = 0;
  int64_t wal_mtime_ns = 0;
  bool operator==(const FileSignature&) const = default;
};
FileSignature signature_of(const std::filesystem::path& profile);

class ProfileSnapshot {
 public:
  // Copies `profile` into `temp_dir`, waiting at most `busy_wait` for a
  // writer that holds the file locked. Throws std::runtime_error naming the
  // file and the reason (not a profile, a hot journal, locked, disk full...).
  static std::shared_ptr<const ProfileSnapshot> take(const std::filesystem::path& profile,
                                                     const std::filesystem::path& temp_dir,
                                                     std::chrono::milliseconds busy_wait);
  ~ProfileSnapshot();
  ProfileSnapshot(const ProfileSnapshot&) = delete;
  ProfileSnapshot& operator=(const ProfileSnapshot&) = delete;

  int fd() const { return fd_; }
  uint64_t size() const { return size_; }
  // A strong validator for this snapshot's bytes (If-Range, ETag).
  const std::string& etag() const { return etag_; }
  const FileSignature& source() const { return source_; }

 private:
  ProfileSnapshot() = default;
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string etag_;
  FileSignature source_;
};

}  // namespace lurk::server
