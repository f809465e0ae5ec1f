// lurk view [INPUT...]: ingest raw inputs if needed, serve the UI and the
// profile on 127.0.0.1, print the URL first on stdout, serve until interrupted.
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdlib>
#include <fstream>
#include <iostream>

#include "cli/asset_paths.h"
#include "cli/commands.h"
#include "cli/ingest_printing.h"
#include "cli/trace_server.h"
#include "ingest/ingest.h"
#include "storage/sqlite_handle.h"

namespace lurk::cli {
namespace {

TraceServer* g_running_server = nullptr;

void stop_on_signal(int) {
  if (g_running_server) g_running_server->stop();
}

struct ViewOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::string bind = "127.0.0.1";
  int port = 0;
};

// The profile to serve: the one .lurk given, or a new one ingested from the inputs.
std::filesystem::path prepare_profile(ViewOptions& options, int& exit_code) {
  if (options.inputs.empty()) options.inputs.push_back(bundled_sample().string());
  if (options.inputs.size() == 1 && is_sqlite_file(options.inputs[0]))
    return options.inputs[0];
  std::filesystem::path profile = options.output;
  if (profile.empty()) {
    std::string pattern = (std::filesystem::temp_directory_path() / "lurk-view-XXXXXX").string();
    if (!mkdtemp(pattern.data())) throw std::runtime_error("cannot create a temporary directory");
    profile = std::filesystem::path(pattern) / "trace.lurk";
  }
  exit_code = ingest_and_report(options.inputs, profile.string());
  return profile;
}

int run_view(ViewOptions& options) {
  int ingest_code = kExitOk;
  std::filesystem::path profile = prepare_profile(options, ingest_code);
  if (ingest_code == kExitFailure) return ingest_code;
  TraceServer server(web_dir(), profile);
  int port = server.bind(options.bind, options.port);
  std::string host = options.bind.find(':') != std::string::npos ? "[" + options.bind + "]"
                                                                 : options.bind;
  std::cout << "http://" << host << ":" << port << "/" << std::endl;
  std::cerr << "lurk: serving " << profile.string() << "; press Ctrl-C to stop\n";
  g_running_server = &server;
  std::signal(SIGINT, stop_on_signal);
  std::signal(SIGTERM, stop_on_signal);
  server.serve();
  g_running_server = nullptr;
  return ingest_code;
}

}  // namespace

CommandRunner add_view_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "view", "Serve the browser UI for a profile or raw inputs (no input: the demo profile, samples/demo.lurk)");
  auto options = std::make_shared<ViewOptions>();
  cmd->add_option("inputs", options->inputs, "a .lurk profile, or captures and traces to ingest")
      ->check(CLI::ExistingFile);
  cmd->add_option("-o,--output", options->output,
                  "keep the ingested profile in this file (default: a temporary file)");
  cmd->add_option("--bind", options->bind, "address to listen on")->capture_default_str();
  cmd->add_option("--port", options->port, "port to listen on; 0 picks a free one")
      ->capture_default_str();
  cmd->footer("Prints the URL to open as the first line on stdout, then serves until interrupted.");
  return [options] { return run_view(*options); };
}

}  // namespace lurk::cli
