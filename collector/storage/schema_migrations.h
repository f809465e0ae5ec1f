// Upgrades a .lurk profile written by an earlier lurk to the current schema
// (kSchemaVersion), one step per version, all in one transaction: a failed
// step leaves the file as it was. docs/schema-versions.md lists what each
// version added; a step exists for every version below the current one.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace lurk {

class Database;

// Upgrades `db` in place (it must be writable). A no-op for a current file.
// Throws StorageError naming the table and column that could not be added.
void migrate_to_current(Database& db);

// The oldest version the readers take as it is: versions after it added only
// tables no reader needs (version 3: live_streams; version 5: lane_facts, whose
// absence only sends server-backed viewing down its pass over every row), so reading needs no
// upgraded copy in memory, which for a profile of 100M events would be
// gigabytes.
inline constexpr int64_t kOldestReadableAsIs = 2;
// Tables added after kOldestReadableAsIs, which a file read as it is may lack.
inline constexpr const char* kTablesReadersDoNotNeed[] = {"live_streams", "lane_facts"};

// Opens a profile for reading. A file older than kOldestReadableAsIs is
// copied into memory and the copy upgraded, so that readers see one schema
// and the file itself stays untouched (it is upgraded when lurk next writes
// to it).
// Throws StorageError for a file that is not a profile lurk reads.
std::unique_ptr<Database> open_profile_for_reading(const std::string& path);

// Whether `db` (from open_profile_for_reading) is such an upgraded copy: it
// lives in that connection only, and each open_profile_for_reading of the
// file copies and upgrades it again (seconds and a profile's size in memory).
bool is_upgraded_copy(const Database& db);
// How many upgraded copies open_profile_for_reading made in this process
// (tests: a view copies a profile once).
uint64_t upgraded_copies_made();

}  // namespace lurk
