// lurk query FILE.lurk "SQL" [--timeout 30s]: one read-only SQL statement on
// a profile, printed like the sqlite3 shell (tab-separated), with the text of
// each cell escaped for the terminal (cli/terminal_text.h). The statement
// runs under storage/query_guard.h: no writes, no ATTACH or VACUUM INTO, no
// second statement, and a time limit (docs/cli.md).
#include <CLI/CLI.hpp>

#include <chrono>
#include <iostream>

#include "cli/commands.h"
#include "cli/duration_arg.h"
#include "cli/terminal_text.h"
#include "ingest/ingest.h"
#include "storage/query_guard.h"
#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk::cli {
namespace {

struct QueryOptions {
  std::string file;
  std::string sql;
  bool header = false;
  std::string timeout = "30s";
};

std::string cell(const Statement& statement, int column) {
  return terminal_safe(statement.column_text(column));
}

int run_query(const QueryOptions& o) {
  std::optional<int64_t> limit_ns = parse_duration_ns(o.timeout);
  if (!limit_ns || *limit_ns < 0) {
    std::cerr << "lurk query: --timeout '" << o.timeout << "' is not a duration (30s, 500ms, 0 for none)\n";
    return int(kExitFailure);
  }
  Database db(o.file, Database::Mode::ReadOnly);
  if (std::string problem = schema_problem(db); !problem.empty()) {
    std::cerr << "lurk: " << o.file << ": " << problem << "\n";
    return int(kExitFailure);
  }
  auto limit = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::nanoseconds(*limit_ns));
  if (*limit_ns > 0 && limit.count() == 0) limit = std::chrono::milliseconds(1);
  QueryGuard guard(db, limit);
  if (std::string problem = guard.check(o.sql); !problem.empty()) {
    std::cerr << "lurk query: " << problem << "\n";
    return int(kExitFailure);
  }
  guard.start();
  try {
    Statement statement = db.prepare(o.sql);  // the first (and only) statement
    if (o.header) {
      for (int i = 0; i < statement.columns(); ++i)
        std::cout << (i ? "\t" : "") << terminal_safe(statement.column_name(i));
      std::cout << "\n";
    }
    while (statement.step()) {
      for (int i = 0; i < statement.columns(); ++i)
        std::cout << (i ? "\t" : "") << cell(statement, i);
      std::cout << "\n";
    }
  } catch (const StorageError& e) {
    std::cout.flush();
    if (guard.timed_out())
      std::cerr << "lurk query: stopped after the time limit of " << o.timeout
                << " (--timeout; 0 for none)\n";
    else
      std::cerr << "lurk query: " << e.what() << "\n";
    return int(kExitFailure);
  }
  return int(kExitOk);
}

}  // namespace

CommandRunner add_query_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("query", "Run one read-only SQL statement on a .lurk profile");
  auto o = std::make_shared<QueryOptions>();
  cmd->add_option("file", o->file, "the .lurk profile")->required()->check(CLI::ExistingFile);
  cmd->add_option("sql", o->sql, "one SQL statement that only reads")->required();
  cmd->add_flag("--header", o->header, "print column names first");
  cmd->add_option("--timeout", o->timeout,
                  "stop the statement after this long (default 30s; 0: no limit)");
  return [o] { return run_query(*o); };
}

}  // namespace lurk::cli
