// outline_for (outline_cache.h). The file: a magic line, the profile's
// identity (profile_identity()), the outline's length (8 bytes,
// little-endian), then its bytes.
#include "server/outline_cache.h"

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <fstream>
#include <iterator>

#include "server/lane_summary_file.h"
#include "server/profile_outline.h"

namespace lurk::server {
namespace {

constexpr char kOutlineMagic[16] = "lurk-outline 1\n";

// The whole file, "" when it cannot be read.
std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) return "";
  std::string bytes(size_t(std::max<std::streamoff>(in.tellg(), 0)), '\0');
  in.seekg(0);
  in.read(bytes.data(), std::streamsize(bytes.size()));
  bytes.resize(size_t(std::max<std::streamsize>(in.gcount(), 0)));
  return bytes;
}

// The outline kept in `bytes` (the file, taken) for a profile of
// `identity`; "" and `why` otherwise.
std::string decode(std::string bytes, const std::string& identity, std::string& why) {
  size_t head = sizeof kOutlineMagic + identity.size() + sizeof(uint64_t);
  if (bytes.size() < sizeof kOutlineMagic || std::memcmp(bytes.data(), kOutlineMagic, sizeof kOutlineMagic) != 0)
    return why = "not an outline of this lurk", "";
  if (bytes.size() < head) return why = "truncated", "";
  if (bytes.compare(sizeof kOutlineMagic, identity.size(), identity) != 0)
    return why = "made for another profile or another state of it", "";
  uint64_t size = 0;
  std::memcpy(&size, bytes.data() + head - sizeof size, sizeof size);
  if (size != bytes.size() - head) return why = "truncated or damaged (its length)", "";
  if (size == 0) return why = "empty", "";
  bytes.erase(0, head);  // moved down in place: no second buffer of the outline's size
  return bytes;
}

}  // namespace

std::filesystem::path outline_cache_path(const std::filesystem::path& profile) {
  return std::filesystem::path(lane_summary_path(profile)).replace_extension(".outline");
}

OutlineOutcome outline_for(Database& db, const std::filesystem::path& profile,
                           const std::filesystem::path& temp_dir) {
  OutlineOutcome out;
  std::filesystem::path path = outline_cache_path(profile);
  std::string identity = profile_identity(profile);
  std::string kept = read_file(path);
  if (!kept.empty()) {
    std::string why;
    std::string outline = decode(std::move(kept), identity, why);
    if (!outline.empty()) {
      out.bytes = std::make_shared<const std::string>(std::move(outline));
      out.from_file = true;
      return out;
    }
    out.note = path.string() + ": " + why + "; made again";
  }
  std::filesystem::path made = temp_dir / "outline.lurk";
  write_profile_outline(db, made);
  std::string outline = read_file(made);
  std::filesystem::remove(made);
  std::string file(kOutlineMagic, sizeof kOutlineMagic);
  file += identity;
  uint64_t size = outline.size();
  file.append(reinterpret_cast<const char*>(&size), sizeof size);
  file += outline;
  if (std::string problem = save_cache_file(path, file); !problem.empty())
    out.note = problem + " (the next view writes the outline again)";
  out.bytes = std::make_shared<const std::string>(std::move(outline));
  return out;
}

}  // namespace lurk::server
