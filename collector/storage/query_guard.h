// The limits `lurk query` runs user SQL under: the profile is read, never
// written (nor copied with VACUUM INTO, nor joined by ATTACH), exactly one
// statement runs, and a runaway statement is stopped after a time limit.
// See docs/cli.md and docs/hostile-input.md.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

namespace lurk {

class Database;

class QueryGuard {
 public:
  // Installs the authorizer, PRAGMA query_only and the progress handler on
  // `db` (opened read-only) for the guard's lifetime.
  QueryGuard(Database& db, std::chrono::milliseconds time_limit);
  ~QueryGuard();
  QueryGuard(const QueryGuard&) = delete;
  QueryGuard& operator=(const QueryGuard&) = delete;

  // "" when `sql` is exactly one statement that only reads; otherwise what
  // is wrong ("ATTACH is refused: lurk query is read-only", "exactly one
  // statement runs, and a second one follows the first: ...").
  std::string check(std::string_view sql);

  // Starts the clock: statements stepped after this are interrupted once
  // the time limit has passed.
  void start();
  // True once the progress handler has interrupted a statement.
  bool timed_out() const { return timed_out_; }

 private:
  static int authorize(void* self, int action, const char* a, const char* b, const char* db,
                       const char* trigger);
  static int progress(void* self);

  Database& db_;
  std::chrono::milliseconds time_limit_;
  std::chrono::steady_clock::time_point deadline_;
  bool started_ = false;
  bool timed_out_ = false;
  std::string refused_;  // what the authorizer last denied, for the message
};

}  // namespace lurk
