// lurk export IN.lurk -o OUT.lurk [--anonymize [--keep-text] [--map-ports]
// [--key HEX | --key-file F]]: writes a copy of a profile, upgraded to the
// current schema and compacted, anonymised when asked (docs/sharing.md).
// The standalone-HTML export (--html) is a separate piece of the same
// command; the export logic itself is in collector/export.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/anonymize_options.h"
#include "cli/commands.h"
#include "export/profile_export.h"
#include "ingest/ingest.h"

namespace lurk::cli {
namespace {

struct ExportArgs {
  std::string input, output;
  AnonymizeFlags anonymize;
};

int run_export(const ExportArgs& args) {
  ExportOptions options;
  options.anonymize = anonymize_options(args.anonymize);
  ExportReport report = export_profile(args.input, args.output, options);
  std::cerr << "lurk: wrote " << args.output << " (" << report.bytes_written << " bytes";
  if (report.anonymized)
    std::cerr << ", anonymised: " << report.anonymized->addresses << " addresses mapped, "
              << report.anonymized->texts_dropped << " texts replaced"
              << (args.anonymize.map_ports ? ", ports mapped" : "");
  std::cerr << ")\n";
  return kExitOk;
}

}  // namespace

CommandRunner add_export_profile_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Write a copy of a profile, anonymised if asked");
  auto args = std::make_shared<ExportArgs>();
  cmd->add_option("input", args->input, "the .lurk profile")->required()->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", args->output, "the .lurk file to write (replaced if it exists)")
      ->required();
  add_anonymize_options(cmd, args->anonymize);
  cmd->footer(
      "Exit codes: 0 written; 1 nothing written (the input is not a profile lurk reads,\n"
      "a bad key, or the output cannot be written); 2 usage.");
  return [args] { return run_export(*args); };
}

}  // namespace lurk::cli
