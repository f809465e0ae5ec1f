// .lurk to .lurk export: see profile_export.h.
#include "export/profile_export.h"

#include <sqlite3.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <system_error>

#include "storage/schema.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk {

std::unique_ptr<Database> copy_profile_to_memory(Database& source, const std::string& name) {
  auto copy = std::make_unique<Database>(":memory:", Database::Mode::ReadWriteCreate);
  sqlite3_backup* backup = sqlite3_backup_init(copy->raw(), "main", source.raw(), "main");
  if (!backup) throw StorageError(name + ": cannot copy the profile into memory");
  int rc = sqlite3_backup_step(backup, -1);
  sqlite3_backup_finish(backup);
  if (rc != SQLITE_DONE)
    throw StorageError(name + ": cannot copy the profile into memory: " + sqlite3_errstr(rc));
  return copy;
}

ExportReport write_exported_copy(Database& db, const std::string& output,
                                 const ExportOptions& options) {
  ExportReport report;
  if (options.anonymize) report.anonymized = anonymize_profile(db, *options.anonymize);
  std::string partial = output + ".partial";
  std::error_code ignored;
  std::filesystem::remove(partial, ignored);
  try {
    Statement vacuum = db.prepare("VACUUM INTO ?");
    vacuum.bind(1, partial).run();
    {
      Database written(partial, Database::Mode::ReadOnly);
      if (std::string problem = schema_problem(written); !problem.empty())
        throw StorageError(output + ": the exported profile does not read back: " + problem);
    }
    std::filesystem::rename(partial, output);
  } catch (...) {
    std::filesystem::remove(partial, ignored);
    throw;
  }
  report.bytes_written = int64_t(std::filesystem::file_size(output));
  return report;
}

void check_export_paths(const std::string& input, const std::string& output) {
  std::error_code error;
  if (std::filesystem::exists(output) && std::filesystem::equivalent(input, output, error))
    throw StorageError(output + ": the export would overwrite its own input; give another -o");
  if (!is_sqlite_file(input))
    throw StorageError(input + ": not a lurk profile (no SQLite header at byte offset 0); "
                       "a capture or trace is made one by lurk ingest " + input + " -o FILE.lurk");
}

ExportReport export_profile(const std::string& input, const std::string& output,
                            const ExportOptions& options) {
  check_export_paths(input, output);
  std::unique_ptr<Database> source = open_profile_for_reading(input);
  std::unique_ptr<Database> copy = copy_profile_to_memory(*source, input);
  source.reset();
  migrate_to_current(*copy);
  return write_exported_copy(*copy, output, options);
}

}  // namespace lurk
