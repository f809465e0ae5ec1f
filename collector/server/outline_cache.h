// The outline of a profile (profile_outline.h: its small tables, the bytes
// the page opens in server-backed viewing) kept in lurk's cache directory
// beside the lane summary (lanes-HASH.outline, lane_summary_file.h), so that
// a later `lurk view --native` of the same profile reads it instead of
// copying every small table (400k periods at 100M events) into a new SQLite
// file before the URL is printed. It records the profile's identity (path,
// size, modification times, profile_identity()): a profile that changed, a
// damaged or foreign file, gets its outline made again.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

namespace lurk {
class Database;
}

namespace lurk::server {

struct OutlineOutcome {
  std::shared_ptr<const std::string> bytes;  // the outline's SQLite file
  bool from_file = false;                    // read from the cache
  std::string note;                          // why it was made again or not kept, "" when all went well
};

// The outline of `profile` (open as `db`, outside any transaction): the kept
// one when it matches, else written through `temp_dir` and kept.
OutlineOutcome outline_for(Database& db, const std::filesystem::path& profile,
                           const std::filesystem::path& temp_dir);

std::filesystem::path outline_cache_path(const std::filesystem::path& profile);

}  // namespace lurk::server
