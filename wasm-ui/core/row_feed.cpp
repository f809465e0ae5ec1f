// feed_rows(): the lurk_rows() aggregate and the one step that runs it
// (row_feed.h says why rows are read this way).
#include "core/row_feed.h"

#include <string>

#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

constexpr const char* kFeedType = "lurk_feed";

struct Feed {
  void* target = nullptr;
  RowFunction row = nullptr;
};

// lurk_rows(feed, columns...): one call per row, in scan order. The feed is
// bound as a pointer (sqlite3_bind_pointer), so SQL cannot forge one: any
// other first argument reads as NULL and the call is an error.
// The feed is looked up on the first row and kept in the aggregate's context
// (a type check and a string compare less per row).
void feed_step(sqlite3_context* context, int argc, sqlite3_value** argv) {
  auto** kept = static_cast<Feed**>(sqlite3_aggregate_context(context, sizeof(Feed*)));
  if (!kept) return sqlite3_result_error_nomem(context);
  if (!*kept && argc > 0) *kept = static_cast<Feed*>(sqlite3_value_pointer(argv[0], kFeedType));
  Feed* feed = *kept;
  if (!feed) return sqlite3_result_error(context, "lurk_rows() runs only inside feed_rows()", -1);
  if (!feed->row(feed->target, RowValues(argv + 1))) sqlite3_result_error_nomem(context);
}

void feed_final(sqlite3_context* context) { sqlite3_result_null(context); }

// Registered before each run (a connection may be new at the same address):
// registering it again while a statement of the connection runs is refused
// (SQLITE_BUSY), which is fine: it is there, and keeps no state of its own.
void register_feed(sqlite3* db) {
  int rc = sqlite3_create_function_v2(db, "lurk_rows", -1, SQLITE_UTF8 | SQLITE_DIRECTONLY,
                                      nullptr, nullptr, feed_step, feed_final, nullptr);
  if (rc != SQLITE_OK && rc != SQLITE_BUSY)
    throw StorageError(std::string("cannot register lurk_rows(): ") + sqlite3_errmsg(db));
}

}  // namespace

void feed_rows(Database& db, const char* sql, int64_t after, void* target, RowFunction row) {
  sqlite3* raw = db.raw();
  if (sqlite3_get_autocommit(raw))
    throw StorageError("feed_rows() outside a read transaction (a ReadSnapshot)");
  register_feed(raw);
  sqlite3_stmt* stmt = nullptr;
  if (sqlite3_prepare_v2(raw, sql, -1, &stmt, nullptr) != SQLITE_OK) {
    std::string message = sqlite3_errmsg(raw);
    sqlite3_finalize(stmt);
    throw StorageError(message + " (in: " + sql + ")");
  }
  Feed feed{target, row};
  sqlite3_bind_int64(stmt, 1, after);
  sqlite3_bind_pointer(stmt, 2, &feed, kFeedType, nullptr);
  int rc = sqlite3_step(stmt);
  while (rc == SQLITE_ROW) rc = sqlite3_step(stmt);  // the aggregate's one row
  if (rc != SQLITE_DONE) {
    std::string message = sqlite3_errmsg(raw);
    sqlite3_finalize(stmt);
    throw StorageError(db.path() + ": reading rows: " + message);
  }
  sqlite3_finalize(stmt);
}

ReadSnapshot::ReadSnapshot(Database& db) {
  if (!sqlite3_get_autocommit(db.raw())) return;
  db.exec("BEGIN");
  db_ = db.raw();
}

// Reads only: ending it cannot lose anything, and a destructor must not throw.
ReadSnapshot::~ReadSnapshot() {
  if (db_) sqlite3_exec(db_, "COMMIT", nullptr, nullptr, nullptr);
}

}  // namespace lurk::ui
