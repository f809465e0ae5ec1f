// One committed state of a profile read by two connections: the view's
// (FrameEndpoint, in the read transaction of its open) and its background's
// (background_lane_store.h, on a thread and a connection of its own). Each
// taking its own read transaction would let a commit land between the two
// (`lurk collect` appending, a clock shift, the joiner replacing flows), and
// the background would make flows, periods and a store of another state than
// the view's model: a flow could then name the wrong thread by its index.
//
// In WAL mode (a profile `lurk collect` is writing) a reader does not hold
// writers off, so the background opens the view's very snapshot
// (sqlite3_snapshot_get / sqlite3_snapshot_open). In rollback mode a reader's
// SHARED lock keeps every writer from committing: the background takes its
// own while the view still holds one, so no commit can come between. Either
// way the view's transaction must stay open until begin_in() has returned.
// (A WAL without frames has no snapshot to share: the background then
// checks that it finds none either, else it refuses: a commit came between.)
#pragma once

#include <string>

struct sqlite3_snapshot;

namespace lurk {
class Database;
}

namespace lurk::server {

class SharedReadSnapshot {
 public:
  // `db` is inside a read transaction (BEGIN); the state it reads is fixed here.
  explicit SharedReadSnapshot(Database& db);
  ~SharedReadSnapshot();
  SharedReadSnapshot(const SharedReadSnapshot&) = delete;
  SharedReadSnapshot& operator=(const SharedReadSnapshot&) = delete;

  // Begins a read transaction of `other` (the same profile opened for
  // reading, no transaction open) at that state, or throws StorageError
  // saying why it cannot (a writer was committing at that instant, in
  // rollback mode; the WAL was reset): then `other` has no transaction open.
  void begin_in(Database& other) const;

 private:
  sqlite3_snapshot* wal_ = nullptr;  // WAL mode only
  bool empty_wal_ = false;            // WAL mode, no frames in it: no snapshot to take
};

}  // namespace lurk::server
