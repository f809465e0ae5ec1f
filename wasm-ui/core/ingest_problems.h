// What went wrong reading the sources of the profile shown, for the UI's
// "Ingest problems" panel (app/ingest_panel) and the snapshot: the lines the
// ingest said about files dropped on the page (the same lines `lurk ingest`
// prints, collector/ingest/outcome_text.h: partial, nothing to show) and the
// profile's `ingest_errors` rows (file, byte offset, line, kind, message).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lurk {
class Database;
}

namespace lurk::ui {

struct IngestProblemRow {
  std::string file;                  // sources.path
  std::optional<int64_t> byte_offset, line;
  std::string kind, message;
};

struct IngestProblems {
  // Rows kept for the panel: a file with a million damaged records must not
  // make a million rows in memory; the total is still said.
  static constexpr int64_t kMaxRows = 1000;

  std::vector<std::string> warnings;  // what the ingest said, CLI words
  std::vector<IngestProblemRow> rows; // ingest_errors in file order, first kMaxRows
  int64_t total_rows = 0;             // rows of ingest_errors in the profile

  bool any() const { return !warnings.empty() || total_rows > 0; }
  // The profile's ingest_errors (a profile without the table has none).
  static IngestProblems load(Database& db);
};

}  // namespace lurk::ui
