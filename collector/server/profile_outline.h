// The outline of a profile for server-backed viewing (docs/server.md): a
// small .lurk with every table of the profile and the rows of all but the
// bulk ones (packets, spans, instants, counter samples, flows), so the page
// can show what is small (sources and clocks, connections, thread names,
// findings, ingest problems) while the native process keeps the events and
// answers for the timeline (frame_endpoint.h). Same schema and user_version
// as the profile, so the page opens it as it opens any profile.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace lurk {
class Database;
}

namespace lurk::server {

// The tables whose rows stay in the native process.
const std::vector<std::string>& bulk_tables();

// Writes the outline of `from` (read in one transaction) to `to`, a new file.
// Throws lurk::StorageError on failure.
void write_profile_outline(Database& from, const std::filesystem::path& to);

}  // namespace lurk::server
