// lurk send FILE|- --to HOST:PORT [--name N] [--token T]: streams a lurk JSON
// lines trace (a file, or stdin as it grows: `tail -f t.jsonl | lurk send -`)
// to a `lurk collect`, then says how much of it the collector committed
// (docs/live.md). --resume-after picks up a stream a killed collector had
// committed in part.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <iostream>

#include "cli/commands.h"
#include "ingest/ingest.h"
#include "live/trace_sender.h"

namespace lurk::cli {
namespace {

int run_send(const std::string& input, live::SendOptions options) {
  int fd = input == "-" ? STDIN_FILENO : ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    std::cerr << "lurk send: " << input << ": " << std::strerror(errno) << "\n";
    return int(kExitFailure);
  }
  options.input_fd = fd;
  live::SendResult r = live::send_trace(options);
  if (fd != STDIN_FILENO) ::close(fd);
  std::cerr << "lurk send: sent " << r.bytes_sent << " bytes; the collector committed "
            << r.acked_bytes << " bytes, " << r.acked_events << " events (" << r.acked_errors
            << " with errors)\n";
  if (r.input_skipped > 0)
    std::cerr << "lurk send: resumed: " << r.input_skipped << " bytes of the input were committed before\n";
  if (!r.refusal.empty()) std::cerr << "lurk send: refused by the collector: " << r.refusal << "\n";
  if (!r.error.empty()) std::cerr << "lurk send: " << r.error << "\n";
  if (r.all_acknowledged()) return int(kExitOk);
  if (r.refusal.empty())
    std::cerr << "lurk send: not everything sent was committed (the collector stopped?); resume "
                 "with the same --name and --token and --resume-after "
              << r.resume_point() << "\n";
  return int(kExitFailure);
}

}  // namespace

CommandRunner add_send_command(CLI::App& app) {
  auto* cmd = app.add_subcommand("send", "Stream a lurk JSON lines trace to a lurk collect");
  auto input = std::make_shared<std::string>();
  auto options = std::make_shared<live::SendOptions>();
  cmd->add_option("input", *input, "the trace file, or - for stdin (e.g. tail -f t.jsonl | ...)")
      ->required();
  cmd->add_option("--to", options->to, "HOST:PORT of the lurk collect")->required();
  cmd->add_option("--name", options->name, "the source's name in the profile (default: our address)");
  cmd->add_option("--token", options->token, "the collector's token, when it asks for one");
  cmd->add_option("--resume-after", options->resume_after,
                  "resume a stream the collector committed up to this byte (what an earlier lurk "
                  "send said): its header line again, then the input from there; same --name "
                  "and --token as then");
  cmd->footer(
      "Exit codes: 0 every byte sent was committed by the collector; 1 not (refused, the\n"
      "connection broke, the collector stopped first: the bytes committed are printed);\n"
      "2 usage.");
  return [input, options] { return run_send(*input, *options); };
}

}  // namespace lurk::cli
