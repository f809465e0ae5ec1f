// The web UI's files, read once at start-up into memory: the server answers
// from this table and never from a path taken from a request. Only regular
// files directly in the web directory are loaded; a symbolic link is followed
// only when it resolves inside that directory (a link pointing elsewhere is
// refused and said on stderr), so a planted link cannot expose other files.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace lurk::server {

struct StaticAsset {
  std::shared_ptr<const std::string> bytes;
  std::string content_type;
};

class StaticAssets {
 public:
  // Throws when the directory has no index.html.
  explicit StaticAssets(const std::filesystem::path& web_dir);
  // The asset for a URL path ("/", "/lurk-ui.js"), or nullptr.
  const StaticAsset* find(const std::string& url_path) const;
  // Files left out and why, for the start-up message and the tests.
  const std::vector<std::string>& refused() const { return refused_; }

 private:
  std::map<std::string, StaticAsset> assets_;
  std::vector<std::string> refused_;
};

std::string content_type_for(const std::filesystem::path& path);

}  // namespace lurk::server
