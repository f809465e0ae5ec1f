// lurk ingest INPUT... -o FILE.lurk [--no-analysis] [--clock-offset SOURCE=DURATION]...
// [--anonymize [--keep-text] [--map-ports] [--key HEX | --key-file F]]
// With --anonymize the inputs are ingested and analysed into a temporary
// profile next to the output, which is then exported anonymised
// (collector/export, docs/sharing.md) to the output and deleted: analysis,
// joins and findings are computed on the real data.
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "cli/anonymize_options.h"
#include "cli/commands.h"
#include "cli/duration_arg.h"
#include "cli/ingest_printing.h"
#include "export/profile_export.h"
#include "ingest/ingest.h"

namespace lurk::cli {
namespace {

// Ingest into a temporary profile, then export it anonymised to `output`.
int ingest_anonymized(const std::vector<std::string>& inputs, const std::string& output,
                      const IngestOptions& options, const AnonymizeFlags& flags) {
  if (std::filesystem::exists(output)) {
    std::cerr << "lurk: " << output << " exists; --anonymize writes a new profile (to "
              << "anonymise an existing one: lurk export " << output << " -o OUT.lurk --anonymize)\n";
    return kExitFailure;
  }
  ExportOptions export_options;
  export_options.anonymize = anonymize_options(flags);  // a bad key fails before any work
  std::string raw = output + ".not-anonymised";
  struct RemoveRaw {
    std::string path;
    ~RemoveRaw() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
      std::filesystem::remove(path + "-journal", ignored);
    }
  } remove_raw{raw};
  std::filesystem::remove(raw);
  int code = ingest_and_report(inputs, raw, options);
  if (code != kExitOk && code != kExitPartial) return code;
  ExportReport report = export_profile(raw, output, export_options);
  std::cerr << "lurk: wrote " << output << " anonymised (" << report.anonymized->addresses
            << " addresses mapped, " << report.anonymized->texts_dropped << " texts replaced)\n";
  return code;
}

}  // namespace

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
  auto anonymize = std::make_shared<AnonymizeFlags>();
  add_anonymize_options(cmd, *anonymize);
  cmd->footer(
      "Exit codes: 0 all ingested; 1 nothing written (unreadable or unknown input, the\n"
      "profile is left as it was); 2 usage; 3 partial (damaged input: the intact records\n"
      "are kept, the damage is in the ingest_errors table and on stderr).");
  return [inputs, output, options, anonymize] {
    if (inputs->empty() && options->clock_offsets.empty()) {
      std::cerr << "lurk ingest: give inputs, or --clock-offset to change a profile's clocks\n";
      return int(kExitUsage);
    }
    if (anonymize->anonymize) {
      if (inputs->empty()) {
        std::cerr << "lurk ingest: --anonymize needs inputs\n";
        return int(kExitUsage);
      }
      return ingest_anonymized(*inputs, *output, *options, *anonymize);
    }
    return ingest_and_report(*inputs, *output, *options);
  };
}

}  // namespace lurk::cli
