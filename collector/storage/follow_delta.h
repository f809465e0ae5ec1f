// Following a growing profile (docs/live.md, "Following a profile as it
// grows"): what a viewer that holds a copy of a profile needs to catch up
// with the file, without reading the file again.
//
// The copy's state is a cursor: per append-only table (packets, spans, ...)
// its largest id and its row count, plus a fingerprint of the sources'
// clocks. The server answers a cursor with a delta: a small SQLite database
// holding, read in one read transaction of the profile, the rows past the
// cursor's ids in the append-only tables and the whole of the small tables
// that are updated in place (sources, connections, threads, findings...).
// When the profile changed otherwise (rows deleted or rewritten, e.g. by the
// whole-profile passes when a collection stops, or a clock aligned), the
// delta says "reset": the viewer loads the whole profile again.
//
// Both ends are here, so that they agree: make_follow_delta (the server,
// collector/server/follow_endpoint) and apply_follow_delta (the UI's copy in
// the browser, wasm-ui/app/ui_app_follow.cpp), natively testable.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lurk {

class Database;

struct FollowCursor {
  struct Table {
    int64_t max_id = 0;
    int64_t count = 0;
    bool operator==(const Table&) const = default;
  };
  std::vector<Table> tables;  // one per follow_append_tables(), in that order
  uint64_t clocks = 0;        // fingerprint of the sources' clock offsets (non-zero ones)
  uint64_t whole = 0;         // fingerprint of the whole tables (follow_whole_tables)

  // "v1.<clocks hex>.<whole hex>.<max>-<count>.<max>-<count>..." (URL-safe).
  std::string to_text() const;
  // Throws std::invalid_argument saying what is wrong with `text`.
  static FollowCursor parse(const std::string& text);
  // The state a profile (or its copy) holds now.
  static FollowCursor of(Database& db);
  bool operator==(const FollowCursor&) const = default;
};

// Tables only appended to while a profile grows: sent by id past the cursor.
const std::vector<std::string>& follow_append_tables();
// Small tables updated in place (a thread ends, a connection's counts grow):
// sent whole in every delta that has new rows.
const std::vector<std::string>& follow_whole_tables();

struct FollowDelta {
  std::string bytes;      // the delta database (sqlite3_serialize), empty when nothing changed
  bool reset = false;     // the profile changed other than by appends: load it whole again
  bool more = false;      // rows were left for the next delta (max_rows reached)
  int64_t rows = 0;       // append-only rows in the delta
  FollowCursor next;      // the cursor after applying it
};

// Reads what `profile` holds past `since`, in one read transaction (a
// consistent committed state). At most `max_rows` rows in all (the new
// strings, which the rows refer to, are always sent whole and count too).
// Nothing new: empty bytes, next == since. Throws StorageError (a writer holds
// the file: SQLITE_BUSY; the caller retries later).
FollowDelta make_follow_delta(Database& profile, const FollowCursor& since, int64_t max_rows);

struct FollowApplied {
  bool reset = false;
  bool more = false;
  int64_t rows = 0;
  std::string cursor;  // the copy's cursor after the delta, as text
};

// Applies the delta database at `delta_path` to `copy` in one transaction.
// A reset delta changes nothing (the caller loads the profile whole). Throws
// StorageError when the delta does not fit the copy (another schema, or a
// cursor the copy is not at).
FollowApplied apply_follow_delta(Database& copy, const std::string& delta_path);

}  // namespace lurk
