// What one input became, in words: see outcome_text.h.
#include "ingest/outcome_text.h"

namespace lurk {

std::string nothing_shown_line(const SourceOutcome& s) {
  bool read = s.status == SourceOutcome::Status::Complete ||
              s.status == SourceOutcome::Status::Partial;
  if (!read || !s.nothing_shown) return "";
  bool capture = s.format == "pcap" || s.format == "pcapng";
  std::string what = capture ? "no TCP packets" : "no threads, events, counters or TCP packets";
  return s.path + ": NOTHING TO SHOW: " + what + " in it (" + std::to_string(s.records) +
         " records read); kept as an empty source";
}

std::vector<std::string> outcome_lines(const SourceOutcome& s) {
  std::vector<std::string> lines = s.messages;
  switch (s.status) {
    case SourceOutcome::Status::AlreadyPresent:
      lines.push_back(s.path + ": already in the profile, skipped");
      break;
    case SourceOutcome::Status::Rejected:
      break;
    case SourceOutcome::Status::Complete:
    case SourceOutcome::Status::Partial:
      lines.push_back(s.path + ": " + s.format + ", " + std::to_string(s.records) + " records (" +
                      std::to_string(s.skipped) + " skipped), " + std::to_string(s.errors) +
                      " errors" + (s.status == SourceOutcome::Status::Partial ? ", PARTIAL" : ""));
      if (std::string empty = nothing_shown_line(s); !empty.empty()) lines.push_back(empty);
      break;
  }
  return lines;
}

}  // namespace lurk
