// lurk-impair: the middle of the network test lab. It bridges two interfaces
// (one veth towards the client namespace, one towards the server namespace)
// with AF_PACKET raw sockets and impairs TCP frames on the way: loss, delay,
// reordering and duplication, from a seeded generator at rates given as flags.
// The kernel here has no netem qdisc, so this user-space bridge stands in for
// it while both ends stay real kernel TCP. It runs for a bounded time.
#include <CLI/CLI.hpp>

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <optional>
#include <queue>
#include <string>
#include <vector>

#include "impairment_policy.h"

namespace lurk::netlab {
namespace {

using Clock = std::chrono::steady_clock;

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Options {
  std::string iface_a, iface_b;
  ImpairmentRates rates;
  uint64_t seed = 1;
  double duration_s = 60;
  size_t max_queued = 20000;
  // Deterministic loss on top of the seeded rates: the first drop_count TCP
  // frames with payload to or from drop_port are dropped (samples/make-demo.sh:
  // one request lost twice, an RTO stall on every run).
  uint16_t drop_port = 0;
  int drop_count = 0;
};

struct DirectionStats {
  uint64_t received = 0, tcp = 0, dropped = 0, duplicated = 0, reordered = 0, sent = 0,
           send_errors = 0, overflow = 0;
};

struct PendingFrame {
  Clock::time_point due;
  uint64_t order;  // keeps frames with the same due time in arrival order
  int out_index;   // which socket sends it
  std::vector<uint8_t> bytes;
  bool operator>(const PendingFrame& o) const {
    return due != o.due ? due > o.due : order > o.order;
  }
};

// TCP over IPv4 or IPv6 (no extension headers: the lab sends none).
bool is_tcp_frame(const uint8_t* f, size_t n) {
  if (n < 14) return false;
  uint16_t type = uint16_t(f[12] << 8 | f[13]);
  if (type == ETHERTYPE_IP) return n >= 14 + 20 && f[14 + 9] == IPPROTO_TCP;
  if (type == ETHERTYPE_IPV6) return n >= 14 + 40 && f[14 + 6] == IPPROTO_TCP;
  return false;
}

// The TCP ports and payload length of a frame is_tcp_frame accepted.
struct TcpPorts {
  uint16_t source = 0, destination = 0;
  size_t payload = 0;
};

std::optional<TcpPorts> tcp_ports(const uint8_t* f, size_t n) {
  size_t ip_header = 0, ip_total = 0;
  if (uint16_t(f[12] << 8 | f[13]) == ETHERTYPE_IP) {
    ip_header = size_t(f[14] & 0x0f) * 4;
    ip_total = size_t(f[16] << 8 | f[17]);
  } else {
    ip_header = 40;
    ip_total = 40 + size_t(f[18] << 8 | f[19]);
  }
  const uint8_t* tcp = f + 14 + ip_header;
  if (14 + ip_header + 20 > n || ip_total > n - 14) return std::nullopt;
  size_t tcp_header = size_t(tcp[12] >> 4) * 4;
  if (ip_header + tcp_header > ip_total) return std::nullopt;
  return TcpPorts{uint16_t(tcp[0] << 8 | tcp[1]), uint16_t(tcp[2] << 8 | tcp[3]),
                  ip_total - ip_header - tcp_header};
}

std::optional<int> open_bridge_socket(const std::string& iface) {
  unsigned index = if_nametoindex(iface.c_str());
  if (index == 0) {
    std::fprintf(stderr, "lurk-impair: no interface %s: %s\n", iface.c_str(), std::strerror(errno));
    return std::nullopt;
  }
  int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK, htons(ETH_P_ALL));
  if (fd < 0) {
    std::fprintf(stderr, "lurk-impair: AF_PACKET socket: %s (needs root)\n", std::strerror(errno));
    return std::nullopt;
  }
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = int(index);
  if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    std::fprintf(stderr, "lurk-impair: bind to %s: %s\n", iface.c_str(), std::strerror(errno));
    close(fd);
    return std::nullopt;
  }
  // Frames we send out of this interface must not come back in as input.
  int one = 1;
  setsockopt(fd, SOL_PACKET, PACKET_IGNORE_OUTGOING, &one, sizeof one);
  // The far end's MAC is not ours: see every frame.
  packet_mreq mreq{};
  mreq.mr_ifindex = int(index);
  mreq.mr_type = PACKET_MR_PROMISC;
  setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq, sizeof mreq);
  return fd;
}

class Bridge {
 public:
  Bridge(const Options& opt, int fd_a, int fd_b)
      : opt_(opt), fds_{fd_a, fd_b}, policy_(opt.rates, opt.seed) {}

  void run() {
    const auto deadline =
        Clock::now() + std::chrono::microseconds(int64_t(opt_.duration_s * 1e6));
    while (!g_stop && Clock::now() < deadline) {
      wait_for_input(deadline);
      for (int i = 0; i < 2; ++i) drain_input(i);
      send_due_frames();
    }
  }

  void print_stats() const {
    const char* names[2] = {"a->b", "b->a"};
    for (int i = 0; i < 2; ++i) {
      const auto& s = stats_[i];
      std::fprintf(stderr,
                   "lurk-impair %s: received %llu (tcp %llu), dropped %llu, duplicated %llu, "
                   "reordered %llu, sent %llu, send errors %llu, queue overflow %llu\n",
                   names[i], (unsigned long long)s.received, (unsigned long long)s.tcp,
                   (unsigned long long)s.dropped, (unsigned long long)s.duplicated,
                   (unsigned long long)s.reordered, (unsigned long long)s.sent,
                   (unsigned long long)s.send_errors, (unsigned long long)s.overflow);
    }
  }

 private:
  void wait_for_input(Clock::time_point deadline) {
    auto until = deadline;
    if (!pending_.empty() && pending_.top().due < until) until = pending_.top().due;
    auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(until - Clock::now());
    if (wait.count() < 0) wait = std::chrono::nanoseconds(0);
    if (wait > std::chrono::milliseconds(100)) wait = std::chrono::milliseconds(100);
    timespec ts{time_t(wait.count() / 1000000000), long(wait.count() % 1000000000)};
    pollfd pfds[2] = {{fds_[0], POLLIN, 0}, {fds_[1], POLLIN, 0}};
    ppoll(pfds, 2, &ts, nullptr);
  }

  // Reads what is waiting on input socket `in` (bounded per round so the
  // other direction and due frames are not starved).
  void drain_input(int in) {
    uint8_t buf[65536];
    for (int round = 0; round < 256; ++round) {
      sockaddr_ll from{};
      socklen_t len = sizeof from;
      ssize_t n = recvfrom(fds_[in], buf, sizeof buf, 0, reinterpret_cast<sockaddr*>(&from), &len);
      if (n <= 0) return;
      if (from.sll_pkttype == PACKET_OUTGOING) continue;  // older kernels ignore the sockopt
      accept_frame(in, buf, size_t(n));
    }
  }

  void accept_frame(int in, const uint8_t* f, size_t n) {
    auto& s = stats_[in];
    ++s.received;
    bool tcp = is_tcp_frame(f, n);
    ImpairmentDecision d = tcp ? policy_.decide_impaired() : policy_.decide_passthrough();
    if (tcp) ++s.tcp;
    if (tcp && drops_on_port(f, n)) d = ImpairmentDecision{true, false, {}};
    if (d.dropped) {
      ++s.dropped;
      return;
    }
    if (d.reordered) ++s.reordered;
    if (d.send_after.size() > 1) ++s.duplicated;
    const auto now = Clock::now();
    for (auto after : d.send_after) {
      if (pending_.size() >= opt_.max_queued) {
        ++s.overflow;
        continue;
      }
      pending_.push({now + after, next_order_++, 1 - in, std::vector<uint8_t>(f, f + n)});
    }
  }

  // The targeted loss of --drop-port/--drop-count (frames with payload only, so
  // the handshake and pure ACKs pass).
  bool drops_on_port(const uint8_t* f, size_t n) {
    if (dropped_on_port_ >= opt_.drop_count) return false;
    auto ports = tcp_ports(f, n);
    if (!ports || ports->payload == 0) return false;
    if (ports->source != opt_.drop_port && ports->destination != opt_.drop_port) return false;
    ++dropped_on_port_;
    return true;
  }

  void send_due_frames() {
    const auto now = Clock::now();
    while (!pending_.empty() && pending_.top().due <= now) {
      const PendingFrame& p = pending_.top();
      auto& s = stats_[1 - p.out_index];
      if (send(fds_[p.out_index], p.bytes.data(), p.bytes.size(), 0) < 0)
        ++s.send_errors;
      else
        ++s.sent;
      pending_.pop();
    }
  }

  const Options& opt_;
  int fds_[2];
  ImpairmentPolicy policy_;
  DirectionStats stats_[2];
  std::priority_queue<PendingFrame, std::vector<PendingFrame>, std::greater<>> pending_;
  uint64_t next_order_ = 0;
  int dropped_on_port_ = 0;
};

int run(int argc, char** argv) {
  Options opt;
  double delay_ms = 0, reorder_delay_ms = 0;
  CLI::App app{"Bridges two interfaces and impairs TCP frames (loss, delay, reordering, "
               "duplication) for lurk's network test lab."};
  app.add_option("--a", opt.iface_a, "first interface")->required();
  app.add_option("--b", opt.iface_b, "second interface")->required();
  app.add_option("--loss", opt.rates.loss, "drop probability per TCP frame")->check(CLI::Range(0.0, 1.0));
  app.add_option("--duplicate", opt.rates.duplicate, "duplication probability per TCP frame")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--reorder", opt.rates.reorder, "probability a TCP frame is held back")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--delay-ms", delay_ms, "one-way delay for every frame")->check(CLI::Range(0.0, 1000.0));
  app.add_option("--reorder-delay-ms", reorder_delay_ms, "extra hold for reordered frames")
      ->check(CLI::Range(0.0, 1000.0));
  app.add_option("--seed", opt.seed, "random seed");
  app.add_option("--drop-port", opt.drop_port, "with --drop-count: the port whose frames are dropped");
  app.add_option("--drop-count", opt.drop_count,
                 "drop the first N TCP frames with payload to or from --drop-port")
      ->check(CLI::Range(0, 1000));
  app.add_option("--duration", opt.duration_s, "seconds to run before exiting")
      ->check(CLI::Range(0.1, 3600.0));
  CLI11_PARSE(app, argc, argv);
  opt.rates.delay = std::chrono::microseconds(int64_t(delay_ms * 1000));
  opt.rates.reorder_delay = std::chrono::microseconds(int64_t(reorder_delay_ms * 1000));

  auto a = open_bridge_socket(opt.iface_a);
  auto b = open_bridge_socket(opt.iface_b);
  if (!a || !b) return 1;
  signal(SIGINT, on_signal);
  signal(SIGTERM, on_signal);
  Bridge bridge(opt, *a, *b);
  std::fprintf(stderr, "lurk-impair: bridging %s <-> %s\n", opt.iface_a.c_str(), opt.iface_b.c_str());
  bridge.run();
  bridge.print_stats();
  close(*a);
  close(*b);
  return 0;
}

}  // namespace
}  // namespace lurk::netlab

int main(int argc, char** argv) { return lurk::netlab::run(argc, argv); }
