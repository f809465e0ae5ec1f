// `lurk collect`'s WAL checkpoints, on a thread and a connection of their
// own (docs/live.md, "Batches, what they hold, and a killed collector"). The profile is in WAL mode while collecting:
// each batch's COMMIT appends its pages to the -wal file, and a checkpoint
// copies them back into the profile so that the WAL can start over. SQLite
// runs that checkpoint itself, in the COMMIT that takes the WAL past 1,000
// pages, on the connection that committed: the writer's thread, the
// collector's busiest, spent ~13% of its time there (reading the WAL's
// frames back, writing them to the profile, two fsyncs; bench/RESULTS.md,
// "live12"). Here the writer's connection only says, after each commit, how
// long the WAL is, and this thread checkpoints (PASSIVE: it never waits for
// the writer) while the writer goes on with the next batch. The writer waits
// for it only once per ~8,000 WAL pages, to start the WAL over (.cpp).
//
// What stays the same: what is committed is in the WAL, durable as before,
// whether a checkpoint ran or not (a killed collector's WAL is recovered when
// the profile is next opened); a checkpoint copies committed pages only.
#pragma once

#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

struct sqlite3;

namespace lurk::live {

class WalCheckpointer {
 public:
  // `writer` is the connection that commits the batches (the profile at
  // `path`, in WAL mode); from now on its commits hand their checkpoints to
  // this thread. Throws when the second connection cannot be opened.
  WalCheckpointer(sqlite3* writer, const std::string& path);
  // Stops the thread and closes its connection; the writer checkpoints as
  // SQLite does by default again.
  ~WalCheckpointer();
  WalCheckpointer(const WalCheckpointer&) = delete;
  WalCheckpointer& operator=(const WalCheckpointer&) = delete;

 private:
  // SQLite's WAL hook: after each commit of the writer, on its thread.
  static int on_commit(void* self, sqlite3* db, const char* schema, int wal_pages);
  void run();

  sqlite3* writer_ = nullptr;
  sqlite3* db_ = nullptr;  // this thread's connection
  std::string path_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool due_ = false, stopping_ = false;
  bool running_ = false;         // this thread is checkpointing
  bool writer_copying_ = false;  // the writer is (kRestartPages)
  bool reported_ = false;  // an error is said once
  std::thread thread_;
};

}  // namespace lurk::live
