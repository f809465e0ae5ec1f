// How the CLI tells the user what an ingest did (on stderr, so stdout stays
// for data and URLs).
#pragma once

#include <ostream>
#include <string>
#include <vector>

#include "ingest/ingest.h"

namespace lurk::cli {

// One input's lines (ingest/outcome_text.h), each "lurk: ...".
void print_source_outcome(const SourceOutcome& source, std::ostream& out);
// The notes on clocks and --clock-offset problems of the run.
void print_ingest_notes(const IngestReport& report, std::ostream& out);
// check_inputs + ingest_files + print; returns the exit code.
int ingest_and_report(const std::vector<std::string>& inputs, const std::string& output,
                      const IngestOptions& options = {});

}  // namespace lurk::cli
