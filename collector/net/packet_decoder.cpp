#include "net/packet_decoder.h"

#include <arpa/inet.h>

#include <cstring>

namespace lurk {
namespace {

uint16_t be16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t be32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 |
         static_cast<uint32_t>(p[2]) << 8 | p[3];
}

constexpr uint16_t kEtherIpv4 = 0x0800;
constexpr uint16_t kEtherIpv6 = 0x86dd;
constexpr uint16_t kEtherVlan = 0x8100;
constexpr uint16_t kEtherQinQ = 0x88a8;
constexpr uint8_t kProtoTcp = 6;

DecodeResult not_tcp() { return {}; }
DecodeResult malformed(std::string problem) {
  DecodeResult r;
  r.kind = DecodeResult::Kind::Malformed;
  r.problem = std::move(problem);
  return r;
}

void parse_tcp_options(const uint8_t* p, size_t size, TcpOptions& out) {
  size_t i = 0;
  while (i < size) {
    uint8_t kind = p[i];
    if (kind == 0) break;  // end of option list
    if (kind == 1) {       // no-op padding
      ++i;
      continue;
    }
    if (i + 1 >= size) break;
    uint8_t len = p[i + 1];
    if (len < 2 || i + len > size) break;  // a broken option ends parsing, as in Wireshark
    const uint8_t* v = p + i + 2;
    switch (kind) {
      case 2: if (len == 4) out.mss = be16(v); break;
      case 3: if (len == 3) out.window_scale = v[0]; break;
      case 4: out.sack_permitted = true; break;
      case 5:
        for (size_t b = 0; b + 8 <= size_t(len - 2) && out.sack_count < 4; b += 8)
          out.sack[out.sack_count++] = {be32(v + b), be32(v + b + 4)};
        break;
      case 8:
        if (len == 10) {
          out.ts_val = be32(v);
          out.ts_ecr = be32(v + 4);
        }
        break;
      default: break;
    }
    i += len;
  }
}

// `ip_payload_len` is what the IP header says follows it (not what was captured).
DecodeResult decode_tcp(std::span<const uint8_t> data, uint32_t ip_payload_len, DecodeResult r) {
  if (data.size() < 20) return malformed("TCP header cut short by the capture");
  const uint8_t* p = data.data();
  size_t header_len = size_t(p[12] >> 4) * 4;
  if (header_len < 20) return malformed("bogus TCP header length " + std::to_string(header_len));
  if (header_len > ip_payload_len)
    return malformed("TCP header length " + std::to_string(header_len) +
                     " exceeds the IP payload length " + std::to_string(ip_payload_len));
  TcpSegment& s = r.segment;
  s.src_port = be16(p);
  s.dst_port = be16(p + 2);
  s.seq = be32(p + 4);
  s.ack = be32(p + 8);
  s.flags = p[13];
  s.window = be16(p + 14);
  s.payload_len = ip_payload_len - static_cast<uint32_t>(header_len);
  size_t captured_options = std::min(header_len, data.size());
  if (captured_options > 20) parse_tcp_options(p + 20, captured_options - 20, s.options);
  s.options_cut_short = captured_options < header_len;
  r.kind = DecodeResult::Kind::Tcp;
  return r;
}

DecodeResult decode_ipv4(std::span<const uint8_t> data) {
  if (data.size() < 20) return malformed("IPv4 header cut short by the capture");
  const uint8_t* p = data.data();
  if ((p[0] >> 4) != 4) return malformed("IPv4 header with version " + std::to_string(p[0] >> 4));
  size_t header_len = size_t(p[0] & 0x0f) * 4;
  if (header_len < 20) return malformed("bogus IPv4 header length " + std::to_string(header_len));
  uint16_t total_len = be16(p + 2);
  if (total_len < header_len)
    return malformed("IPv4 total length " + std::to_string(total_len) +
                     " is less than its header length " + std::to_string(header_len));
  uint16_t fragment = be16(p + 6);
  if (p[9] != kProtoTcp) return not_tcp();
  if ((fragment & 0x1fff) != 0 || (fragment & 0x2000) != 0) return not_tcp();  // fragments
  if (data.size() < header_len) return malformed("IPv4 options cut short by the capture");
  DecodeResult r;
  r.segment.src.family = r.segment.dst.family = 4;
  std::memcpy(r.segment.src.bytes.data(), p + 12, 4);
  std::memcpy(r.segment.dst.bytes.data(), p + 16, 4);
  return decode_tcp(data.subspan(header_len), total_len - static_cast<uint32_t>(header_len), r);
}

DecodeResult decode_ipv6(std::span<const uint8_t> data) {
  if (data.size() < 40) return malformed("IPv6 header cut short by the capture");
  const uint8_t* p = data.data();
  if ((p[0] >> 4) != 6) return malformed("IPv6 header with version " + std::to_string(p[0] >> 4));
  uint32_t payload_len = be16(p + 4);
  uint8_t next = p[6];
  DecodeResult r;
  r.segment.src.family = r.segment.dst.family = 6;
  std::memcpy(r.segment.src.bytes.data(), p + 8, 16);
  std::memcpy(r.segment.dst.bytes.data(), p + 24, 16);
  size_t offset = 40;
  // Walk the extension headers that may stand before TCP.
  for (int hops = 0; hops < 16; ++hops) {
    if (next == kProtoTcp) {
      uint32_t used = static_cast<uint32_t>(offset - 40);
      if (used > payload_len) return malformed("IPv6 extension headers exceed the payload length");
      // The payload length may allow more than was captured; never look past the data.
      if (offset > data.size()) return malformed("IPv6 extension header cut short by the capture");
      return decode_tcp(data.subspan(offset), payload_len - used, r);
    }
    bool is_extension = next == 0 || next == 43 || next == 60 || next == 44 || next == 51;
    if (!is_extension) return not_tcp();
    if (data.size() < offset + 8) return malformed("IPv6 extension header cut short");
    const uint8_t* ext = p + offset;
    size_t ext_len;
    if (next == 44) {  // fragment header: a non-first fragment holds no TCP header
      if ((be16(ext + 2) & 0xfff8) != 0 || (ext[3] & 1) != 0) return not_tcp();
      ext_len = 8;
    } else if (next == 51) {
      ext_len = (size_t(ext[1]) + 2) * 4;  // AH counts 4-byte words
    } else {
      ext_len = (size_t(ext[1]) + 1) * 8;
    }
    next = ext[0];
    offset += ext_len;
  }
  return malformed("too many IPv6 extension headers");
}

// What follows an EtherType field: Ethernet's, or a Linux cooked header's
// protocol. 802.1Q / 802.1ad tags (possibly stacked) are stepped over in
// both: libpcap puts the tag the kernel took off back into SLL frames too
// (`tcpdump -i any` on a host with VLAN interfaces), as it does for Ethernet.
DecodeResult decode_ether_payload(uint16_t ether_type, std::span<const uint8_t> data) {
  while (ether_type == kEtherVlan || ether_type == kEtherQinQ) {
    // A tag: 2 bytes of priority and VLAN id, then the EtherType it wraps.
    if (data.size() < 4) return malformed("VLAN tag cut short by the capture");
    ether_type = be16(data.data() + 2);
    data = data.subspan(4);
  }
  if (ether_type == kEtherIpv4) return decode_ipv4(data);
  if (ether_type == kEtherIpv6) return decode_ipv6(data);
  return not_tcp();
}

DecodeResult decode_by_version(std::span<const uint8_t> data) {
  if (data.empty()) return malformed("empty frame");
  switch (data[0] >> 4) {
    case 4: return decode_ipv4(data);
    case 6: return decode_ipv6(data);
    default: return not_tcp();
  }
}

DecodeResult decode_ethernet(std::span<const uint8_t> data) {
  if (data.size() < 14) return malformed("Ethernet header cut short by the capture");
  return decode_ether_payload(be16(data.data() + 12), data.subspan(14));
}

// BSD loopback: the address family, host order (NULL) or network order (LOOP).
DecodeResult decode_loopback(std::span<const uint8_t> data) {
  if (data.size() < 4) return malformed("loopback header cut short by the capture");
  return decode_by_version(data.subspan(4));
}

}  // namespace

std::string IpAddress::to_string() const {
  if (family != 6) {
    // Dotted quad by hand: inet_ntop goes through sprintf (~1,700
    // instructions an address, two per connection of a capture).
    std::string quad;
    quad.reserve(15);
    for (size_t i = 0; i < 4; ++i) {
      unsigned b = bytes[i];
      if (i) quad += '.';
      if (b >= 100) quad += char('0' + b / 100);
      if (b >= 10) quad += char('0' + b / 10 % 10);
      quad += char('0' + b % 10);
    }
    return quad;
  }
  char text[INET6_ADDRSTRLEN] = {};
  inet_ntop(AF_INET6, bytes.data(), text, sizeof text);
  return text;
}

bool is_supported_link_type(uint32_t link_type) {
  switch (link_type) {
    case kLinkNull: case kLinkEthernet: case kLinkRawOld: case kLinkRawOld2: case kLinkRaw:
    case kLinkLoop: case kLinkLinuxSll: case kLinkIpv4: case kLinkIpv6: case kLinkLinuxSll2:
      return true;
    default:
      return false;
  }
}

DecodeResult decode_frame(uint32_t link_type, std::span<const uint8_t> data, uint32_t wire_len) {
  DecodeResult r;
  switch (link_type) {
    case kLinkEthernet: r = decode_ethernet(data); break;
    case kLinkNull: case kLinkLoop: r = decode_loopback(data); break;
    case kLinkRaw: case kLinkRawOld: case kLinkRawOld2: r = decode_by_version(data); break;
    case kLinkIpv4: r = decode_ipv4(data); break;
    case kLinkIpv6: r = decode_ipv6(data); break;
    case kLinkLinuxSll:
      if (data.size() < 16) return malformed("Linux SLL header cut short by the capture");
      r = decode_ether_payload(be16(data.data() + 14), data.subspan(16));
      break;
    case kLinkLinuxSll2:
      if (data.size() < 20) return malformed("Linux SLL2 header cut short by the capture");
      r = decode_ether_payload(be16(data.data()), data.subspan(20));
      break;
    default: return not_tcp();
  }
  r.segment.wire_len = wire_len;
  return r;
}

}  // namespace lurk
