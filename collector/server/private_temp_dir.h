// The one temporary directory a `lurk view` run owns (mode 0700, under
// $TMPDIR): the profile it ingests and the snapshots it serves live there.
// It is removed when the object goes away (a normal stop, SIGINT or SIGTERM
// through the server's stop), and, before the server runs (during an ingest),
// by a signal handler that empties and removes it with async-signal-safe
// calls only, so an interrupted start leaves nothing behind either.
#pragma once

#include <filesystem>
#include <string>

namespace lurk::server {

class PrivateTempDir {
 public:
  explicit PrivateTempDir(const std::string& prefix);  // throws when it cannot
  ~PrivateTempDir();
  PrivateTempDir(const PrivateTempDir&) = delete;
  PrivateTempDir& operator=(const PrivateTempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }

  // SIGINT and SIGTERM remove the directory, then end the process as the
  // signal would. For the phase before a server can stop cleanly.
  void remove_on_signal();
  // Back to the default handlers (the caller installs its own).
  static void forget_signals();

 private:
  std::filesystem::path path_;
};

}  // namespace lurk::server
