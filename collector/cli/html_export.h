// `lurk export --html`: one HTML file holding a profile and the whole web
// viewer (docs/sharing.md). It fills the template web/standalone.html with
// the page's style and scripts inline and the profile, the WebAssembly and
// its JavaScript packed (packed_text.h); the UI's "Export HTML" button fills
// the same template in the browser (web/lurk-export.js).
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

namespace lurk::cli {

struct HtmlExportInput {
  std::filesystem::path profile;  // a .lurk file (checked to be one)
  std::filesystem::path web_dir;  // the built viewer (asset_paths.h)
  std::string view;               // a link's hash the page opens on, "" for the opening view
  std::string generator;          // "lurk 0.x (lurk export --html)"
};

struct HtmlExportSizes {
  uint64_t profile = 0, profile_packed = 0;  // bytes of the .lurk, and as packed text
  uint64_t viewer_packed = 0;                // the WebAssembly and its JavaScript, packed
  uint64_t total = 0;                        // the HTML file
};

// The page's text; throws std::runtime_error naming the file that is missing
// or not a profile.
std::string standalone_html(const HtmlExportInput& input, HtmlExportSizes& sizes);

// Each {{name}} of `text` replaced by values.at(name) in one pass (values
// are not searched again); an unknown name is an error.
std::string fill_template(const std::string& text, const std::map<std::string, std::string>& values);

}  // namespace lurk::cli
