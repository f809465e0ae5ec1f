// lurk ingest INPUT... -o FILE.lurk [--no-analysis] [--clock-offset SOURCE=DURATION]...
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/commands.h"
#include "cli/duration_arg.h"
#include "cli/ingest_printing.h"
#include "ingest/ingest.h"

namespace lurk::cli {

CommandRunner add_ingest_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("ingest", "Read captures and traces into a .lurk profile");
  auto inputs = std::make_shared<std::vector<std::string>>();
  auto output = std::make_shared<std::string>();
  cmd->add_option("inputs", *inputs, "pcap, pcapng, CTF, Chrome JSON or lurk JSONL files")
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", *output, "the .lurk file to create or add to")->required();
  auto options = std::make_shared<IngestOptions>();
  cmd->add_flag_callback(
      "--no-analysis", [options] { options->tcp_analysis = false; },
      "skip TCP analysis: packets and connections only (the plain-read floor for benchmarks)");
  cmd->add_option_function<std::vector<std::string>>(
         "--clock-offset",
         [options](const std::vector<std::string>& values) {
           for (const std::string& v : values) {
             size_t eq = v.rfind('=');
             std::optional<int64_t> ns =
                 eq == std::string::npos ? std::nullopt : parse_duration_ns(v.substr(eq + 1));
             if (!ns || eq == 0)
               throw CLI::ValidationError("--clock-offset",
                                          "expected SOURCE=DURATION (e.g. net.ctf=1700000000.25s), "
                                          "found \"" + v + "\"");
             options->clock_offsets.push_back({v.substr(0, eq), *ns});
           }
         },
         "SOURCE=DURATION: put a source (id, path or file name) on the captures' clock by hand: "
         "its times become its own times + DURATION (ns, us, ms, s, m, h; docs/clocks.md)")
      ->take_all();
  cmd->footer(
      "Exit codes: 0 all ingested; 1 nothing written (unreadable or unknown input, the\n"
      "profile is left as it was); 2 usage; 3 partial (damaged input: the intact records\n"
      "are kept, the damage is in the ingest_errors table and on stderr).");
  return [inputs, output, options] {
    if (inputs->empty() && options->clock_offsets.empty()) {
      std::cerr << "lurk ingest: give inputs, or --clock-offset to change a profile's clocks\n";
      return int(kExitUsage);
    }
    return ingest_and_report(*inputs, *output, *options);
  };
}

}  // namespace lurk::cli
