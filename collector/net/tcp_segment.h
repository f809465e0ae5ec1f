// A TCP segment as decoded from one captured frame: addresses, header fields
// and options. What the connection tracker and TCP analysis work from.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>

namespace lurk {

struct IpAddress {
  uint8_t family = 4;  // 4 or 6
  std::array<uint8_t, 16> bytes{};  // IPv4 uses the first 4
  bool operator==(const IpAddress&) const = default;
  std::string to_string() const;
};

enum TcpFlag : uint8_t {
  kFin = 0x01, kSyn = 0x02, kRst = 0x04, kPsh = 0x08,
  kAck = 0x10, kUrg = 0x20, kEce = 0x40, kCwr = 0x80,
};

struct SackBlock {
  uint32_t left = 0, right = 0;
};

struct TcpOptions {
  std::optional<uint16_t> mss;
  std::optional<uint8_t> window_scale;
  bool sack_permitted = false;
  uint8_t sack_count = 0;
  std::array<SackBlock, 4> sack{};
  std::optional<uint32_t> ts_val, ts_ecr;
};

struct TcpSegment {
  int64_t ts_ns = 0;
  int64_t frame = 0;  // 1-based record number in the capture
  uint32_t wire_len = 0;
  IpAddress src, dst;
  uint16_t src_port = 0, dst_port = 0;
  uint32_t seq = 0, ack = 0;
  uint8_t flags = 0;
  uint16_t window = 0;  // raw, unscaled
  uint32_t payload_len = 0;  // from the IP length, even when the capture was cut short
  TcpOptions options;
  // The capture ended inside the TCP options (a snaplen such as tcpdump's old
  // 68 bytes, or a SACK-laden ACK): `options` holds only those read whole.
  bool options_cut_short = false;
  // A segment a stack traced itself (lurk JSONL "tcp" with "thread"): the
  // thread that sent it or received it. Captured frames have neither.
  std::optional<int64_t> sender_thread, receiver_thread;
  bool has(uint8_t flag) const { return (flags & flag) != 0; }
};

}  // namespace lurk
