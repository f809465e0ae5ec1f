// lurk send FILE|- --to HOST:PORT [--name N] [--token T] [--format F]:
// streams a lurk JSON lines trace (a file, or stdin as it grows: `tail -f
// t.jsonl | lurk send -`) or a mirage-profile CTF trace (its packets, oldest
// first, after its metadata) to a `lurk collect`, then says how much of it
// the collector committed (docs/live.md). --resume-after picks up a JSON
// lines stream a killed collector had committed in part.
#include <CLI/CLI.hpp>
#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>
#include <chrono>

#include "cli/commands.h"
#include "ingest/ingest.h"
#include "live/ctf_send_order.h"
#include "live/trace_sender.h"

namespace lurk::cli {
namespace {

bool read_file(const std::string& path, std::string& out) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream bytes;
  bytes << in.rdbuf();
  out = bytes.str();
  return bool(in);
}

// The TSDL metadata of a CTF file: --metadata, else FILE.metadata or a
// `metadata` file beside it (babeltrace's layout), else none.
std::string metadata_path(const std::string& input, const std::string& given) {
  if (!given.empty() || input == "-") return given;
  namespace fs = std::filesystem;
  std::error_code ec;
  for (fs::path p : {fs::path(input + ".metadata"), fs::path(input).parent_path() / "metadata"})
    if (fs::is_regular_file(p, ec)) return p.string();
  return {};
}

// A CTF file is read whole (a ring is a few megabytes) to send its packets
// oldest first; JSON lines and stdin stream as they are read.
bool prepare_ctf(const std::string& input, const std::string& metadata, int fd,
                 live::SendOptions& options) {
  if (input == "-" || options.format == live::SendOptions::Format::LurkJsonl) return true;
  char magic[4] = {};
  bool is_ctf = ::pread(fd, magic, sizeof magic, 0) == 4 &&
                live::looks_like_ctf(std::string_view(magic, 4));
  if (options.format == live::SendOptions::Format::Auto && !is_ctf) return true;
  options.format = live::SendOptions::Format::Ctf;
  std::string file;
  if (!read_file(input, file)) {
    std::cerr << "lurk send: " << input << ": cannot read it\n";
    return false;
  }
  options.input_bytes = live::ctf_packets_oldest_first(file);
  std::string meta = metadata_path(input, metadata);
  if (!meta.empty() && !read_file(meta, options.ctf_metadata)) {
    std::cerr << "lurk send: " << meta << ": cannot read the CTF metadata\n";
    return false;
  }
  return true;
}

void print_result(const live::SendResult& r) {
  std::cerr << "lurk send: sent " << r.bytes_sent << " bytes; the collector committed "
            << r.acked_bytes << " bytes, " << r.acked_events << " events (" << r.acked_errors
            << " with errors)\n";
  if (r.input_skipped > 0)
    std::cerr << "lurk send: resumed: " << r.input_skipped << " bytes of the input were committed before\n";
  if (!r.refusal.empty()) std::cerr << "lurk send: refused by the collector: " << r.refusal << "\n";
  if (!r.error.empty()) std::cerr << "lurk send: " << r.error << "\n";
}

// One connection: the input from its start (or where the collector says).
live::SendResult send_once(const std::string& input, const std::string& metadata,
                           live::SendOptions options, bool& usage_error) {
  live::SendResult failed;
  int fd = input == "-" ? STDIN_FILENO : ::open(input.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    failed.error = input + ": " + std::strerror(errno);
    return failed;
  }
  options.input_fd = fd;
  bool ok = true;
  if (input == "-" && !metadata.empty() && !read_file(metadata, options.ctf_metadata)) {
    failed.error = metadata + ": cannot read the CTF metadata";
    ok = false;
  }
  if (ok && !prepare_ctf(input, metadata, fd, options)) {
    failed.error = input + ": cannot read it as CTF";
    ok = false;
  }
  if (ok && options.resume_after > 0 && options.format == live::SendOptions::Format::Ctf) {
    failed.error = "--resume-after is for JSON lines streams; a CTF stream resumes with --stream";
    usage_error = true;
    ok = false;
  }
  live::SendResult r = ok ? live::send_trace(options) : failed;
  if (fd != STDIN_FILENO) ::close(fd);
  return r;
}

// With --stream and --retry: a broken connection (a collector killed and
// restarted) is made again, and the stream resumes where the profile's copy
// ends, until `retry_s` seconds pass without a connection.
int run_send(const std::string& input, const std::string& metadata, live::SendOptions options,
             double retry_s) {
  if (retry_s > 0 && (options.stream_id.empty() || input == "-")) {
    std::cerr << "lurk send: --retry needs --stream and a file (stdin cannot be read again)\n";
    return int(kExitUsage);
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(retry_s);
  live::SendResult r;
  for (;;) {
    bool usage_error = false;
    r = send_once(input, metadata, options, usage_error);
    print_result(r);
    if (usage_error) return int(kExitUsage);
    if (r.all_acknowledged()) return int(kExitOk);
    bool busy = r.refusal.rfind("stream already connected", 0) == 0;
    if (r.bytes_sent > 0 || busy) deadline = std::chrono::steady_clock::now() +
                                             std::chrono::duration<double>(retry_s);
    bool retry = retry_s > 0 && (r.refusal.empty() || busy) &&
                 std::chrono::steady_clock::now() < deadline;
    if (!retry) break;
    std::cerr << "lurk send: reconnecting to resume stream " << options.stream_id << "\n";
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (r.refusal.empty())
    std::cerr << "lurk send: not everything sent was committed (the collector stopped?); resume "
                 "with the same --name and --token and "
              << (options.stream_id.empty() ? "" : "--stream (the collector says where), or ")
              << "--resume-after " << r.resume_point() << "\n";
  return int(kExitFailure);
}

}  // namespace

CommandRunner add_send_command(CLI::App& app) {
  auto* cmd = app.add_subcommand(
      "send", "Stream a trace (lurk JSON lines or mirage-profile CTF) to a lurk collect");
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
  cmd->add_option("--stream", options->stream_id,
                  "an id for this stream across reconnections (JSON lines or CTF): the "
                  "collector says how much of it its profile holds and the rest is sent, so "
                  "every line or packet is stored exactly once, even after the collector was killed and restarted");
  auto retry = std::make_shared<double>(0);
  cmd->add_option("--retry", *retry,
                  "with --stream: when the connection breaks, connect again and resume, "
                  "for up to this many seconds without a connection")
      ->check(CLI::Range(0.0, 86400.0));
  cmd->footer(
      "Exit codes: 0 every byte sent was committed by the collector; 1 not (refused, the\n"
      "connection broke, the collector stopped first: the bytes committed are printed);\n"
      "2 usage.");
  auto format = std::make_shared<std::string>("auto");
  auto metadata = std::make_shared<std::string>();
  cmd->add_option("--format", *format,
                  "what the input is: lurk-jsonl, ctf (mirage-profile), or auto (CTF when it "
                  "begins with the packet magic)")
      ->check(CLI::IsMember({"auto", "lurk-jsonl", "ctf"}));
  cmd->add_option("--metadata", *metadata,
                  "a CTF trace's TSDL metadata, sent first (default: FILE.metadata or a "
                  "`metadata` file beside FILE, when there is one)");
  return [input, options, format, metadata, retry] {
    options->format = *format == "ctf"          ? live::SendOptions::Format::Ctf
                      : *format == "lurk-jsonl" ? live::SendOptions::Format::LurkJsonl
                                                : live::SendOptions::Format::Auto;
    return run_send(*input, *metadata, *options, *retry);
  };
}

}  // namespace lurk::cli
