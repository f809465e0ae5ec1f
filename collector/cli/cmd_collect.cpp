// lurk collect --listen HOST:PORT -o FILE.lurk [--token T]: a live collector
// (docs/live.md). Senders connect over TCP and stream lurk JSON lines (lurk
// send, collector/client/lurk_trace.h); each becomes a source of the profile,
// committed in small batches until SIGINT or SIGTERM.
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <iostream>

#include "cli/commands.h"
#include "cli/terminal_text.h"
#include "ingest/ingest.h"
#include "live/collect_server.h"
#include "server/listen_policy.h"

namespace lurk::cli {
namespace {

struct CollectArgs {
  std::string listen = "127.0.0.1:7070";
  std::string output;
  std::string token;
  int batch_ms = 250;
  int64_t batch_events = 100000;
  size_t max_senders = 64;
  int sender_timeout_s = 30;
  bool no_analysis = false;
  std::string analysis_stats;
};

void print_summary(const live::CollectSummary& summary) {
  // One line per sender, tab-separated: what is in the file for it.
  for (const live::SenderSummary& s : summary.senders) {
    if (s.refused) continue;
    std::cout << terminal_safe(s.name) << "\t" << s.peer << "\tevents " << s.events
              << "\terrors " << s.errors << "\tcommitted_bytes " << s.committed_bytes << "\n";
  }
  std::cout << std::flush;
}

int run_collect(const CollectArgs& args) {
  live::CollectOptions options;
  std::string error;
  std::optional<live::ListenAddress> at = live::parse_listen_address(args.listen, error);
  if (!at) {
    std::cerr << "lurk collect: --listen: " << error << "\n";
    return int(kExitUsage);
  }
  options.listen = *at;
  options.output = args.output;
  options.token = args.token;
  if (!at->loopback && options.token.empty()) {
    options.token = server::generate_token();
    std::cerr << "lurk collect: " << at->text << " is not loopback: senders need the token "
              << options.token << " (lurk send --token, or \"token\" in the hello line)\n";
  } else if (!at->loopback) {
    std::cerr << "lurk collect: warning: listening beyond loopback on " << at->text
              << "; senders must give the token\n";
  }
  options.batch_interval_ms = args.batch_ms;
  options.batch_events = args.batch_events;
  options.max_senders = args.max_senders;
  options.sender_timeout_s = args.sender_timeout_s;
  options.analyse = !args.no_analysis;
  options.analysis_stats = args.analysis_stats;
  options.progress = ::isatty(STDERR_FILENO);
  options.on_listening = [&](int port) {
    std::cerr << "lurk collect: listening on " << at->text.substr(0, at->text.rfind(':') + 1)
              << port << ", writing " << args.output << " (SIGINT or SIGTERM to stop)\n";
  };
  live::CollectSummary summary = live::run_collector(options);
  print_summary(summary);
  return int(kExitOk);
}

}  // namespace

CommandRunner add_collect_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("collect", "Collect live traces from senders over TCP into a .lurk profile");
  auto args = std::make_shared<CollectArgs>();
  cmd->add_option("--listen", args->listen,
                  "HOST:PORT to listen on (a bare PORT is 127.0.0.1:PORT; port 0 picks one)")
      ->capture_default_str();
  cmd->add_option("-o,--output", args->output, "the .lurk file to create or add to")->required();
  cmd->add_option("--token", args->token,
                  "senders must give this token in their hello line (required, and generated "
                  "when not given, when listening beyond loopback)");
  cmd->add_option("--batch-ms", args->batch_ms, "commit at least this often (milliseconds)")
      ->capture_default_str()
      ->check(CLI::Range(1, 60000));
  cmd->add_option("--batch-events", args->batch_events, "and at least every this many events")
      ->capture_default_str()
      ->check(CLI::Range(int64_t(1), int64_t(100000000)));
  cmd->add_option("--max-senders", args->max_senders, "senders connected at once; more are refused")
      ->capture_default_str()
      ->check(CLI::Range(size_t(1), size_t(1024)));
  cmd->add_option("--sender-timeout", args->sender_timeout_s,
                  "seconds after which a sender whose machine no longer answers (a host gone without "
                  "closing its connections) is cut, freeing its --stream for a restarted sender; "
                  "a sender that is only idle or stopped is kept (its machine answers)")
      ->capture_default_str()
      ->check(CLI::Range(1, 3600));
  cmd->add_flag("--no-analysis", args->no_analysis,
                "store the rows only: no joins or findings per batch, no whole-profile passes at the end "
                "(clocks, joins, findings)");
  cmd->add_option("--analysis-stats", args->analysis_stats,
                  "write one JSON line per batch to this file: the SQLite steps its live analysis "
                  "(joins, findings) took and the rows it wrote (for tests and benchmarks)");
  cmd->footer(
      "Prints one line per sender when stopped: NAME, PEER, events, errors, committed_bytes.\n"
      "Exit codes: 0 stopped by SIGINT/SIGTERM with every batch committed; 1 cannot listen or\n"
      "write the profile; 2 usage.");
  return [args] { return run_collect(*args); };
}

}  // namespace lurk::cli
