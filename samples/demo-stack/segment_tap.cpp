// The demo stack's segment tap (see segment_tap.h): an AF_PACKET socket on one
// interface, a reader thread that turns our connections' frames into `tcp`
// events, and the duplicate-ACK sender.
#include "segment_tap.h"

#include <arpa/inet.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <stdexcept>

namespace lurk::demo {
namespace {

uint16_t be16(const uint8_t* p) { return uint16_t(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) { return uint32_t(p[0]) << 24 | uint32_t(p[1]) << 16 | uint32_t(p[2]) << 8 | p[3]; }

std::string ip_text(int family, const uint8_t* bytes) {
  char buf[INET6_ADDRSTRLEN] = "";
  inet_ntop(family, bytes, buf, sizeof buf);
  return buf;
}

// MSS (kind 2) and window scale (kind 3) from the TCP options.
void read_options(const uint8_t* opt, size_t size, SegmentHeader& out) {
  size_t i = 0;
  while (i < size) {
    uint8_t kind = opt[i];
    if (kind == 0) break;
    if (kind == 1) { ++i; continue; }
    if (i + 1 >= size || opt[i + 1] < 2 || i + opt[i + 1] > size) break;
    if (kind == 2 && opt[i + 1] == 4) out.mss = be16(opt + i + 2);
    if (kind == 3 && opt[i + 1] == 3) out.wscale = opt[i + 2];
    i += opt[i + 1];
  }
}

}  // namespace

bool parse_tcp_frame(const uint8_t* f, size_t n, bool outgoing, SegmentHeader& out) {
  if (n < 14) return false;
  uint16_t type = be16(f + 12);
  const uint8_t* ip = f + 14;
  size_t ip_size = n - 14, header = 0, payload_total = 0;
  std::string src, dst;
  if (type == ETHERTYPE_IP && ip_size >= 20 && ip[9] == IPPROTO_TCP) {
    header = size_t(ip[0] & 0x0f) * 4;
    payload_total = be16(ip + 2);
    src = ip_text(AF_INET, ip + 12);
    dst = ip_text(AF_INET, ip + 16);
  } else if (type == ETHERTYPE_IPV6 && ip_size >= 40 && ip[6] == IPPROTO_TCP) {
    header = 40;
    payload_total = 40 + be16(ip + 4);
    src = ip_text(AF_INET6, ip + 8);
    dst = ip_text(AF_INET6, ip + 24);
  } else {
    return false;
  }
  if (ip_size < header + 20 || payload_total > ip_size) return false;
  const uint8_t* tcp = ip + header;
  size_t tcp_header = size_t(tcp[12] >> 4) * 4;
  if (tcp_header < 20 || header + tcp_header > payload_total) return false;
  out = SegmentHeader{};
  out.tx = outgoing;
  uint16_t sport = be16(tcp), dport = be16(tcp + 2);
  out.tuple = outgoing ? ConnectionTuple{src, sport, dst, dport} : ConnectionTuple{dst, dport, src, sport};
  out.seq = be32(tcp + 4);
  out.ack = be32(tcp + 8);
  out.flags = tcp[13];
  out.window = be16(tcp + 14);
  out.len = uint32_t(payload_total - header - tcp_header);
  read_options(tcp + 20, tcp_header - 20, out);
  return true;
}

SegmentTap::SegmentTap(const std::string& interface, JsonlTrace& trace) : trace_(trace) {
  unsigned index = if_nametoindex(interface.c_str());
  if (index == 0) throw std::runtime_error("segment tap: no interface " + interface);
  fd_ = socket(AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
  if (fd_ < 0) throw std::runtime_error(std::string("segment tap: AF_PACKET socket (needs root): ") + std::strerror(errno));
  sockaddr_ll addr{};
  addr.sll_family = AF_PACKET;
  addr.sll_protocol = htons(ETH_P_ALL);
  addr.sll_ifindex = int(index);
  if (bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    close(fd_);
    throw std::runtime_error("segment tap: bind to " + interface + ": " + std::strerror(errno));
  }
  reader_ = std::thread([this] { run(); });
}

SegmentTap::~SegmentTap() {
  stop_ = true;
  if (reader_.joinable()) reader_.join();
  close(fd_);
}

void SegmentTap::watch_local_port(uint16_t port) {
  std::lock_guard<std::mutex> lock(mutex_);
  local_ports_.insert(port);
}

void SegmentTap::own(const ConnectionTuple& tuple, const std::string& thread) {
  std::lock_guard<std::mutex> lock(mutex_);
  local_ports_.insert(tuple.lport);
  connections_[tuple].thread = thread;
}

void SegmentTap::run() {
  std::vector<uint8_t> buf(65536);
  while (!stop_) {
    pollfd p{fd_, POLLIN, 0};
    if (poll(&p, 1, 50) <= 0) continue;
    sockaddr_ll from{};
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(fd_, buf.data(), buf.size(), 0, reinterpret_cast<sockaddr*>(&from), &len);
    if (n > 0) handle_frame(buf.data(), size_t(n), from.sll_pkttype == PACKET_OUTGOING);
  }
}

void SegmentTap::handle_frame(const uint8_t* frame, size_t size, bool outgoing) {
  int64_t ts = unix_now_ns();
  SegmentHeader s;
  if (!parse_tcp_frame(frame, size, outgoing, s)) return;
  std::string thread;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (!local_ports_.count(s.tuple.lport)) return;
    ConnectionState& c = connections_[s.tuple];
    thread = c.thread;
    if (!s.tx && (s.flags & 0x01)) {  // the peer's FIN: its sequence space ends one after
      c.peer_fin = true;
      c.ack_of_fin = s.seq + s.len + 1;
    }
    if (s.tx && s.flags == 0x10 && s.len == 0) {
      c.last_pure_ack.assign(frame, frame + size);
      c.last_pure_ack_header = s;
    }
  }
  changed_.notify_all();
  trace_.tcp_segment(ts, s, thread);
}

bool SegmentTap::resend_ack_of_fin(const ConnectionTuple& tuple, int copies, int timeout_ms) {
  std::vector<uint8_t> frame;
  SegmentHeader header;
  std::string thread;
  {
    std::unique_lock<std::mutex> lock(mutex_);
    auto acked = [&] {
      const ConnectionState& c = connections_[tuple];
      return c.peer_fin && !c.last_pure_ack.empty() && c.last_pure_ack_header.ack == c.ack_of_fin;
    };
    if (!changed_.wait_for(lock, std::chrono::milliseconds(timeout_ms), acked)) return false;
    const ConnectionState& c = connections_[tuple];
    frame = c.last_pure_ack;
    header = c.last_pure_ack_header;
    thread = c.thread;
  }
  for (int i = 0; i < copies; ++i) {
    // Our own packet socket does not see what it sends: trace the copy here.
    if (send(fd_, frame.data(), frame.size(), 0) < 0) return false;
    trace_.tcp_segment(unix_now_ns(), header, thread);
  }
  return true;
}

}  // namespace lurk::demo
