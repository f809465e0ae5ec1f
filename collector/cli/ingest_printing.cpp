#include "cli/ingest_printing.h"

#include <iostream>
#include <memory>

#include "cli/progress_bar.h"
#include "ingest/ingest.h"

namespace lurk::cli {

void print_ingest_report(const IngestReport& report, std::ostream& out) {
  for (const SourceOutcome& s : report.sources) {
    for (const std::string& message : s.messages) out << "lurk: " << message << "\n";
    switch (s.status) {
      case SourceOutcome::Status::AlreadyPresent:
        out << "lurk: " << s.path << ": already in the profile, skipped\n";
        break;
      case SourceOutcome::Status::Rejected:
        break;
      case SourceOutcome::Status::Complete:
      case SourceOutcome::Status::Partial:
        out << "lurk: " << s.path << ": " << s.format << ", " << s.records << " records ("
            << s.skipped << " skipped), " << s.errors << " errors"
            << (s.status == SourceOutcome::Status::Partial ? ", PARTIAL" : "") << "\n";
        break;
    }
  }
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
  // A progress bar while the inputs are read, when stderr is a terminal.
  std::unique_ptr<ProgressBar> bar = ProgressBar::for_stderr();
  IngestOptions with_bar = options;
  if (bar && !with_bar.progress) with_bar.progress = bar.get();
  IngestReport report = ingest_files(inputs, output, with_bar);
  print_ingest_report(report, std::cerr);
  return exit_code_for(report);
}

}  // namespace lurk::cli
