// lurk export IN.lurk (-o OUT.lurk | --html OUT.html [--view HASH])
//   [--window FROM,TO | --window LINK]
//   [--anonymize [--keep-text] [--map-ports] [--key HEX | --key-file F]]
// writes a profile for sharing (docs/sharing.md): a compacted copy upgraded
// to the current schema, or one HTML file holding the profile and the whole
// web viewer that opens from file:// offline on the view a link's hash
// names; either only a window of time of the profile, either anonymised
// when asked. The work is elsewhere (collector/export: the copy, the cut and
// the anonymising pass; export_window.*: the window named; html_export.*:
// the page); this file reads the command line and reports.
#include <CLI/CLI.hpp>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iostream>

#include "cli/anonymize_options.h"
#include "cli/asset_paths.h"
#include "cli/export_window.h"
#include "cli/commands.h"
#include "cli/html_export.h"
#include "core/view_state.h"
#include "export/profile_export.h"
#include "export/window_cut.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"
#include "ingest/ingest.h"
#include "lurk_version.h"

namespace lurk::cli {
namespace {

struct ExportArgs {
  std::string input, output, html, view, window;
  AnonymizeFlags anonymize;
};

// A link, a hash or a bare hash text: what follows '#', if anything.
std::string view_hash_of(const std::string& view) {
  size_t hash = view.find('#');
  return hash == std::string::npos ? view : view.substr(hash + 1);
}

std::string seconds(double ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.9g s", ns / 1e9);
  return text;
}

// A cut opens on itself: the view's window, scroll, selection and findings
// are the whole profile's; its folds, panels, clocks and theme stay.
std::string view_of_the_cut(const std::string& hash) {
  ui::ViewState view = ui::view_from_hash(hash, ui::ViewState{}).state;
  ui::ViewState whole;
  view.window.reset();
  view.scroll_y = whole.scroll_y;
  view.selection.clear();
  view.finding_rank = whole.finding_rank;
  view.finding_kind = whole.finding_kind;
  return ui::view_to_hash(view, whole);
}

std::string megabytes(uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", double(bytes) / 1e6);
  return text;
}

// The window's cut (--window) of the input, written as a copy would be.
ExportReport export_window(const ExportArgs& args, const std::string& output, const ExportOptions& options) {
  std::string link_hash;
  NamedWindow named = read_named_window(args.window, link_hash);
  if (!named.problem.empty()) throw StorageError("--window: " + named.problem);
  check_export_paths(args.input, output);
  std::unique_ptr<Database> source = open_profile_for_reading(args.input);
  CutWindow window = stored_window(*source, named, link_hash);
  CutReport cut;
  // Made in a scratch file beside the output: a wide window's rows need not fit in memory.
  const std::string scratch = output + ".cut";
  struct RemoveScratch {
    const std::string& path;
    ~RemoveScratch() {
      std::error_code ignored;
      std::filesystem::remove(path, ignored);
    }
  } remove_scratch{scratch};
  std::unique_ptr<Database> copy = cut_window(*source, window, cut, scratch);
  source.reset();
  std::cerr << "lurk: the window " << seconds(named.from_ns) << " to " << seconds(named.to_ns) << " of "
            << args.input << ": " << cut.packets << " packets, " << cut.spans << " spans, " << cut.instants
            << " instants, " << cut.counters << " counter samples, " << cut.flows << " flows; " << cut.connections
            << " connections, " << cut.threads << " threads, " << cut.findings << " findings\n";
  if (cut.packets + cut.spans + cut.instants + cut.counters == 0)
    std::cerr << "lurk: warning: the window holds no event\n";
  ExportReport written = write_exported_copy(*copy, output, options);
  copy.reset();
  return written;
}

// The copy (-o, or the anonymised or cut profile an HTML export is made from).
int export_copy(const ExportArgs& args, const std::string& output) {
  ExportOptions options;
  options.anonymize = anonymize_options(args.anonymize);
  ExportReport report =
      args.window.empty() ? export_profile(args.input, output, options) : export_window(args, output, options);
  if (output != args.output) return kExitOk;
  std::cerr << "lurk: wrote " << output << " (" << report.bytes_written << " bytes";
  if (report.anonymized)
    std::cerr << ", anonymised: " << report.anonymized->addresses << " addresses mapped, "
              << report.anonymized->texts_dropped << " texts replaced"
              << (args.anonymize.map_ports ? ", ports mapped" : "");
  std::cerr << ")\n";
  return kExitOk;
}

int export_html(const ExportArgs& args, const std::string& profile) {
  HtmlExportInput input;
  input.profile = profile;
  input.web_dir = web_dir();
  input.view = view_hash_of(args.view);
  if (!args.window.empty()) input.view = view_of_the_cut(input.view);
  input.generator = std::string("lurk ") + LURK_VERSION + " (lurk export --html)";
  // The view is checked here too, so a typo is caught before the file is shared.
  for (const std::string& problem : ui::view_from_hash(input.view, ui::ViewState{}).problems)
    std::cerr << "lurk: warning: --view: " << problem << "\n";
  HtmlExportSizes sizes;
  std::string html = standalone_html(input, sizes);
  std::string partial = args.html + ".partial";
  {
    std::ofstream out(partial, std::ios::binary | std::ios::trunc);
    out.write(html.data(), std::streamsize(html.size()));
    if (!out.flush()) {
      std::remove(partial.c_str());
      std::cerr << "lurk: " << args.html << ": cannot write\n";
      return kExitFailure;
    }
  }
  if (std::rename(partial.c_str(), args.html.c_str()) != 0) {
    std::remove(partial.c_str());
    std::cerr << "lurk: " << args.html << ": cannot write\n";
    return kExitFailure;
  }
  std::cerr << "wrote " << args.html << " (" << megabytes(sizes.total) << ": the profile, "
            << megabytes(sizes.profile) << ", packed to " << megabytes(sizes.profile_packed)
            << "; the viewer " << megabytes(sizes.viewer_packed) << ")\n";
  return kExitOk;
}

int run_export(const ExportArgs& args) {
  int code = kExitOk;
  if (!args.output.empty()) code = export_copy(args, args.output);
  if (code != kExitOk || args.html.empty()) return code;
  if (!args.anonymize.anonymize && args.window.empty()) return export_html(args, args.input);
  // Anonymised or cut HTML: the page is made from such a copy, removed after.
  std::string dir = (std::filesystem::temp_directory_path() / "lurk-export-XXXXXX").string();
  if (!mkdtemp(dir.data())) {
    std::cerr << "lurk: cannot create a temporary directory\n";
    return kExitFailure;
  }
  std::string copy = dir + "/copy.lurk";
  try {
    code = export_copy(args, copy);
    if (code == kExitOk) code = export_html(args, copy);
  } catch (...) {
    std::filesystem::remove_all(dir);
    throw;
  }
  std::filesystem::remove_all(dir);
  return code;
}

}  // namespace

CommandRunner add_export_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "export", "Write a profile for sharing: a compacted copy, or one HTML file with the viewer");
  auto args = std::make_shared<ExportArgs>();
  cmd->add_option("input", args->input, "the .lurk profile")->required()->check(CLI::ExistingFile);
  auto* output = cmd->add_option("-o,--output", args->output,
                                 "the .lurk file to write (replaced if it exists)");
  auto* html = cmd->add_option(
      "--html", args->html, "write one HTML file holding the profile and the viewer (opens offline)");
  cmd->add_option("--view", args->view,
                  "with --html: the view it opens on, a lurk link or its part after '#' "
                  "(docs/sharing.md)")
      ->needs(html);
  cmd->add_option("--window", args->window,
                  "only this window of time: FROM,TO from the profile's start (e.g. 12.5s,14.5s), or a lurk "
                  "link, whose window it takes (docs/sharing.md)");
  add_anonymize_options(cmd, args->anonymize);
  cmd->footer(
      "Give -o, --html or both. Exit codes: 0 written; 1 nothing written (the input is not\n"
      "a profile lurk reads, a bad key, or the output cannot be written); 2 usage.");
  return [args, output, html] {
    if (output->count() == 0 && html->count() == 0) {
      std::cerr << "lurk export: give -o OUT.lurk, --html OUT.html, or both\n";
      return int(kExitUsage);
    }
    return run_export(*args);
  };
}

}  // namespace lurk::cli
