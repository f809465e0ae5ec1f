#include "server/static_assets.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <stdexcept>

namespace lurk::server {
namespace {

// Reads a regular file whole; nullopt-like empty pointer when it cannot.
std::shared_ptr<const std::string> read_regular_file(const std::filesystem::path& path) {
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return nullptr;
  struct stat info{};
  auto bytes = std::make_shared<std::string>();
  if (fstat(fd, &info) != 0 || !S_ISREG(info.st_mode)) {
    close(fd);
    return nullptr;
  }
  bytes->resize(static_cast<size_t>(info.st_size));
  size_t filled = 0;
  while (filled < bytes->size()) {
    ssize_t got = read(fd, bytes->data() + filled, bytes->size() - filled);
    if (got <= 0) break;
    filled += static_cast<size_t>(got);
  }
  close(fd);
  bytes->resize(filled);
  return bytes;
}

bool is_inside(const std::filesystem::path& path, const std::filesystem::path& dir) {
  auto [dir_end, path_it] = std::mismatch(dir.begin(), dir.end(), path.begin(), path.end());
  return dir_end == dir.end() && path_it != path.end();
}

}  // namespace

std::string content_type_for(const std::filesystem::path& path) {
  std::string ext = path.extension().string();
  if (ext == ".html") return "text/html; charset=utf-8";
  if (ext == ".js" || ext == ".mjs") return "text/javascript; charset=utf-8";
  if (ext == ".wasm") return "application/wasm";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".png") return "image/png";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".json") return "application/json";
  if (ext == ".txt" || ext == ".md") return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

StaticAssets::StaticAssets(const std::filesystem::path& web_dir) {
  std::error_code error;
  std::filesystem::path root = std::filesystem::canonical(web_dir, error);
  if (error || !std::filesystem::is_regular_file(root / "index.html"))
    throw std::runtime_error("web UI not found in " + web_dir.string() +
                             " (build it, or set LURK_SHARE_DIR)");
  for (const auto& entry : std::filesystem::directory_iterator(root)) {
    std::string name = entry.path().filename().string();
    if (entry.is_symlink()) {
      std::filesystem::path target = std::filesystem::canonical(entry.path(), error);
      if (error || !is_inside(target, root)) {
        refused_.push_back(name + " (a symbolic link that leads outside " + root.string() + ")");
        continue;
      }
    }
    if (!entry.is_regular_file()) continue;  // directories are never served (no listing)
    auto bytes = read_regular_file(entry.path());
    if (!bytes) {
      refused_.push_back(name + " (cannot be read)");
      continue;
    }
    assets_["/" + name] = {bytes, content_type_for(entry.path())};
  }
  auto index = assets_.find("/index.html");
  if (index == assets_.end())
    throw std::runtime_error("web UI in " + root.string() + " has no servable index.html");
  assets_["/"] = index->second;
}

const StaticAsset* StaticAssets::find(const std::string& url_path) const {
  auto it = assets_.find(url_path);
  return it == assets_.end() ? nullptr : &it->second;
}

}  // namespace lurk::server
