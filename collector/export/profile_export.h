// `.lurk` to `.lurk` export (docs/sharing.md): the profile is copied into
// memory (upgraded to the current schema if it is older), anonymised there
// when asked (anonymizer.h), and written with VACUUM INTO to a temporary
// file next to the output, then renamed over it. VACUUM INTO writes only the
// live rows into fresh pages, so the output holds no freed page with old
// bytes, and no byte of the original text ever reaches the output's disk.
#pragma once

#include <memory>
#include <optional>
#include <string>

#include "export/anonymizer.h"

namespace lurk {

class Database;

struct ExportOptions {
  std::optional<AnonymizeOptions> anonymize;  // nullopt: a plain (compacted, upgraded) copy
};

struct ExportReport {
  int64_t bytes_written = 0;
  std::optional<AnonymizeSummary> anonymized;
};

// Throws StorageError when `output` is `input` (the export would overwrite
// what it reads) or `input` is not an SQLite file, saying which.
void check_export_paths(const std::string& input, const std::string& output);

// Throws StorageError (with the file's name) when `input` is not a profile
// lurk reads, when `output` is `input`, or when writing fails; the output
// is then left as it was.
ExportReport export_profile(const std::string& input, const std::string& output,
                            const ExportOptions& options);

// A writable in-memory copy of an open profile (sqlite3_backup), for an
// export that must leave the open profile as it is (the browser's).
// Throws StorageError naming `name`.
std::unique_ptr<Database> copy_profile_to_memory(Database& source, const std::string& name);

// The last step alone, for a profile already open (the browser's):
// anonymise `db` (a writable copy) if asked and VACUUM INTO `output`.
ExportReport write_exported_copy(Database& db, const std::string& output,
                                 const ExportOptions& options);

}  // namespace lurk
