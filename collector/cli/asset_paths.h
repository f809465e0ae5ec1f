// Where the built web UI and the bundled samples live: <exe>/../share/lurk/,
// the layout both the build tree (build/bin, build/share) and an install use.
#pragma once

#include <filesystem>

namespace lurk::cli {

std::filesystem::path share_dir();   // LURK_SHARE_DIR overrides
std::filesystem::path web_dir();     // share_dir()/web
std::filesystem::path bundled_sample();  // the demo profile `lurk view` opens with no input (samples/demo.lurk)

}  // namespace lurk::cli
