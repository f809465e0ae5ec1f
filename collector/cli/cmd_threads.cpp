// lurk threads FILE.lurk [--failed] [--unresolved] [--source ID]: the threads
// of the profile's stack traces (Lwt promises, OS threads), one per line,
// tab-separated with a header, so joins and failures can be checked from a
// terminal. A count of failed and never-resolved threads goes to stderr.
#include <CLI/CLI.hpp>

#include <iostream>
#include <memory>

#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "ingest/ingest.h"
#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk::cli {
namespace {

struct ThreadsOptions {
  std::string file;
  bool failed = false;
  bool unresolved = false;
  int64_t source = 0;  // 0: every source
};

constexpr const char* kThreadsSql = R"(
SELECT t.source_id, t.id, t.ext_id, t.connection_id, t.link_how, t.kind, n.text,
       t.start_ns, t.end_ns, t.failed, x.text, b.ext_id,
       EXISTS (SELECT 1 FROM instants i WHERE i.thread_id = t.id AND i.kind = 'never-resolved')
  FROM threads t
  LEFT JOIN strings n ON n.id = t.name
  LEFT JOIN strings x ON x.id = t.exception
  LEFT JOIN threads b ON b.id = t.became_id
 WHERE (?1 = 0 OR t.source_id = ?1)
 ORDER BY t.source_id, t.sort_index, t.id)";

// Text for one tab-separated cell: tabs and line breaks would split the
// row, and a trace's names may hold escape sequences (cli/terminal_text.h).
std::string cell(const Statement& s, int column) {
  if (s.column_is_null(column)) return "-";
  std::string text = terminal_safe(s.column_text(column));
  return text.empty() ? "-" : text;
}

// What became of the thread, in one word (plus the thread it became).
std::string status_of(const Statement& s) {
  if (s.column_int(9)) return "failed";
  if (s.column_int(12)) return "never-resolved";
  if (!s.column_is_null(11)) return "became " + terminal_safe(s.column_text(11));
  if (!s.column_is_null(8)) return "resolved";
  return "pending";
}

int list_threads(const ThreadsOptions& o) {
  Database db(o.file, Database::Mode::ReadOnly);
  if (std::string problem = schema_problem(db); !problem.empty()) {
    std::cerr << "lurk: " << o.file << ": " << problem << "\n";
    return int(kExitFailure);
  }
  Statement s = db.prepare(kThreadsSql);
  s.bind(1, o.source);
  std::cout << "source\tid\text_id\tconnection\tkind\tname\tstart_ns\tend_ns\tstatus\texception\n";
  int64_t listed = 0, failed = 0, unresolved = 0;
  while (s.step()) {
    bool is_failed = s.column_int(9) != 0, is_unresolved = s.column_int(12) != 0;
    failed += is_failed;
    unresolved += is_unresolved;
    if (o.failed && !is_failed) continue;
    if (o.unresolved && !is_unresolved) continue;
    std::string connection = cell(s, 3);
    if (connection != "-" && !s.column_is_null(4)) connection += " (" + cell(s, 4) + ")";
    std::cout << cell(s, 0) << '\t' << cell(s, 1) << '\t' << cell(s, 2) << '\t' << connection
              << '\t' << cell(s, 5) << '\t' << cell(s, 6) << '\t' << cell(s, 7) << '\t'
              << cell(s, 8) << '\t' << status_of(s) << '\t' << cell(s, 10) << '\n';
    ++listed;
  }
  std::cerr << "lurk threads: " << listed << " listed; " << failed << " failed, " << unresolved
            << " must-resolve never resolved\n";
  return int(kExitOk);
}

}  // namespace

CommandRunner add_threads_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "threads", "List the threads of a profile's traces (id, connection, type, times, exception)");
  auto o = std::make_shared<ThreadsOptions>();
  cmd->add_option("file", o->file, "the .lurk profile")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--failed", o->failed, "only threads that failed (with their exception)");
  cmd->add_flag("--unresolved", o->unresolved,
                "only threads marked must-resolve that never resolved");
  cmd->add_option("--source", o->source, "only threads of this source id (sources.id)");
  return [o] { return list_threads(*o); };
}

}  // namespace lurk::cli
