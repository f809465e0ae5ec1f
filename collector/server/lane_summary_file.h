// The lane summary of a profile (wasm-ui/core/lane_summary.h) kept in lurk's
// cache directory, so that `lurk view --native` reads every event of a
// profile once (the first time it is viewed natively) and later opens it in
// the time of its small tables. The directory is $LURK_CACHE_DIR, else
// $XDG_CACHE_HOME/lurk, else ~/.cache/lurk (made 0700); the file is named
// after the profile's absolute path and records that path, the profile's
// size and modification time (and its WAL's): when the profile changes the
// summary is made again. Not next to the profile: that directory may be
// read-only or shared, and a profile in a source tree would gain a file. A
// cache that cannot be written only costs the next view the same pass; a
// damaged or foreign file is made again.
#pragma once

#include <filesystem>
#include <functional>
#include <string>

#include "core/lane_summary.h"

namespace lurk {
class Database;
}

namespace lurk::server {

struct LaneSummaryOutcome {
  ui::LaneSummary summary;
  bool from_file = false;     // read from the file next to the profile
  // Made from the profile's lane facts (facts_first; lane_summary.h): no
  // minimap, flows or periods yet, and not kept: the caller completes it
  // and keeps it (keep_lane_summary).
  bool from_facts = false;
  std::string identity;       // the profile's identity when it was opened (profile_identity)
  std::string note;           // why it was made again or not kept, "" when all went well
  double seconds = 0;         // spent reading or making it
};

// `db` is the profile open for reading, inside the read transaction the
// model is loaded in. A summary made here (not read from the file) is passed
// to `complete` before it is kept, for what needs the outline loaded first
// (the minimap's bins).
// With `facts_first`, a summary not read from the file is made from the
// profile's lane facts when it has them (from_facts; `complete` is then not
// called), else by the pass over every event.
LaneSummaryOutcome lane_summary_for(Database& db, const std::filesystem::path& profile,
                                    const std::function<void(ui::LaneSummary&)>& complete = {},
                                    bool facts_first = false);

// Keeps `summary` in the cache as the summary of the profile of `identity`
// (LaneSummaryOutcome::identity: the state it was made from, even when the
// profile changed since). "" or why it could not.
std::string keep_lane_summary(const std::filesystem::path& profile, const std::string& identity,
                              const ui::LaneSummary& summary);

std::filesystem::path lane_summary_path(const std::filesystem::path& profile);

// Writes `bytes` to `path` in the cache directory (made 0700 when missing):
// to a temporary name beside it, then renamed over, so a reader never sees
// half a file. "" or why it could not.
std::string save_cache_file(const std::filesystem::path& path, const std::string& bytes);

// What a file made from the profile must match to be used: its absolute
// path, size and modification time (and its WAL's), as bytes (the lane
// store, lane_store.h, checks the same identity).
std::string profile_identity(const std::filesystem::path& profile);

}  // namespace lurk::server
