// The words for what one input became: the lines `lurk ingest` prints and the
// UI shows for each dropped file, made in one place so that both say the same
// thing (issue 13: every input's outcome is said).
#pragma once

#include <string>
#include <vector>

#include "ingest/ingest.h"

namespace lurk {

// The source's damage messages ("FILE: byte offset N: ..."), then one line
// of what it became: "FILE: FORMAT, N records (K skipped), E errors[, PARTIAL]",
// "FILE: already in the profile, skipped", and for an input that yielded
// nothing to show, a line saying so. No "lurk: " prefix (the CLI adds it).
std::vector<std::string> outcome_lines(const SourceOutcome& source);

// The line for an input that yielded nothing to show, or "" for one that did.
std::string nothing_shown_line(const SourceOutcome& source);

}  // namespace lurk
