// lurk: the command-line front of the collector. See docs/cli.md.
#include <CLI/CLI.hpp>

#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/heap_pages.h"
#include "ingest/ingest.h"
#include "lurk_version.h"

int main(int argc, char** argv) {
  lurk::cli::use_huge_pages_for_heap();
  CLI::App app{"lurk: trace profiler for network stacks"};
  app.set_version_flag("--version", std::string("lurk ") + LURK_VERSION);
  app.require_subcommand(1);

  std::map<CLI::App*, lurk::cli::CommandRunner> runners;
  auto add = [&](lurk::cli::CommandRunner runner) {
    runners[app.get_subcommands({}).back()] = std::move(runner);
  };
  add(lurk::cli::add_ingest_command(app));
  add(lurk::cli::add_view_command(app));
  add(lurk::cli::add_query_command(app));
  add(lurk::cli::add_packets_command(app));
  add(lurk::cli::add_stats_command(app));
  add(lurk::cli::add_threads_command(app));
  add(lurk::cli::add_findings_command(app));
  add(lurk::cli::add_export_command(app));
  add(lurk::cli::add_collect_command(app));
  add(lurk::cli::add_send_command(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::Success& e) {
    return app.exit(e);  // --help, --version
  } catch (const CLI::ParseError& e) {
    app.exit(e);
    return lurk::kExitUsage;
  }
  for (auto& [command, run] : runners) {
    if (command->parsed()) {
      try {
        return run();
      } catch (const std::exception& e) {
        std::cerr << "lurk: " << e.what() << "\n";
        return lurk::kExitFailure;
      }
    }
  }
  return lurk::kExitUsage;
}
