// lurk packets FILE.lurk [--flagged|--all] [--source N]: one line per TCP
// packet of a capture source, in frame order: frame, connection id and the
// analysis flags by Wireshark field name (docs/cli.md). The tab-separated
// form is what the tshark oracle test compares.
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>

#include "analysis/flag_text.h"
#include "cli/commands.h"
#include "ingest/ingest.h"
#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk::cli {
namespace {

struct PacketsOptions {
  std::string file;
  bool flagged = false;
  bool all = false;
  std::optional<int64_t> source;
};

// The first capture source, when none was named.
std::optional<int64_t> default_capture_source(Database& db) {
  Statement first = db.prepare(
      "SELECT id FROM sources WHERE format IN ('pcap', 'pcapng') ORDER BY id LIMIT 1");
  if (!first.step()) return std::nullopt;
  return first.column_int(0);
}

int print_packets(const PacketsOptions& options) {
  Database db(options.file, Database::Mode::ReadOnly);
  if (std::string problem = schema_problem(db); !problem.empty()) {
    std::cerr << "lurk: " << options.file << ": " << problem << "\n";
    return kExitFailure;
  }
  std::optional<int64_t> source = options.source ? options.source : default_capture_source(db);
  if (!source) return kExitOk;  // no capture in the profile: no packets
  std::string sql =
      "SELECT frame, connection_id, analysis, dup_ack_num, dup_ack_frame FROM packets "
      "WHERE source_id = ?";
  if (!options.all) sql += " AND analysis != 0";
  sql += " ORDER BY id";  // a source's packets are written in frame order
  Statement rows = db.prepare(sql);
  rows.bind(1, *source);
  std::string line;
  while (rows.step()) {
    line = std::to_string(rows.column_int(0));
    line += '\t';
    line += std::to_string(rows.column_int(1));
    line += '\t';
    line += analysis_flags_text(uint64_t(rows.column_int(2)), rows.column_optional_int(3),
                                rows.column_optional_int(4));
    line += '\n';
    std::cout << line;
  }
  return kExitOk;
}

}  // namespace

CommandRunner add_packets_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "packets", "Print TCP packets with their analysis flags (Wireshark field names)");
  auto options = std::make_shared<PacketsOptions>();
  cmd->add_option("file", options->file, "the .lurk profile")->required()->check(CLI::ExistingFile);
  auto* flagged = cmd->add_flag("--flagged", options->flagged,
                                "only packets with analysis flags (the default)");
  cmd->add_flag("--all", options->all, "every TCP packet")->excludes(flagged);
  cmd->add_option("--source", options->source,
                  "sources.id of the capture (default: the first pcap/pcapng source)");
  cmd->footer("Output: frame<TAB>connection_id<TAB>flags, one line per packet in frame order.");
  return [options] { return print_packets(*options); };
}

}  // namespace lurk::cli
