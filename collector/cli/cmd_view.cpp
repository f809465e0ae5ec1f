// lurk view [INPUT...]: ingest raw inputs if needed, serve the UI and the
// profile (collector/server/trace_server.h, docs/server.md), print the URL
// first on stdout, serve until SIGINT or SIGTERM, then remove every
// temporary file (the ingested profile, the served snapshots).
#include <CLI/CLI.hpp>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "cli/asset_paths.h"
#include "cli/commands.h"
#include "cli/ingest_printing.h"
#include "ingest/ingest.h"
#include "server/frame_endpoint.h"
#include "server/listen_policy.h"
#include "server/page_lanes.h"
#include "server/private_temp_dir.h"
#include "server/trace_server.h"
#include "storage/sqlite_handle.h"

namespace lurk::cli {
namespace {

// The in-browser page opens this many events from SQLite in about 0.5 s
// (docs/performance.md): below it, no lane store is made for it.
constexpr int64_t kPageLanesEvents = 500'000;

server::TraceServer* g_running_server = nullptr;

void stop_on_signal(int) {
  if (g_running_server) g_running_server->stop();  // a write to a pipe: signal-safe
}

struct ViewOptions {
  std::vector<std::string> inputs;
  std::string output;
  std::string bind = "127.0.0.1";
  int port = 0;
  std::string token;
  std::vector<std::string> allowed_hosts;
  bool native = false;      // --native: frames rendered here (server-backed viewing)
  bool in_browser = false;  // --in-browser: the page loads the profile, however large
  // --native-over: the automatic threshold (docs/server.md: what the in-browser
  // mode opens in about 3 s); 0 never switches by itself.
  int64_t native_over = server::kNativeViewEvents;
  // --native-memory: MB of lanes the native process holds (lane_cache.h)
  int64_t native_memory_mb = int64_t(server::FrameEndpoint::kDefaultLaneBudget >> 20);
  bool follow = false;       // --follow: the page follows the profile as it grows
  bool timings = false;      // --timings: the native open's phases on stderr
  // --page-lanes-over: from this many events the in-browser page is also
  // served the profile's lane store (page_lanes.h); 0: always, -1: never.
  int64_t page_lanes_over = kPageLanesEvents;
};

// Server-backed viewing (docs/server.md): asked for, or a profile past the
// threshold; the model is loaded here before the URL is printed.
std::shared_ptr<server::FrameEndpoint> frame_endpoint_for(const ViewOptions& options,
                                                           const std::filesystem::path& profile,
                                                           const std::filesystem::path& temp_dir) {
  if (options.in_browser) return nullptr;
  if (!options.native) {
    // Following a growing profile is the in-browser page's (its model takes
    // the deltas); the native model is the profile as it was at start.
    if (options.native_over <= 0 || options.follow) return nullptr;
    int64_t events = server::profile_event_count(profile);
    if (events < options.native_over) return nullptr;
    std::cerr << "lurk: " << events << " events (at least " << options.native_over
              << "): kept in this process, the page asks for what it shows (--in-browser to "
                 "load it in the page instead)\n";
  }
  auto endpoint = std::make_shared<server::FrameEndpoint>(profile, temp_dir,
                                                          size_t(options.native_memory_mb) << 20);
  const server::LaneSummaryOutcome& summary = endpoint->summary();
  if (!summary.note.empty()) std::cerr << "lurk: lane summary: " << summary.note << "\n";
  if (!endpoint->store_note().empty()) std::cerr << "lurk: lane store: " << endpoint->store_note() << "\n";
  if (!endpoint->outline_note().empty()) std::cerr << "lurk: outline: " << endpoint->outline_note() << "\n";
  std::cerr << "lurk: profile opened for server-backed viewing in " << endpoint->load_seconds() << " s ("
            << endpoint->model().counts().packets + endpoint->model().counts().events << " events; lane summary "
            << (summary.from_file    ? "read from " + server::lane_summary_path(profile).string()
                : summary.from_facts ? "read from the profile's lane facts; the lane store and minimap are made in "
                                       "the background, kept in " + server::lane_summary_path(profile).string()
                                     : "made in " + std::to_string(summary.seconds) + " s, kept in " +
                                           server::lane_summary_path(profile).string())
            << "); lanes are read as frames show them (from "
            << (endpoint->has_store() ? server::lane_store_path(profile).string() : std::string("the profile"))
            << "), at most "
            << options.native_memory_mb << " MB held\n";
  if (options.timings)
    for (const server::StartupPhase& p : endpoint->phases().phases())
      std::fprintf(stderr, "lurk: timings: %-70s %8.3f s wall %8.3f s CPU\n", p.name.c_str(), p.wall_seconds,
                   p.cpu_seconds);
  return endpoint;
}

// The in-browser mode's /trace.lanes (page_lanes.h): not when following
// (the page's model takes the deltas from the profile's rows), nor for a
// profile the page opens in a blink anyway (its store would only fill the cache).
std::shared_ptr<server::PageLanes> page_lanes_for(const ViewOptions& options, const std::filesystem::path& profile,
                                                  const std::filesystem::path& temp_dir, bool native) {
  if (native || options.follow || options.page_lanes_over < 0) return nullptr;
  if (options.page_lanes_over > 0 && server::profile_event_count(profile) < options.page_lanes_over) return nullptr;
  return server::PageLanes::start(profile, temp_dir);
}

// The profile to serve: the one .lurk given, or a new one ingested from the
// inputs (into `temp_dir` unless -o names a file to keep).
std::filesystem::path prepare_profile(ViewOptions& options, const server::PrivateTempDir& temp_dir,
                                      int& exit_code) {
  if (options.inputs.empty()) options.inputs.push_back(bundled_sample().string());
  if (options.inputs.size() == 1 && is_sqlite_file(options.inputs[0]))
    return options.inputs[0];
  std::filesystem::path profile =
      options.output.empty() ? temp_dir.path() / "trace.lurk" : std::filesystem::path(options.output);
  exit_code = ingest_and_report(options.inputs, profile.string());
  return profile;
}

// The URL to open: the bound address (loopback for a wildcard bind), and the
// token when one is required; a browser visiting it keeps the token in a cookie.
std::string url_to_open(const std::string& bind, int port, const std::string& token) {
  std::string host = bind;
  if (server::is_wildcard_address(bind)) host = bind.find(':') == std::string::npos ? "127.0.0.1" : "::1";
  std::string url = "http://" + server::url_host(host) + ":" + std::to_string(port) + "/";
  return token.empty() ? url : url + "?token=" + token;
}

int run_view(ViewOptions& options) {
  bool loopback = server::is_loopback_address(options.bind);
  bool token_generated = !loopback && options.token.empty();
  if (token_generated) options.token = server::generate_token();
  if (options.follow && (options.inputs.size() != 1 || !is_sqlite_file(options.inputs[0]))) {
    std::cerr << "lurk view: --follow needs one .lurk profile (the file `lurk collect -o` or "
                 "`lurk ingest -o` writes)\n";
    return kExitUsage;
  }
  server::PrivateTempDir temp_dir("lurk-view");
  temp_dir.remove_on_signal();  // until the server can stop cleanly
  int ingest_code = kExitOk;
  std::filesystem::path profile = prepare_profile(options, temp_dir, ingest_code);
  if (ingest_code == kExitFailure) return ingest_code;
  std::shared_ptr<server::FrameEndpoint> frames = frame_endpoint_for(options, profile, temp_dir.path());
  std::shared_ptr<server::PageLanes> page_lanes = page_lanes_for(options, profile, temp_dir.path(), frames != nullptr);
  server::TraceServerOptions server_options{web_dir(), profile, temp_dir.path(), options.token,
                                            options.allowed_hosts, options.follow, {},
                                            std::move(frames), std::move(page_lanes)};
  server::TraceServer server(server_options);
  int port = server.bind(options.bind, options.port);
  std::signal(SIGPIPE, SIG_IGN);
  g_running_server = &server;
  std::signal(SIGINT, stop_on_signal);
  std::signal(SIGTERM, stop_on_signal);
  std::cout << url_to_open(options.bind, port, options.token) << std::endl;
  if (!loopback) std::cerr << server::non_loopback_warning(options.bind, port, token_generated);
  std::cerr << "lurk: " << (options.follow ? "following " : "serving ") << profile.string()
            << "; press Ctrl-C to stop\n";
  server.serve();
  g_running_server = nullptr;
  server::PrivateTempDir::forget_signals();
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
  cmd->add_option("--bind", options->bind,
                  "address to listen on (an IP address; not loopback: warned, and a token is required)")
      ->capture_default_str();
  cmd->add_option("--port", options->port, "port to listen on; 0 picks a free one")
      ->capture_default_str();
  cmd->add_option("--token", options->token,
                  "access token every request must carry (default: none on loopback, generated "
                  "and printed in the URL otherwise)");
  cmd->add_option("--allow-host", options->allowed_hosts,
                  "a host name browsers may use to reach this server (Host header), besides its "
                  "address; repeatable");
  auto* native = cmd->add_flag("--native", options->native,
                               "keep the profile in this process and let the page ask for the "
                               "frames it shows (server-backed viewing, docs/server.md)");
  cmd->add_flag("--in-browser", options->in_browser,
                "load the profile in the page however large it is")
      ->excludes(native);
  cmd->add_option("--native-over", options->native_over,
                  "events from which a profile is kept in this process without --native (0: "
                  "never; not with --follow)")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  cmd->add_option("--native-memory", options->native_memory_mb,
                  "MB of lane data the native process keeps (server-backed viewing); the least "
                  "recently drawn lanes are dropped past it")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(16), int64_t(1) << 20));
  cmd->add_option("--page-lanes-over", options->page_lanes_over,
                  "events from which the in-browser page is also served the profile's lane store "
                  "(made once, kept in lurk's cache) and opens its lanes from it (0: always, -1: never)")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(-1), INT64_MAX));
  cmd->add_flag("--follow", options->follow,
                "follow the profile as it grows (lurk collect, lurk ingest -o appending): the "
                "page picks up new rows as they are committed");
  cmd->add_flag("--timings", options->timings,
                "print the phases of a server-backed open (wall and CPU time) on stderr");
  cmd->footer("Prints the URL to open as the first line on stdout, then serves until interrupted. "
              "See docs/server.md for what the server refuses and why.");
  return [options] { return run_view(*options); };
}

}  // namespace lurk::cli
