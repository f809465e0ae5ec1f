// Both ends of following a growing profile (follow_delta.h, docs/live.md):
// the cursor, the delta a server makes past one, and applying it to a copy.
#include "storage/follow_delta.h"

#include <sqlite3.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdint>
#include <cstdlib>
#include <stdexcept>

#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

constexpr const char* kCursorVersion = "v1";
constexpr uint64_t kFnvOffset = 1469598103934665603ULL, kFnvPrime = 1099511628211ULL;

// FNV-1a, written out: the browser (wasm32) and the server (x86-64) must
// agree, which std::hash does not promise.
void fnv_mix(uint64_t& hash, const void* data, size_t size) {
  const unsigned char* bytes = static_cast<const unsigned char*>(data);
  for (size_t i = 0; i < size; ++i) hash = (hash ^ bytes[i]) * kFnvPrime;
}

// Every column of every row of `sql`'s result, with its type, into one hash.
uint64_t fingerprint(Database& db, const std::string& sql) {
  uint64_t hash = kFnvOffset;
  Statement rows = db.prepare(sql);
  while (rows.step()) {
    for (int c = 0; c < rows.columns(); ++c) {
      std::string text = rows.column_is_null(c) ? std::string("\x01null") : rows.column_text(c);
      fnv_mix(hash, text.data(), text.size());
      fnv_mix(hash, "\x00", 1);
    }
    fnv_mix(hash, "\n", 1);
  }
  return hash;
}

// The sources' clock offsets (docs/clocks.md): every stored time of a source
// includes its offset, so a moved offset rewrote its rows. Sources at offset
// 0 are left out: a new source (a sender connecting) changes nothing.
uint64_t clocks_fingerprint(Database& db) {
  return fingerprint(db, "SELECT id, clock_offset_ns FROM sources WHERE clock_offset_ns != 0 ORDER BY id");
}

// The whole tables, each in id (or key) order: any update in place changes it.
uint64_t whole_fingerprint(Database& db) {
  uint64_t hash = kFnvOffset;
  for (const std::string& table : follow_whole_tables()) {
    uint64_t h = fingerprint(db, "SELECT * FROM " + table + " ORDER BY rowid");
    fnv_mix(hash, &h, sizeof h);
  }
  return hash;
}

std::string hex(uint64_t value) {
  char text[17];
  std::snprintf(text, sizeof text, "%016" PRIx64, value);
  return text;
}

// A raw statement, for the column-generic copy (sqlite3_value in, sqlite3_value out).
class RawStatement {
 public:
  RawStatement(sqlite3* db, const std::string& sql) {
    if (sqlite3_prepare_v2(db, sql.c_str(), -1, &stmt_, nullptr) != SQLITE_OK)
      throw StorageError(std::string(sqlite3_errmsg(db)) + " in: " + sql);
  }
  ~RawStatement() { sqlite3_finalize(stmt_); }
  RawStatement(const RawStatement&) = delete;
  RawStatement& operator=(const RawStatement&) = delete;
  sqlite3_stmt* get() const { return stmt_; }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Copies the rows of `select` (run on `from`) into a new table `name` of
// `to` with the same columns; returns how many.
int64_t copy_rows(Database& from, const std::string& select, int64_t bound, Database& to,
                  const std::string& name) {
  RawStatement rows(from.raw(), select);
  if (bound >= 0) sqlite3_bind_int64(rows.get(), 1, bound);
  int columns = sqlite3_column_count(rows.get());
  std::string create = "CREATE TABLE \"" + name + "\" (", insert = "INSERT INTO \"" + name + "\" VALUES (";
  for (int c = 0; c < columns; ++c) {
    create += (c ? ", \"" : "\"") + std::string(sqlite3_column_name(rows.get(), c)) + "\"";
    insert += c ? ", ?" : "?";
  }
  to.exec(create + ")");
  RawStatement put(to.raw(), insert + ")");
  int64_t copied = 0;
  int rc;
  while ((rc = sqlite3_step(rows.get())) == SQLITE_ROW) {
    for (int c = 0; c < columns; ++c) sqlite3_bind_value(put.get(), c + 1, sqlite3_column_value(rows.get(), c));
    if (sqlite3_step(put.get()) != SQLITE_DONE)
      throw StorageError(std::string("follow delta: ") + sqlite3_errmsg(to.raw()));
    sqlite3_reset(put.get());
    ++copied;
  }
  if (rc != SQLITE_DONE)
    throw StorageError(from.path() + ": " + sqlite3_errmsg(from.raw()));
  return copied;
}

std::string serialize(Database& db) {
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db.raw(), "main", &size, 0);
  if (!bytes) throw StorageError("follow delta: cannot serialize (out of memory?)");
  std::string out(reinterpret_cast<const char*>(bytes), size_t(size));
  sqlite3_free(bytes);
  return out;
}

// True when the table holds exactly the cursor's rows plus some past it:
// nothing deleted or renumbered since.
bool only_appended(Database& db, const std::string& table, const FollowCursor::Table& since,
                   const FollowCursor::Table& now) {
  if (now.max_id < since.max_id) return false;
  Statement past = db.prepare("SELECT count(*) FROM " + table + " WHERE id > ?");
  past.bind(1, since.max_id);
  past.step();
  return since.count + past.column_int(0) == now.count;
}

// A read transaction held for the life of the object (BEGIN runs no lock
// until the first read; the first query takes it).
class ReadTransaction {
 public:
  explicit ReadTransaction(Database& db) : db_(db) { db_.exec("BEGIN"); }
  ~ReadTransaction() { sqlite3_exec(db_.raw(), "COMMIT", nullptr, nullptr, nullptr); }

 private:
  Database& db_;
};

}  // namespace

const std::vector<std::string>& follow_append_tables() {
  static const std::vector<std::string> tables = {
      "strings", "ingest_errors", "packets", "spans", "instants", "flows", "counters", "periods"};
  return tables;
}

const std::vector<std::string>& follow_whole_tables() {
  static const std::vector<std::string> tables = {
      "sources", "connections", "threads", "comments", "source_counters", "capture_findings", "findings"};
  return tables;
}

std::string FollowCursor::to_text() const {
  std::string text = std::string(kCursorVersion) + "." + hex(clocks) + "." + hex(whole);
  for (const Table& t : tables) text += "." + std::to_string(t.max_id) + "-" + std::to_string(t.count);
  return text;
}

FollowCursor FollowCursor::parse(const std::string& text) {
  auto bad = [&](const std::string& why) {
    return std::invalid_argument("follow cursor '" + text.substr(0, 80) + "': " + why);
  };
  std::vector<std::string> parts;
  size_t start = 0;
  for (size_t dot; (dot = text.find('.', start)) != std::string::npos; start = dot + 1)
    parts.push_back(text.substr(start, dot - start));
  parts.push_back(text.substr(start));
  if (parts[0] != kCursorVersion) throw bad("expected version v1");
  if (parts.size() != 3 + follow_append_tables().size())
    throw bad("expected " + std::to_string(follow_append_tables().size()) + " tables");
  FollowCursor cursor;
  auto number = [&](const std::string& digits, int base) {
    if (digits.empty() || digits.size() > 19 || digits.find_first_not_of(base == 16 ? "0123456789abcdef" : "0123456789") != std::string::npos)
      throw bad("'" + digits.substr(0, 20) + "' is not a number");
    unsigned long long value = std::strtoull(digits.c_str(), nullptr, base);
    // Row ids and counts are int64: 19 digits past its end would come back
    // negative (a cursor this side never wrote, and cannot write back).
    if (base == 10 && value > uint64_t(INT64_MAX)) throw bad("'" + digits + "' is out of range");
    return value;
  };
  if (parts[1].size() != 16 || parts[2].size() != 16) throw bad("expected 16 hex digits of fingerprint");
  cursor.clocks = number(parts[1], 16);
  cursor.whole = number(parts[2], 16);
  for (size_t i = 3; i < parts.size(); ++i) {
    size_t dash = parts[i].find('-');
    if (dash == std::string::npos) throw bad("expected max-count for table " + follow_append_tables()[i - 3]);
    cursor.tables.push_back({int64_t(number(parts[i].substr(0, dash), 10)),
                             int64_t(number(parts[i].substr(dash + 1), 10))});
  }
  return cursor;
}

FollowCursor FollowCursor::of(Database& db) {
  FollowCursor cursor;
  cursor.clocks = clocks_fingerprint(db);
  cursor.whole = whole_fingerprint(db);
  for (const std::string& table : follow_append_tables()) {
    Statement counts = db.prepare("SELECT coalesce(max(id), 0), count(*) FROM " + table);
    counts.step();
    cursor.tables.push_back({counts.column_int(0), counts.column_int(1)});
  }
  return cursor;
}

// Meta row of a delta: the cursor it starts from and the one it leads to.
static void write_meta(Database& delta, const FollowCursor& since, const FollowDelta& made) {
  delta.exec("CREATE TABLE follow_meta (since TEXT, next TEXT, reset INTEGER, more INTEGER, "
             "rows INTEGER, schema_version INTEGER)");
  Statement meta = delta.prepare("INSERT INTO follow_meta VALUES (?, ?, ?, ?, ?, ?)");
  meta.bind(1, since.to_text()).bind(2, made.next.to_text()).bind(3, int64_t(made.reset));
  meta.bind(4, int64_t(made.more)).bind(5, made.rows).bind(6, int64_t(kSchemaVersion));
  meta.run();
}

FollowDelta make_follow_delta(Database& profile, const FollowCursor& since, int64_t max_rows) {
  if (since.tables.size() != follow_append_tables().size())
    throw std::invalid_argument("follow cursor: wrong number of tables");
  ReadTransaction read(profile);
  if (int64_t version = profile.query_int("PRAGMA user_version"); version != kSchemaVersion)
    throw StorageError(profile.path() + ": following needs a profile of schema version " +
                       std::to_string(kSchemaVersion) + " (this one is " + std::to_string(version) + ")");
  FollowDelta made;
  FollowCursor now = FollowCursor::of(profile);
  made.next = now;
  if (now == since) return made;  // nothing new
  made.reset = now.clocks != since.clocks;
  for (size_t i = 0; i < since.tables.size() && !made.reset; ++i)
    made.reset = !only_appended(profile, follow_append_tables()[i], since.tables[i], now.tables[i]);
  Database delta(":memory:", Database::Mode::ReadWriteCreate);
  if (!made.reset) {
    delta.exec("BEGIN");
    int64_t budget = max_rows;  // rows left for this delta, over all tables
    for (size_t i = 0; i < since.tables.size(); ++i) {
      const std::string& table = follow_append_tables()[i];
      // Strings are never cut (the rows sent refer to them), but count.
      std::string limit = table == "strings" ? "" : " LIMIT " + std::to_string(std::max<int64_t>(budget, 0));
      int64_t copied = copy_rows(profile, "SELECT * FROM " + table + " WHERE id > ? ORDER BY id" + limit,
                                 since.tables[i].max_id, delta, table);
      made.rows += copied;
      budget -= copied;
      FollowCursor::Table& next = made.next.tables[i];
      if (since.tables[i].count + copied < now.tables[i].count) {
        made.more = true;
        next.count = since.tables[i].count + copied;
        next.max_id = delta.query_int("SELECT coalesce(max(id), " + std::to_string(since.tables[i].max_id) +
                                      ") FROM " + table);
      }
    }
    for (const std::string& table : follow_whole_tables())
      copy_rows(profile, "SELECT * FROM " + table + " ORDER BY rowid", -1, delta, table);
    delta.exec("COMMIT");
  }
  write_meta(delta, since, made);
  made.bytes = serialize(delta);
  return made;
}

FollowApplied apply_follow_delta(Database& copy, const std::string& delta_path) {
  Statement attach = copy.prepare("ATTACH DATABASE ? AS follow_delta");
  attach.bind(1, delta_path);
  attach.run();
  struct Detach {
    Database& db;
    ~Detach() { sqlite3_exec(db.raw(), "DETACH DATABASE follow_delta", nullptr, nullptr, nullptr); }
  } detach{copy};
  Statement meta = copy.prepare(
      "SELECT since, next, reset, more, rows, schema_version FROM follow_delta.follow_meta");
  if (!meta.step()) throw StorageError(delta_path + ": not a follow delta (no follow_meta row)");
  FollowApplied applied;
  applied.reset = meta.column_int(2) != 0;
  applied.more = meta.column_int(3) != 0;
  applied.rows = meta.column_int(4);
  std::string since = meta.column_text(0), next = meta.column_text(1);
  int64_t version = meta.column_int(5);
  meta.reset();
  if (applied.reset) return applied;
  if (version != copy.query_int("PRAGMA main.user_version"))
    throw StorageError("follow delta of schema version " + std::to_string(version) +
                       " does not fit this copy");
  if (since != FollowCursor::of(copy).to_text())
    throw StorageError("follow delta starts at another state than this copy's");
  copy.exec("BEGIN");
  try {
    for (const std::string& table : follow_append_tables())
      copy.exec("INSERT INTO main." + table + " SELECT * FROM follow_delta." + table);
    for (const std::string& table : follow_whole_tables()) {
      copy.exec("DELETE FROM main." + table);
      copy.exec("INSERT INTO main." + table + " SELECT * FROM follow_delta." + table);
    }
    copy.exec("COMMIT");
  } catch (...) {
    sqlite3_exec(copy.raw(), "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  applied.cursor = FollowCursor::of(copy).to_text();
  if (applied.cursor != next)
    throw StorageError("follow delta applied, but the copy is not at the state the server read");
  return applied;
}

}  // namespace lurk
