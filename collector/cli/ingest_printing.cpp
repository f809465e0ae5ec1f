#include "cli/ingest_printing.h"

#include <iostream>
#include <memory>

#include "cli/progress_bar.h"
#include "ingest/ingest.h"
#include "ingest/outcome_text.h"

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
  // A progress bar while the inputs are read, when stderr is a terminal;
  // each input's outcome is said as soon as it is read (the bar erased
  // first), the notes on clocks after the analysis of the whole profile.
  std::unique_ptr<ProgressBar> bar = ProgressBar::for_stderr();
  IngestOptions said = options;
  if (bar && !said.progress) said.progress = bar.get();
  said.on_source = [&bar](const SourceOutcome& s) {
    if (bar) bar->clear();
    print_source_outcome(s, std::cerr);
  };
  IngestReport report = ingest_files(inputs, output, said);
  print_ingest_notes(report, std::cerr);
  return exit_code_for(report);
}

}  // namespace lurk::cli
