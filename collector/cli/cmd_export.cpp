// lurk export FILE.lurk --html OUT.html [--view HASH]: the profile and the
// whole web viewer in one HTML file that opens from file:// offline, on the
// view a link's hash names (docs/sharing.md, docs/cli.md). The HTML writing
// is html_export.*; this file only reads the command line and reports.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>

#include "cli/asset_paths.h"
#include "cli/commands.h"
#include "cli/html_export.h"
#include "core/view_state.h"
#include "ingest/ingest.h"
#include "lurk_version.h"

namespace lurk::cli {
namespace {

struct ExportOptions {
  std::string file;
  std::string html;
  std::string view;
};

// A link, a hash or a bare hash text: what follows '#', if anything.
std::string view_hash_of(const std::string& view) {
  size_t hash = view.find('#');
  return hash == std::string::npos ? view : view.substr(hash + 1);
}

std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / 1e6);
  return text;
}

int export_html(const ExportOptions& options) {
  HtmlExportInput input;
  input.profile = options.file;
  input.web_dir = web_dir();
  input.view = view_hash_of(options.view);
  input.generator = std::string("lurk ") + LURK_VERSION + " (lurk export --html)";
  // The view is checked here too, so a typo is caught before the file is shared.
  for (const std::string& problem : ui::view_from_hash(input.view, ui::ViewState{}).problems)
    std::cerr << "lurk: warning: --view: " << problem << "\n";
  HtmlExportSizes sizes;
  std::string html = standalone_html(input, sizes);
  std::string partial = options.html + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(html.data(), std::streamsize(html.size()));
    if (!out.flush()) {
      std::remove(partial.c_str());
      std::cerr << "lurk: " << options.html << ": cannot write\n";
      return kExitFailure;
    }
  }
  if (std::rename(partial.c_str(), options.html.c_str()) != 0) {
    std::remove(partial.c_str());
    std::cerr << "lurk: " << options.html << ": cannot write\n";
    return kExitFailure;
  }
  std::cerr << "wrote " << options.html << " (" << megabytes(sizes.total) << ": the profile, "
            << megabytes(sizes.profile) << ", packed to " << megabytes(sizes.profile_packed)
            << "; the viewer " << megabytes(sizes.viewer_packed) << ")\n";
  return kExitOk;
}

}  // namespace

CommandRunner add_export_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("export", "Write a profile for sharing: one HTML file with the viewer");
  auto options = std::make_shared<ExportOptions>();
  cmd->add_option("file", options->file, "the .lurk profile")->required()->check(CLI::ExistingFile);
  cmd->add_option("--html", options->html,
                  "write one HTML file holding the profile and the viewer (opens offline)")
      ->required();
  cmd->add_option("--view", options->view,
                  "the view it opens on: a lurk link, or its part after '#' (docs/sharing.md)");
  return [options] { return export_html(*options); };
}

}  // namespace lurk::cli
