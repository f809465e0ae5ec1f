#include "live/wal_checkpointer.h"

#include <pthread.h>
#include <sqlite3.h>

#include <iostream>
#include <stdexcept>

namespace lurk::live {
namespace {

// SQLite's own threshold (wal_autocheckpoint's default): past this many
// pages in the WAL after a commit, this thread copies them back.
constexpr int kCheckpointPages = 1000;

// The WAL starts over from its first page only when a transaction of the
// writer begins with every page of it copied back, and this thread's
// copies always lag the writer by the batch it is writing: past this many
// pages (~32 MiB of 4 KiB pages, about eight 100,000-event batches) the
// writer itself copies, right after its COMMIT, the pages this thread has
// not copied yet (mostly the last batch's), so that its next BEGIN starts
// the WAL over. That bounds the -wal file, and what readers of the profile
// search through, at about this size.
constexpr int kRestartPages = 8000;

}  // namespace

WalCheckpointer::WalCheckpointer(sqlite3* writer, const std::string& path)
    : writer_(writer), path_(path) {
  // Opened by SQLite only: a descriptor of our own on the file, closed,
  // would drop the writer connection's POSIX locks (storage/sqlite_handle.h).
  int flags = SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string why = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + path + " to checkpoint it: " + why);
  }
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_TRUSTED_SCHEMA, 0, nullptr);
  sqlite3_db_config(db_, SQLITE_DBCONFIG_DEFENSIVE, 1, nullptr);
  // As the writer's: the WAL is synced before its pages are copied, the
  // profile after (a checkpoint is safe against a kill or a power cut).
  // It is also this connection's first read of the file: the one that opens
  // the WAL. Unchecked, a failure here (busy reading the schema) left a
  // connection whose every checkpoint was a silent no-op; it waits for a
  // lock a while, and the collector fails at start saying why.
  sqlite3_busy_timeout(db_, 5000);
  if (sqlite3_exec(db_, "PRAGMA synchronous = NORMAL", nullptr, nullptr, nullptr) != SQLITE_OK) {
    std::string why = sqlite3_errmsg(db_);
    sqlite3_close(db_);
    throw std::runtime_error("cannot open " + path + " to checkpoint it: " + why);
  }
  thread_ = std::thread([this] { run(); });
  sqlite3_wal_hook(writer_, &WalCheckpointer::on_commit, this);  // replaces wal_autocheckpoint's
}

WalCheckpointer::~WalCheckpointer() {
  sqlite3_wal_autocheckpoint(writer_, kCheckpointPages);  // SQLite's default hook again
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  thread_.join();
  sqlite3_close(db_);
}

int WalCheckpointer::on_commit(void* self, sqlite3* db, const char* schema, int wal_pages) {
  auto* me = static_cast<WalCheckpointer*>(self);
  if (wal_pages >= kRestartPages) {
    // Two checkpoints cannot run at once (the second is busy at once, and
    // the WAL would not start over): the writer waits for this thread's,
    // which copied most of the pages, then copies the rest itself.
    std::unique_lock<std::mutex> lock(me->mutex_);
    me->wake_.wait(lock, [me] { return !me->running_; });
    me->writer_copying_ = true;
    me->due_ = false;  // nothing left for this thread once the writer is done
    lock.unlock();
    sqlite3_wal_checkpoint_v2(db, schema, SQLITE_CHECKPOINT_PASSIVE, nullptr, nullptr);
    lock.lock();
    me->writer_copying_ = false;
  } else if (wal_pages >= kCheckpointPages) {
    std::lock_guard<std::mutex> lock(me->mutex_);
    me->due_ = true;
  }
  me->wake_.notify_all();
  return SQLITE_OK;  // a checkpoint's trouble is no commit's: the batch is durable
}

void WalCheckpointer::run() {
  pthread_setname_np(pthread_self(), "lurk-checkpoint");  // as top and /proc show it
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return (due_ && !writer_copying_) || stopping_; });
    if (stopping_) return;
    due_ = false;
    running_ = true;
    lock.unlock();
    int wal_frames = 0;
    int rc = sqlite3_wal_checkpoint_v2(db_, nullptr, SQLITE_CHECKPOINT_PASSIVE, &wal_frames, nullptr);
    lock.lock();
    running_ = false;
    wake_.notify_all();  // a writer waiting to copy the rest itself
    // Busy: another process is checkpointing the profile (one that had it
    // open and closed it); the next commit asks again. Anything else (a
    // full disk) leaves the pages in the WAL,
    // where they are durable; the writer's next commit meets the same
    // trouble and fails the collector with it. Said once here.
    if (rc != SQLITE_OK && (rc & 0xff) != SQLITE_BUSY && !reported_) {
      reported_ = true;
      std::cerr << "lurk collect: " << path_ << ": a WAL checkpoint failed: " << sqlite3_errmsg(db_)
                << "\n";
    }
    // -1: this connection does not see the file in WAL mode, so it copied
    // nothing; the writer's copies past kRestartPages still bound the WAL.
    if (rc == SQLITE_OK && wal_frames == -1 && !reported_) {
      reported_ = true;
      std::cerr << "lurk collect: " << path_ << ": the checkpoint thread does not see the WAL; the writer "
                << "copies its pages back itself\n";
    }
  }
}

}  // namespace lurk::live
