// lurk-demo-server: the server half of the demo stack (samples/demo-stack).
// Accepts on one port (IPv4 and IPv6), serves each connection on its own
// thread and traces itself in lurk JSON lines: spans for read, write and close,
// log lines, exceptions with their stack, and (with --tap) its TCP segments.
// Protocol: the client sends "GET BYTES\n"; the server sends BYTES bytes,
// half-closes, waits for the client's FIN and closes.
// --throw-at-close reproduces the MirageOS 2015 bug: every connection's close
// throws, so every connection ends with an exception.
#include <CLI/CLI.hpp>

#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <thread>
#include <vector>

#include "demo_io.h"
#include "jsonl_trace.h"
#include "segment_tap.h"

namespace lurk::demo {
namespace {

struct ServerOptions {
  uint16_t port = 7000;
  std::string trace_path;
  std::string tap_interface;
  bool throw_at_close = false;
  double duration_s = 60;
};

struct ServerContext {
  const ServerOptions& options;
  JsonlTrace& trace;
  SegmentTap* tap;
};

void send_response(ServerContext& ctx, int fd, const std::string& thread, size_t bytes) {
  DEMO_FRAME();
  Span span(ctx.trace, thread, "write", "{\"bytes\":" + std::to_string(bytes) + "}");
  std::string block(16384, 'x');
  size_t sent = 0;
  while (sent < bytes) {
    size_t part = std::min(block.size(), bytes - sent);
    write_all(fd, block.data(), part);
    sent += part;
  }
  ctx.trace.log(thread, "info", "sent " + std::to_string(bytes) + " bytes");
}

// Half-close, wait for the client's FIN, close; with --throw-at-close the
// close fails the way MirageOS's did in 2015, on every connection.
void close_connection(ServerContext& ctx, int fd, const std::string& thread, bool& closed) {
  DEMO_FRAME();
  Span span(ctx.trace, thread, "close");
  shutdown(fd, SHUT_WR);
  char buf[4096];
  while (read_some(fd, buf, sizeof buf) > 0) {
  }
  close(fd);
  closed = true;
  if (ctx.options.throw_at_close)
    throw StackError("Invalid_argument(\"Lwt.wakeup_result\")");  // mirage-tcpip#153
  ctx.trace.log(thread, "info", "closed");
}

void serve_request(ServerContext& ctx, int fd, const std::string& thread, bool& closed) {
  DEMO_FRAME();
  std::string request;
  {
    Span span(ctx.trace, thread, "read");
    request = read_line(fd, 64);
  }
  ctx.trace.log(thread, "info", "request " + request);
  size_t bytes = 0;
  if (std::sscanf(request.c_str(), "GET %zu", &bytes) != 1 || bytes > (1u << 24))
    throw StackError("bad request: " + request);
  send_response(ctx, fd, thread, bytes);
  close_connection(ctx, fd, thread, closed);
}

void serve_connection(ServerContext& ctx, int fd, int number) {
  std::string thread = "server-" + std::to_string(number);
  ConnectionTuple tuple;
  try {
    tuple = socket_tuple(fd);
  } catch (const std::exception& e) {  // the peer left between accept and now
    std::cerr << "lurk-demo-server: " << e.what() << "\n";
    close(fd);
    return;
  }
  // The thread starts in the trace before the tap may name it on a segment:
  // the tap's reader runs on its own thread and writes as soon as it owns the
  // connection (the other order let a segment come first under slow timing).
  ctx.trace.thread_start(thread, "serve " + tuple.raddr + ":" + std::to_string(tuple.rport), &tuple);
  if (ctx.tap) ctx.tap->own(tuple, thread);
  set_timeouts(fd, 20);
  bool closed = false;
  try {
    DEMO_FRAME();
    serve_request(ctx, fd, thread, closed);
    ctx.trace.thread_end(thread, nullptr);
  } catch (const StackError& e) {
    ctx.trace.exception(thread, e.what(), e.stack(), true, tuple);
    std::string error = e.what();
    ctx.trace.thread_end(thread, &error);
  }
  if (!closed) close(fd);
}

int open_listener(uint16_t port) {
  int fd = socket(AF_INET6, SOCK_STREAM, 0);
  int one = 1, zero = 0;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero);  // IPv4 too
  sockaddr_in6 addr{};
  addr.sin6_family = AF_INET6;
  addr.sin6_addr = in6addr_any;
  addr.sin6_port = htons(port);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || listen(fd, 64) != 0)
    throw std::runtime_error(errno_text(("listen on port " + std::to_string(port)).c_str()));
  return fd;
}

int run_server(const ServerOptions& options) {
  stop_on_signals();
  JsonlTrace trace(options.trace_path, "lurk-demo-server 1");
  std::unique_ptr<SegmentTap> tap;
  if (!options.tap_interface.empty()) tap = std::make_unique<SegmentTap>(options.tap_interface, trace);
  if (tap) tap->watch_local_port(options.port);
  int listener = open_listener(options.port);
  ServerContext ctx{options, trace, tap.get()};
  std::vector<std::thread> workers;
  std::cout << "ready" << std::endl;
  auto deadline = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(int64_t(options.duration_s * 1000));
  while (!g_stop_requested && std::chrono::steady_clock::now() < deadline) {
    pollfd p{listener, POLLIN, 0};
    if (poll(&p, 1, 100) <= 0) continue;
    int fd = accept(listener, nullptr, nullptr);
    if (fd < 0) continue;
    int number = int(workers.size()) + 1;
    workers.emplace_back([&ctx, fd, number] { serve_connection(ctx, fd, number); });
  }
  close(listener);
  for (std::thread& worker : workers) worker.join();  // each is bounded by its socket timeouts
  std::cerr << "lurk-demo-server: served " << workers.size() << " connections\n";
  return 0;
}

}  // namespace
}  // namespace lurk::demo

int main(int argc, char** argv) {
  lurk::demo::ServerOptions options;
  CLI::App app{"The demo stack's server: serves GET BYTES requests and traces itself in lurk JSON lines."};
  app.add_option("--port", options.port, "port to listen on (IPv4 and IPv6)")->capture_default_str();
  app.add_option("--trace", options.trace_path, "the lurk JSONL trace to write")->required();
  app.add_option("--tap", options.tap_interface,
                 "interface to read our own TCP segments from (AF_PACKET, needs root)");
  app.add_flag("--throw-at-close", options.throw_at_close,
               "every connection's close throws (the MirageOS 2015 bug)");
  app.add_option("--duration", options.duration_s, "seconds to serve before exiting")
      ->check(CLI::Range(0.1, 3600.0))->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return lurk::demo::run_server(options);
  } catch (const std::exception& e) {
    std::cerr << "lurk-demo-server: " << e.what() << "\n";
    return 1;
  }
}
