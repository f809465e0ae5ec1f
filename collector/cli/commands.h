// Each lurk subcommand registers itself on the CLI11 app; main() runs the one
// chosen. A command's run function returns the process exit code (ingest.h).
#pragma once

#include <functional>

namespace CLI {
class App;
}

namespace lurk::cli {

using CommandRunner = std::function<int()>;

// Each adds its subcommand to `app` and returns the function that runs it.
CommandRunner add_ingest_command(CLI::App& app);
CommandRunner add_view_command(CLI::App& app);
CommandRunner add_query_command(CLI::App& app);
CommandRunner add_packets_command(CLI::App& app);
CommandRunner add_stats_command(CLI::App& app);
CommandRunner add_threads_command(CLI::App& app);
CommandRunner add_findings_command(CLI::App& app);
// `lurk export IN.lurk (-o OUT.lurk | --html OUT.html) [--anonymize ...]` (docs/sharing.md).
CommandRunner add_export_command(CLI::App& app);
// `lurk collect --listen` / `lurk send` (docs/live.md).
CommandRunner add_collect_command(CLI::App& app);
CommandRunner add_send_command(CLI::App& app);

// `lurk findings --fail-on-findings` when there are findings (docs/cli.md).
inline constexpr int kExitFindings = 4;

}  // namespace lurk::cli
