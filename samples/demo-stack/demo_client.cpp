// lurk-demo-client: the client half of the demo stack (samples/demo-stack).
// Opens one connection per planned fetch, each on its own thread, and traces
// itself in lurk JSON lines: spans for connect, write, read and close, log
// lines, exceptions with their stack, and (with --tap) its TCP segments.
// Switches reproduce, one connection each, the bugs every stack meets:
//   --dup-ack-after-fin   after the server's FIN/ACK, send copies of our ACK of it
//   --rto-source-port P   a connection from port P, whose request the lab's
//                         forwarder drops (lurk-impair --drop-port P): RTO stall
//   --zero-window         a slow reader (4 KB SO_RCVBUF, sleeps): zero-window stall
//   --reset               abort mid-response with SO_LINGER 0: RST on an established connection
#include <CLI/CLI.hpp>

#include <netinet/in.h>
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

enum class Behaviour { plain, dup_ack_after_fin, rto, zero_window, reset };

struct Fetch {
  std::string name;
  std::string server;
  size_t bytes = 0;
  Behaviour behaviour = Behaviour::plain;
};

struct ClientOptions {
  std::vector<std::string> servers;
  uint16_t port = 7000;
  std::string trace_path;
  std::string tap_interface;
  int fetches = 6;
  size_t bytes = 20000;
  bool dup_ack_after_fin = false;
  uint16_t rto_source_port = 0;
  bool zero_window = false;
  bool reset = false;
  int stagger_ms = 40;
};

struct ClientContext {
  const ClientOptions& options;
  JsonlTrace& trace;
  SegmentTap* tap;
};

// The source address the routing table picks for `remote`: a UDP socket's
// connect() chooses it without sending anything.
sockaddr_storage source_address_for(const sockaddr_storage& remote, socklen_t rlen) {
  int probe = socket(remote.ss_family, SOCK_DGRAM, 0);
  sockaddr_storage local{};
  socklen_t llen = sizeof local;
  bool ok = probe >= 0 && connect(probe, reinterpret_cast<const sockaddr*>(&remote), rlen) == 0 &&
            getsockname(probe, reinterpret_cast<sockaddr*>(&local), &llen) == 0;
  if (probe >= 0) close(probe);
  if (!ok) throw std::runtime_error(errno_text("no route to the server"));
  return local;
}

// A socket bound to its local address and port before connecting, so the tap
// can name the thread of the SYN already.
int bound_socket(const Fetch& fetch, uint16_t local_port, bool small_buffer, ConnectionTuple& tuple,
                 const ClientOptions& options) {
  sockaddr_storage remote{};
  socklen_t rlen = 0;
  if (!make_address(fetch.server, options.port, remote, rlen))
    throw std::runtime_error("not an IPv4 or IPv6 address: " + fetch.server);
  sockaddr_storage local = source_address_for(remote, rlen);
  sockaddr_storage bind_to{};
  socklen_t blen = 0;
  make_address(address_text(local), local_port, bind_to, blen);
  int fd = socket(remote.ss_family, SOCK_STREAM, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  if (small_buffer) {
    int size = 4096;  // set before connect: the window scale of the SYN follows it
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&bind_to), blen) != 0) {
    close(fd);
    throw std::runtime_error(errno_text("bind"));
  }
  sockaddr_storage bound{};
  socklen_t bound_len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_len);
  tuple = {address_text(bound), address_port(bound), fetch.server, options.port};
  return fd;
}

void connect_to(ClientContext& ctx, int fd, const Fetch& fetch, const std::string& thread) {
  DEMO_FRAME();
  Span span(ctx.trace, thread, "connect", "{\"server\":" + json_quote(fetch.server) + "}");
  sockaddr_storage remote{};
  socklen_t rlen = 0;
  make_address(fetch.server, ctx.options.port, remote, rlen);
  if (connect(fd, reinterpret_cast<sockaddr*>(&remote), rlen) != 0) throw StackError(errno_text("connect"));
}

// Reads the response; the slow reader stops after its first read so its
// window closes, the resetting reader aborts after 20 KB.
size_t read_response(ClientContext& ctx, int fd, const Fetch& fetch, const std::string& thread) {
  DEMO_FRAME();
  Span span(ctx.trace, thread, "read", "{\"expect\":" + std::to_string(fetch.bytes) + "}");
  bool slow = fetch.behaviour == Behaviour::zero_window;
  std::vector<char> buf(slow ? 2048 : 16384);
  size_t got = 0;
  for (int reads = 0; got < fetch.bytes + 1; ++reads) {
    if (slow && reads == 1) {
      ctx.trace.log(thread, "warn", "slow reader: not reading for 1.5 s");
      std::this_thread::sleep_for(std::chrono::milliseconds(1500));
    }
    size_t n = read_some(fd, buf.data(), buf.size());
    if (n == 0) break;
    got += n;
    if (fetch.behaviour == Behaviour::reset && got >= 20000) {
      // Gives up after a while; the wait also keeps its RST after the first
      // connection's close, so the findings rank the exception at close first.
      ctx.trace.log(thread, "warn", "giving up on the response");
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      break;
    }
  }
  return got;
}

void close_fetch(ClientContext& ctx, int fd, const Fetch& fetch, const std::string& thread,
                 const ConnectionTuple& tuple) {
  DEMO_FRAME();
  if (fetch.behaviour == Behaviour::dup_ack_after_fin && ctx.tap) {
    // Two copies: duplicate ACKs after FIN/ACK, not yet a run of three (a separate finding).
    bool sent = ctx.tap->resend_ack_of_fin(tuple, 2, 1000);
    ctx.trace.log(thread, sent ? "warn" : "error",
                  sent ? "sent 2 duplicate ACKs after the server's FIN/ACK"
                       : "no ACK of the server's FIN seen: no duplicate ACKs sent");
  }
  Span span(ctx.trace, thread, "close");
  if (fetch.behaviour == Behaviour::reset) {
    linger abort_now{1, 0};  // close() sends a RST instead of a FIN
    setsockopt(fd, SOL_SOCKET, SO_LINGER, &abort_now, sizeof abort_now);
    ctx.trace.log(thread, "warn", "aborting the connection (SO_LINGER 0): RST");
  }
  close(fd);
}

void run_fetch(ClientContext& ctx, const Fetch& fetch, int number) {
  std::string thread = "client-" + std::to_string(number);
  uint16_t local_port = fetch.behaviour == Behaviour::rto ? ctx.options.rto_source_port : 0;
  ConnectionTuple tuple;
  int fd = -1;
  try {
    fd = bound_socket(fetch, local_port, fetch.behaviour == Behaviour::zero_window, tuple, ctx.options);
  } catch (const std::exception& e) {  // before the thread's trace begins: say it here
    std::cerr << "lurk-demo-client: " << fetch.name << ": " << e.what() << "\n";
    return;
  }
  set_timeouts(fd, 20);
  ctx.trace.thread_start(thread, fetch.name, &tuple);  // before the tap may name it (server's note)
  if (ctx.tap) ctx.tap->own(tuple, thread);
  try {
    DEMO_FRAME();
    connect_to(ctx, fd, fetch, thread);  // the tuple is the one bound_socket bound
    {
      Span span(ctx.trace, thread, "write", "{\"request\":\"GET " + std::to_string(fetch.bytes) + "\"}");
      std::string request = "GET " + std::to_string(fetch.bytes) + "\n";
      write_all(fd, request.data(), request.size());
    }
    size_t got = read_response(ctx, fd, fetch, thread);
    ctx.trace.log(thread, "info", "received " + std::to_string(got) + " bytes");
    close_fetch(ctx, fd, fetch, thread, tuple);
    ctx.trace.thread_end(thread, nullptr);
  } catch (const StackError& e) {
    close(fd);
    ctx.trace.exception(thread, e.what(), e.stack(), true, tuple);
    std::string error = e.what();
    ctx.trace.thread_end(thread, &error);
  }
}

// The switches' connections first: they open first, so the capture numbers
// them first and the timeline shows them at the top, above the plain fetches.
std::vector<Fetch> plan_fetches(const ClientOptions& o) {
  std::vector<Fetch> plan;
  auto server = [&](size_t i) { return o.servers[i % o.servers.size()]; };
  if (o.dup_ack_after_fin)
    plan.push_back({"fetch, then duplicate ACKs", server(plan.size()), o.bytes, Behaviour::dup_ack_after_fin});
  if (o.rto_source_port)
    plan.push_back({"fetch, request lost twice", server(plan.size()), o.bytes, Behaviour::rto});
  if (o.zero_window)
    plan.push_back({"slow reader", server(plan.size()), 3 * o.bytes, Behaviour::zero_window});
  if (o.reset)
    // Fits in the client's receive buffer: the abort is the only trouble on it.
    plan.push_back({"fetch, then abort", server(plan.size()), 3 * o.bytes, Behaviour::reset});
  for (int i = 0; i < o.fetches; ++i)
    plan.push_back({"fetch " + std::to_string(i + 1), server(plan.size()), o.bytes / 2 + size_t(i) * o.bytes / 4,
                    Behaviour::plain});
  return plan;
}

int run_client(const ClientOptions& options) {
  stop_on_signals();
  JsonlTrace trace(options.trace_path, "lurk-demo-client 1");
  std::unique_ptr<SegmentTap> tap;
  if (!options.tap_interface.empty()) tap = std::make_unique<SegmentTap>(options.tap_interface, trace);
  ClientContext ctx{options, trace, tap.get()};
  std::vector<std::thread> threads;
  std::vector<Fetch> plan = plan_fetches(options);
  for (size_t i = 0; i < plan.size() && !g_stop_requested; ++i) {
    threads.emplace_back([&ctx, &plan, i] { run_fetch(ctx, plan[i], int(i) + 1); });
    std::this_thread::sleep_for(std::chrono::milliseconds(options.stagger_ms));
  }
  for (std::thread& t : threads) t.join();  // each is bounded by its socket timeouts
  std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the tap sees the last ACKs
  std::cerr << "lurk-demo-client: ran " << threads.size() << " connections\n";
  return 0;
}

}  // namespace
}  // namespace lurk::demo

int main(int argc, char** argv) {
  lurk::demo::ClientOptions o;
  CLI::App app{"The demo stack's client: fetches from lurk-demo-server and traces itself in lurk JSON lines."};
  app.add_option("--server", o.servers, "server address (IPv4 or IPv6); repeat to alternate")->required();
  app.add_option("--port", o.port, "server port")->capture_default_str();
  app.add_option("--trace", o.trace_path, "the lurk JSONL trace to write")->required();
  app.add_option("--tap", o.tap_interface, "interface to read our own TCP segments from (needs root)");
  app.add_option("--fetches", o.fetches, "plain fetches")->check(CLI::Range(0, 100))->capture_default_str();
  app.add_option("--bytes", o.bytes, "response size of a fetch")->check(CLI::Range(1, 1 << 22))->capture_default_str();
  app.add_flag("--dup-ack-after-fin", o.dup_ack_after_fin, "a connection that sends duplicate ACKs after FIN/ACK");
  app.add_option("--rto-source-port", o.rto_source_port,
                 "a connection from this port (the forwarder drops its request: RTO stall)");
  app.add_flag("--zero-window", o.zero_window, "a slow reader with a 4 KB receive buffer");
  app.add_flag("--reset", o.reset, "a connection aborted with a RST mid-response");
  app.add_option("--stagger-ms", o.stagger_ms, "pause between starting connections")->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  try {
    return lurk::demo::run_client(o);
  } catch (const std::exception& e) {
    std::cerr << "lurk-demo-client: " << e.what() << "\n";
    return 1;
  }
}
