#include "net/connection_tracker.h"

#include <algorithm>
#include <cstring>

#include "net/analysis_flags.h"
#include "storage/trace_writer.h"

namespace lurk {
namespace {

bool endpoint_less(const IpAddress& a, uint16_t port_a, const IpAddress& b, uint16_t port_b) {
  if (a.family != b.family) return a.family < b.family;
  int order = std::memcmp(a.bytes.data(), b.bytes.data(), a.bytes.size());
  return order != 0 ? order < 0 : port_a < port_b;
}

ConnectionKey key_of(const TcpSegment& s) {
  ConnectionKey key;
  if (endpoint_less(s.src, s.src_port, s.dst, s.dst_port)) {
    key = {s.src, s.dst, s.src_port, s.dst_port};
  } else {
    key = {s.dst, s.src, s.dst_port, s.src_port};
  }
  return key;
}

}  // namespace

// Eight bytes at a time (a byte at a time cost ~290 instructions a packet):
// each word is multiplied into the state and the high half folded back in.
size_t ConnectionKeyHash::operator()(const ConnectionKey& key) const {
  uint64_t h = 0x9e3779b97f4a7c15ULL;
  auto mix = [&h](uint64_t word) {
    h = (h ^ word) * 0xbf58476d1ce4e5b9ULL;
    h ^= h >> 31;
  };
  auto mix_address = [&mix](const IpAddress& address) {
    static_assert(sizeof(address.bytes) % 8 == 0);
    for (size_t i = 0; i < sizeof(address.bytes); i += 8) {
      uint64_t word;
      std::memcpy(&word, address.bytes.data() + i, sizeof word);
      mix(word);
    }
  };
  mix_address(key.addr_lo);
  mix_address(key.addr_hi);
  mix(uint64_t(key.port_lo) << 16 | key.port_hi);
  return static_cast<size_t>(h);
}

ConnectionTracker::ConnectionTracker(TraceWriter& writer, int64_t source_id,
                                     ConnectionPlugins plugins)
    : writer_(writer), source_id_(source_id), plugins_(std::move(plugins)) {}

int ConnectionTracker::direction_of(const Connection& c, const TcpSegment& s) {
  return (s.src == c.addr_a && s.src_port == c.port_a) ? 0 : 1;
}

// A SYN without ACK on a 4-tuple already in use starts a new connection
// when its sequence number is not where that side's sequence numbers
// started; the same number is a retransmitted SYN of the same connection.
bool ConnectionTracker::is_port_reuse(const Connection& c, const TcpSegment& s) {
  if (!s.has(kSyn) || s.has(kAck)) return false;
  const std::optional<uint32_t>& base = c.base_seq[direction_of(c, s)];
  return base && *base != s.seq;
}

// A SYN/ACK with another sequence number than its side started from is
// flagged as reused ports too (its SYN was not captured), but stays in the
// connection, as in Wireshark.
bool ConnectionTracker::is_reused_syn_ack(const Connection& c, const TcpSegment& s) {
  if (!s.has(kSyn) || !s.has(kAck)) return false;
  const std::optional<uint32_t>& base = c.base_seq[direction_of(c, s)];
  return base && *base != s.seq;
}

void ConnectionTracker::note_base_seq(Connection& c, const TcpSegment& s, int dir) {
  if (!c.base_seq[dir]) c.base_seq[dir] = s.has(kSyn) ? s.seq : s.seq - 1;
  if (s.has(kAck) && !c.base_seq[1 - dir]) c.base_seq[1 - dir] = s.ack - 1;
}

ConnectionTracker::Connection& ConnectionTracker::start_connection(const ConnectionKey& key,
                                                                   const TcpSegment& s) {
  auto connection = std::make_unique<Connection>();
  // Endpoint A is the client when the handshake is seen: the sender of the
  // first segment, unless that segment is the server's SYN/ACK.
  bool sender_is_a = !(s.has(kSyn) && s.has(kAck));
  connection->addr_a = sender_is_a ? s.src : s.dst;
  connection->port_a = sender_is_a ? s.src_port : s.dst_port;
  const IpAddress& addr_b = sender_is_a ? s.dst : s.src;
  ConnectionRow& row = connection->row;
  row.source_id = source_id_;
  row.addr_a = connection->addr_a.to_string();
  row.port_a = connection->port_a;
  row.addr_b = addr_b.to_string();
  row.port_b = sender_is_a ? s.dst_port : s.src_port;
  row.first_ns = row.last_ns = s.ts_ns;
  if (plugins_.make_analyzer) connection->analyzer = plugins_.make_analyzer();
  row.id = writer_.claim_connection_id();  // the row itself: write_row
  if (plugins_.make_observer) connection->observer = plugins_.make_observer(row);
  Connection* raw = connection.get();
  connections_.push_back(std::move(connection));
  active_[key] = raw;
  return *raw;
}

void ConnectionTracker::update_state(Connection& c) {
  ConnectionRow& r = c.row;
  if (c.reset_before_close) r.state = "reset";
  else if (r.fin_a && r.fin_b) r.state = "closed";
  else if (r.fin_a || r.fin_b) r.state = "closing";
  else if (r.syn_seen && r.synack_seen) r.state = "established";
  else if (r.syn_seen) r.state = "handshake";
  else r.state = "midstream";
}

void ConnectionTracker::add(const TcpSegment& s) {
  ConnectionKey key = key_of(s);
  auto it = active_.find(key);
  Connection* c = it == active_.end() ? nullptr : it->second;
  bool reused = c && (is_port_reuse(*c, s) || is_reused_syn_ack(*c, s));
  if (!c || is_port_reuse(*c, s)) c = &start_connection(key, s);
  // A new incarnation kept in the row (its SYN not captured): its close starts over.
  if (reused) {
    c->close = TcpClose();
    c->reset_before_close = false;
  }

  if (!c->changed) {
    c->changed = true;
    changed_.push_back(c);
  }
  int dir = direction_of(*c, s);
  note_base_seq(*c, s, dir);
  ConnectionRow& r = c->row;
  r.last_ns = std::max(r.last_ns, s.ts_ns);
  r.first_ns = std::min(r.first_ns, s.ts_ns);
  (dir == 0 ? r.packets_ab : r.packets_ba) += 1;
  (dir == 0 ? r.bytes_ab : r.bytes_ba) += s.payload_len;
  if (s.has(kSyn)) (s.has(kAck) ? r.synack_seen : r.syn_seen) = true;
  if (s.has(kFin)) (dir == 0 ? r.fin_a : r.fin_b) = true;
  if (s.has(kRst)) {
    r.rst_seen = true;
    if (!c->close.closed()) c->reset_before_close = true;
  }
  c->close.note(dir, s.flags, s.seq, s.payload_len, s.ack);

  PacketRow packet;
  packet.source_id = source_id_;
  packet.frame = s.frame;
  packet.connection_id = r.id;
  packet.ts_ns = s.ts_ns;
  packet.dir = dir;
  packet.seq = s.seq;
  packet.ack = s.ack;
  packet.payload_len = s.payload_len;
  packet.tcp_flags = s.flags;
  packet.window = s.window;
  packet.wire_len = s.wire_len;
  packet.sender_thread = s.sender_thread;
  packet.receiver_thread = s.receiver_thread;
  if (reused) packet.analysis |= kReusedPorts;
  if (c->analyzer) c->analyzer->analyze(s, dir, packet);
  writer_.insert_packet(packet);
  if (c->observer) c->observer->packet_written(packet);
}

// Packets name their connection's id before its row is written: the
// profile holds no foreign key constraints, and the row is in the file by
// the time the source (or a live batch) commits.
void ConnectionTracker::write_row(Connection& c) {
  update_state(c);
  if (c.analyzer) c.row.flags_json = c.analyzer->flags_json();
  if (c.written) {
    writer_.update_connection(c.row);
  } else {
    writer_.insert_claimed_connection(c.row);
    c.written = true;
  }
}

void ConnectionTracker::flush() {
  for (Connection* c : changed_) {
    write_row(*c);
    c->changed = false;
    // A live batch holds the findings that closed in it (an open stall waits).
    if (c->observer) c->observer->flushed();
  }
  changed_.clear();
}

void ConnectionTracker::finish() {
  changed_.clear();
  for (auto& c : connections_) {
    write_row(*c);
    if (c->observer) c->observer->finished();
  }
}

}  // namespace lurk
