#include "cli/html_export.h"

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <vector>

#include "cli/packed_text.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::cli {
namespace {

// The page's scripts the template inlines: its fields {{lurk-NAME.js}}
// (cmake/standalone_html.cmake makes one of each script of index.html),
// except the WebAssembly's loader, which is packed.
std::vector<std::string> inline_scripts(const std::string& template_text) {
  std::vector<std::string> names;
  for (size_t at = template_text.find("{{lurk-"); at != std::string::npos;
       at = template_text.find("{{lurk-", at + 2)) {
    size_t close = template_text.find("}}", at);
    if (close == std::string::npos) break;
    std::string name = template_text.substr(at + 2, close - at - 2);
    if (name.size() > 3 && name.compare(name.size() - 3, 3, ".js") == 0 && name != "lurk-ui.js")
      names.push_back(name);
  }
  return names;
}

std::string read_file(const std::filesystem::path& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot read " + what);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  return bytes.str();
}

std::string escape_html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

// Script or style text inline in the page: "</script" inside would end it early.
std::string inline_safe(const std::string& text) {
  std::string out;
  for (size_t i = 0; i < text.size(); ++i) {
    out += text[i];
    if (text[i] == '<' && i + 1 < text.size() && text[i + 1] == '/') out += '\\';
  }
  return out;
}

// A link's hash inside a <script> block, where text is not HTML-decoded:
// what could end the block is percent-encoded, as the address would have it.
std::string hash_text_inline(const std::string& hash) {
  std::string out;
  for (char c : hash) {
    if (c == '<') out += "%3C";
    else if (c == '>') out += "%3E";
    else out += c;
  }
  return out;
}

}  // namespace

std::string fill_template(const std::string& text, const std::map<std::string, std::string>& values) {
  std::string out;
  size_t at = 0;
  for (;;) {
    size_t open = text.find("{{", at);
    if (open == std::string::npos) return out + text.substr(at);
    size_t close = text.find("}}", open);
    std::string key = text.substr(open + 2, close == std::string::npos ? std::string::npos : close - open - 2);
    auto value = values.find(key);
    if (close == std::string::npos || value == values.end())
      throw std::runtime_error("the standalone template has an unknown field {{" + key + "}}");
    out += text.substr(at, open - at);
    out += value->second;
    at = close + 2;
  }
}

std::string standalone_html(const HtmlExportInput& input, HtmlExportSizes& sizes) {
  // A clear error for what is not a profile (or is of a newer lurk), before any work.
  try {
    open_profile_for_reading(input.profile.string());
  } catch (const std::exception& e) {
    std::string why = e.what();
    if (why.rfind(input.profile.string(), 0) == 0) throw;  // names the file already
    throw std::runtime_error(input.profile.string() + ": not a lurk profile (" + why + ")");
  }
  std::string profile = read_file(input.profile, "the profile");
  const std::filesystem::path& web = input.web_dir;
  if (!std::filesystem::exists(web / "lurk-ui.wasm"))
    throw std::runtime_error(web.string() + ": the web viewer is not built here (no lurk-ui.wasm)");
  std::string name = input.profile.filename().string();
  std::map<std::string, std::string> values;
  values["generator"] = escape_html(input.generator);
  values["title"] = escape_html(name);
  values["name"] = escape_html(name);
  values["view"] = hash_text_inline(input.view);
  values["data"] = packed_text(profile);
  values["data-bytes"] = std::to_string(profile.size());
  values["lurk.css"] = inline_safe(read_file(web / "lurk.css", "the viewer's style"));
  std::string template_text = read_file(web / "standalone.html", "the standalone page template");
  for (const std::string& script : inline_scripts(template_text))
    values[script] = inline_safe(read_file(web / script, "a viewer script"));
  values["lurk-ui.wasm"] = packed_text(read_file(web / "lurk-ui.wasm", "the viewer's WebAssembly"));
  values["lurk-ui.js"] = packed_text(read_file(web / "lurk-ui.js", "the viewer's JavaScript"));
  values["standalone.html"] = packed_text(template_text);
  std::string html = fill_template(template_text, values);
  sizes.profile = profile.size();
  sizes.profile_packed = values["data"].size();
  sizes.viewer_packed = values["lurk-ui.wasm"].size() + values["lurk-ui.js"].size();
  sizes.total = html.size();
  return html;
}

}  // namespace lurk::cli
