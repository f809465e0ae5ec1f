// lurk findings FILE.lurk [--format table|json] [--fail-on-findings]: the
// ranked list of what the findings detector (collector/findings,
// docs/findings.md) stored at ingest: kind, severity, where (connection,
// thread, time) and what. With --fail-on-findings the exit code says
// whether there were any, for CI.
#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "ingest/ingest.h"
#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk::cli {
namespace {

struct FindingsOptions {
  std::string file;
  std::string format = "table";
  bool fail_on_findings = false;
};

nlohmann::ordered_json optional_int(const Statement& row, int column) {
  if (row.column_is_null(column)) return nullptr;
  return row.column_int(column);
}

nlohmann::ordered_json finding_json(const Statement& row, int64_t rank) {
  nlohmann::ordered_json f;
  f["rank"] = rank;
  f["id"] = row.column_int(0);
  f["kind"] = row.column_text(1);
  f["severity"] = row.column_int(2);
  f["title"] = row.column_text(3);
  f["detail"] = row.column_is_null(4) ? nlohmann::ordered_json(nullptr)
                                      : nlohmann::ordered_json(row.column_text(4));
  f["connection_id"] = optional_int(row, 5);
  f["thread_id"] = optional_int(row, 6);
  f["ts_ns"] = optional_int(row, 7);
  f["duration_ns"] = optional_int(row, 8);
  return f;
}

std::string cell(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "-";
  if (value.is_string()) return terminal_safe(value.get<std::string>());
  return value.dump();
}

void print_table(const std::vector<nlohmann::ordered_json>& rows) {
  std::cout << "rank\tseverity\tkind\tconnection\tthread\tts_ns\tduration_ms\ttitle\tdetail\n";
  for (const auto& f : rows) {
    std::string duration = f["duration_ns"].is_null()
                               ? "-"
                               : std::to_string(double(f["duration_ns"].get<int64_t>()) / 1e6);
    std::cout << f["rank"] << '\t' << f["severity"] << '\t' << cell(f["kind"]) << '\t'
              << cell(f["connection_id"]) << '\t' << cell(f["thread_id"]) << '\t'
              << cell(f["ts_ns"]) << '\t' << duration << '\t' << cell(f["title"]) << '\t'
              << cell(f["detail"]) << '\n';
  }
}

int print_findings(const FindingsOptions& options) {
  Database db(options.file, Database::Mode::ReadOnly);
  if (std::string problem = schema_problem(db); !problem.empty()) {
    std::cerr << "lurk: " << options.file << ": " << problem << "\n";
    return kExitFailure;
  }
  Statement query = db.prepare(
      "SELECT id, kind, severity, title, detail, connection_id, thread_id, ts_ns, duration_ns "
      "FROM findings ORDER BY severity DESC, coalesce(duration_ns, 0) DESC, ts_ns, id");
  std::vector<nlohmann::ordered_json> rows;
  while (query.step()) rows.push_back(finding_json(query, int64_t(rows.size()) + 1));
  if (options.format == "json") {
    // Invalid UTF-8 from a trace becomes U+FFFD: the output stays valid JSON.
    std::cout << nlohmann::ordered_json(rows).dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << "\n";
  } else {
    print_table(rows);
  }
  std::cerr << rows.size() << (rows.size() == 1 ? " finding\n" : " findings\n");
  if (options.fail_on_findings && !rows.empty()) return kExitFindings;
  return kExitOk;
}

}  // namespace

CommandRunner add_findings_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("findings", "Ranked list of what to look at (lurking bugs)");
  auto options = std::make_shared<FindingsOptions>();
  cmd->add_option("file", options->file, "the .lurk profile")->required()->check(CLI::ExistingFile);
  cmd->add_option("--format", options->format, "table (tab-separated, default) or json")
      ->check(CLI::IsMember({"table", "json"}));
  cmd->add_flag("--fail-on-findings", options->fail_on_findings,
                "exit with code 4 when there is any finding (for CI)");
  return [options] { return print_findings(*options); };
}

}  // namespace lurk::cli
