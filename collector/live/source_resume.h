// What a restarted collector reads back to continue a live CTF stream in
// the source that holds it (docs/live.md, "Exactly once ... CTF"): the
// source's row (its counts go on growing) and its thread rows (the promise
// tree the stream's next packets name). Read once, when the stream's
// sender connects again, through the writer's connection (its rows are
// all written first).
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

#include "storage/rows.h"

namespace lurk {
class Database;
}

namespace lurk::live {

// nullopt when the profile has no source of that id.
std::optional<SourceRow> read_source_row(Database& db, int64_t source_id);
std::vector<ThreadRow> read_thread_rows(Database& db, int64_t source_id);

}  // namespace lurk::live
