// The read-only, one-statement, time-limited runner of user SQL; see
// query_guard.h.
#include "storage/query_guard.h"

#include <sqlite3.h>

#include <set>

#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

// PRAGMAs that only report, with no argument (with one, several of them
// would set the value: user_version = 7).
const std::set<std::string, std::less<>> kReportingPragmas = {
    "application_id", "collation_list",  "compile_options", "data_version",
    "database_list",  "encoding",        "foreign_key_check", "foreign_key_list",
    "freelist_count", "function_list",   "index_info",      "index_list",
    "index_xinfo",    "integrity_check", "module_list",     "page_count",
    "page_size",      "pragma_list",     "query_only",      "quick_check",
    "schema_version", "table_info",      "table_list",      "table_xinfo",
    "user_version"};

// PRAGMAs whose argument names what to report on, never a value to set.
const std::set<std::string, std::less<>> kPragmasWithSubject = {
    "foreign_key_check", "foreign_key_list", "index_info", "index_list", "index_xinfo",
    "integrity_check",   "quick_check",      "table_info", "table_list", "table_xinfo"};

std::string action_name(int action, const char* a) {
  switch (action) {
    case SQLITE_INSERT: return std::string("INSERT into ") + (a ? a : "?");
    case SQLITE_UPDATE: return std::string("UPDATE of ") + (a ? a : "?");
    case SQLITE_DELETE: return std::string("DELETE from ") + (a ? a : "?");
    case SQLITE_ATTACH: return "ATTACH";
    case SQLITE_DETACH: return "DETACH";
    case SQLITE_PRAGMA: return std::string("PRAGMA ") + (a ? a : "?");
    case SQLITE_TRANSACTION: return "a transaction statement";
    case SQLITE_SAVEPOINT: return "SAVEPOINT";
    case SQLITE_ALTER_TABLE: return "ALTER TABLE";
    case SQLITE_REINDEX: return "REINDEX";
    case SQLITE_ANALYZE: return "ANALYZE";
    default: return "a statement that changes the schema (CREATE/DROP)";
  }
}

std::string trimmed(std::string_view text) {
  size_t begin = text.find_first_not_of(" \t\r\n;");
  if (begin == std::string_view::npos) return "";
  std::string rest(text.substr(begin));
  return rest.size() > 60 ? rest.substr(0, 60) + "..." : rest;
}

}  // namespace

QueryGuard::QueryGuard(Database& db, std::chrono::milliseconds time_limit)
    : db_(db), time_limit_(time_limit) {
  // Belt and braces: the file is opened read-only, query_only refuses any
  // change to it, and the authorizer refuses everything but reading.
  db_.exec("PRAGMA query_only = 1");
  sqlite3_set_authorizer(db_.raw(), &QueryGuard::authorize, this);
  if (time_limit_.count() > 0) sqlite3_progress_handler(db_.raw(), 10000, &QueryGuard::progress, this);
}

QueryGuard::~QueryGuard() {
  sqlite3_progress_handler(db_.raw(), 0, nullptr, nullptr);
  sqlite3_set_authorizer(db_.raw(), nullptr, nullptr);
}

int QueryGuard::authorize(void* self, int action, const char* a, const char* b, const char*,
                          const char* trigger) {
  auto* guard = static_cast<QueryGuard*>(self);
  switch (action) {
    case SQLITE_SELECT:
    case SQLITE_READ:
    case SQLITE_FUNCTION:
    case SQLITE_RECURSIVE:
      return SQLITE_OK;
    case SQLITE_UPDATE:
      // SQLite itself asks this while it sets up a table-valued PRAGMA
      // function (pragma_table_info(...)); a real write to the schema table
      // is impossible here anyway (read-only file, query_only, defensive mode
      // without writable_schema) and sqlite3_stmt_readonly() is checked too.
      if (a && std::string_view(a) == "sqlite_master" && !trigger) return SQLITE_OK;
      break;
    case SQLITE_PRAGMA:
      if (a && (b ? kPragmasWithSubject.contains(a) : kReportingPragmas.contains(a)))
        return SQLITE_OK;
      break;
    default:
      break;
  }
  guard->refused_ = action_name(action, a);
  return SQLITE_DENY;
}

int QueryGuard::progress(void* self) {
  auto* guard = static_cast<QueryGuard*>(self);
  if (!guard->started_ || std::chrono::steady_clock::now() < guard->deadline_) return 0;
  guard->timed_out_ = true;
  return 1;  // interrupts the statement: sqlite3_step returns SQLITE_INTERRUPT
}

void QueryGuard::start() {
  deadline_ = std::chrono::steady_clock::now() + time_limit_;
  started_ = true;
}

std::string QueryGuard::check(std::string_view sql) {
  sqlite3* db = db_.raw();
  refused_.clear();
  sqlite3_stmt* first = nullptr;
  const char* tail = nullptr;
  int rc = sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &first, &tail);
  if (rc != SQLITE_OK) {
    if (!refused_.empty()) return refused_ + " is refused: lurk query is read-only";
    return sqlite3_errmsg(db);
  }
  if (!first) return "no SQL statement given";
  // VACUUM (INTO) passes the authorizer; SQLite knows it is not a read.
  bool reads_only = sqlite3_stmt_readonly(first) != 0;
  sqlite3_finalize(first);
  if (!reads_only) return "the statement would write (or copy the profile, as VACUUM INTO does): "
           "lurk query is read-only";
  std::string_view rest = sql.substr(static_cast<size_t>(tail - sql.data()));
  sqlite3_stmt* second = nullptr;
  rc = sqlite3_prepare_v2(db, rest.data(), static_cast<int>(rest.size()), &second, nullptr);
  bool another = rc != SQLITE_OK || second != nullptr;
  sqlite3_finalize(second);
  if (another)
    return "exactly one statement runs, and a second one follows the first: '" +
           trimmed(rest) + "'";
  return "";
}

}  // namespace lurk
