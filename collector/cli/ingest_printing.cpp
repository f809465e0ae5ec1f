#include "cli/ingest_printing.h"

#include "ingest/ingest.h"
#include "ingest/outcome_text.h"

#include <iostream>

namespace lurk::cli {

void print_source_outcome(const SourceOutcome& source, std::ostream& out) {
  for (const std::string& line : outcome_lines(source)) out << "lurk: " << line << "\n";
  out.flush();
}

void print_ingest_notes(const IngestReport& report, std::ostream& out) {
  for (const std::string& note : report.clock_notes) out << "lurk: " << note << "\n";
  for (const std::string& problem : report.clock_problems) out << "lurk: " << problem << "\n";
}

int ingest_and_report(const std::vector<std::string>& inputs, const std::string& output,
                      const IngestOptions& options) {
  std::vector<std::string> problems = check_inputs(inputs);
  if (!problems.empty()) {
    for (const std::string& p : problems) std::cerr << "lurk: " << p << "\n";
    std::cerr << "lurk: nothing written to " << output << "\n";
    return kExitFailure;
  }
  // Each input's outcome is said as soon as it is read (a long run shows
  // progress); the notes on clocks follow the analysis of the whole profile.
  IngestOptions said = options;
  said.on_source = [](const SourceOutcome& s) { print_source_outcome(s, std::cerr); };
  IngestReport report = ingest_files(inputs, output, said);
  print_ingest_notes(report, std::cerr);
  return exit_code_for(report);
}

}  // namespace lurk::cli
