#include "cli/asset_paths.h"

#include <cstdlib>

namespace lurk::cli {

std::filesystem::path share_dir() {
  if (const char* env = std::getenv("LURK_SHARE_DIR")) return env;
  std::error_code ignored;
  std::filesystem::path exe = std::filesystem::read_symlink("/proc/self/exe", ignored);
  return exe.parent_path().parent_path() / "share" / "lurk";
}

std::filesystem::path web_dir() { return share_dir() / "web"; }

std::filesystem::path bundled_sample() { return share_dir() / "samples" / "demo.lurk"; }

}  // namespace lurk::cli
