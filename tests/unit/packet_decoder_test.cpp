// The frame decoder on hand-built frames: every link header around the same
// segment, IPv6 extension headers, IPv4 options and fragments, every TCP
// option lurk reads, and frames whose lengths lie or that the capture cut
// short (malformed, never a crash or a read past the frame).
#include <gtest/gtest.h>

#include <arpa/inet.h>

#include <algorithm>
#include <array>
#include <vector>

#include "capture_builder.h"
#include "net/packet_decoder.h"

namespace lurk::test {
namespace {

using Kind = DecodeResult::Kind;

FrameSpec spec_v4() {
  FrameSpec s;
  s.seq = 0x01020304;
  s.ack = 0x0a0b0c0d;
  s.flags = 0x18;
  s.window = 1234;
  s.payload_len = 100;
  return s;
}

FrameSpec spec_v6() {
  FrameSpec s = spec_v4();
  s.ipv6 = true;
  s.src = "2001:db8::1";
  s.dst = "2001:db8::2";
  return s;
}

std::vector<uint8_t> ip_of(const std::vector<uint8_t>& ethernet) {
  return {ethernet.begin() + 14, ethernet.end()};
}

DecodeResult decode(uint32_t link_type, const std::vector<uint8_t>& frame) {
  return decode_frame(link_type, frame, uint32_t(frame.size()));
}

void expect_spec(const DecodeResult& r, const FrameSpec& s, const std::string& what) {
  ASSERT_EQ(r.kind, Kind::Tcp) << what << ": " << r.problem;
  EXPECT_EQ(r.segment.src.to_string(), s.src) << what;
  EXPECT_EQ(r.segment.dst.to_string(), s.dst) << what;
  EXPECT_EQ(r.segment.src_port, s.src_port) << what;
  EXPECT_EQ(r.segment.dst_port, s.dst_port) << what;
  EXPECT_EQ(r.segment.seq, s.seq) << what;
  EXPECT_EQ(r.segment.ack, s.ack) << what;
  EXPECT_EQ(r.segment.flags, s.flags) << what;
  EXPECT_EQ(r.segment.window, s.window) << what;
  EXPECT_EQ(r.segment.payload_len, s.payload_len) << what;
}

// The link headers lurk reads, around an IP packet with the given ethertype.
std::vector<uint8_t> with_link(uint32_t link, const std::vector<uint8_t>& ip, bool ipv6) {
  uint8_t hi = ipv6 ? 0x86 : 0x08, lo = ipv6 ? 0xdd : 0x00;
  std::vector<uint8_t> head;
  switch (link) {
    case kLinkLinuxSll:  // packet type, ARPHRD, address length, address (8), protocol
      head = {0, 0, 0, 1, 0, 6, 2, 2, 2, 2, 2, 2, 0, 0, hi, lo};
      break;
    case kLinkLinuxSll2:  // protocol, reserved, ifindex, ARPHRD, type, address length, address
      head = {hi, lo, 0, 0, 0, 0, 0, 3, 0, 1, 0, 6, 2, 2, 2, 2, 2, 2, 0, 0};
      break;
    case kLinkNull:  // address family, host (little-endian) order
      head = {uint8_t(ipv6 ? 30 : 2), 0, 0, 0};
      break;
    case kLinkLoop:  // address family, network order
      head = {0, 0, 0, uint8_t(ipv6 ? 24 : 2)};
      break;
    default:
      break;
  }
  head.insert(head.end(), ip.begin(), ip.end());
  return head;
}

TEST(PacketDecoder, EveryLinkTypeGivesTheSameSegment) {
  for (bool ipv6 : {false, true}) {
    FrameSpec s = ipv6 ? spec_v6() : spec_v4();
    std::vector<uint8_t> ethernet = build_tcp_frame(s);
    std::vector<uint8_t> ip = ip_of(ethernet);
    expect_spec(decode(kLinkEthernet, ethernet), s, "ethernet");
    for (uint32_t link : {kLinkRaw, kLinkRawOld, kLinkRawOld2})
      expect_spec(decode(link, ip), s, "raw " + std::to_string(link));
    expect_spec(decode(ipv6 ? kLinkIpv6 : kLinkIpv4, ip), s, "ipv4/ipv6 link type");
    for (uint32_t link : {kLinkLinuxSll, kLinkLinuxSll2, kLinkNull, kLinkLoop})
      expect_spec(decode(link, with_link(link, ip, ipv6)), s, "link " + std::to_string(link));
  }
}

TEST(PacketDecoder, VlanTagsSingleAndStacked) {
  std::vector<uint8_t> ethernet = build_tcp_frame(spec_v4());
  std::vector<uint8_t> one(ethernet.begin(), ethernet.begin() + 12);
  one.insert(one.end(), {0x81, 0x00, 0x00, 0x0a});
  one.insert(one.end(), ethernet.begin() + 12, ethernet.end());
  expect_spec(decode(kLinkEthernet, one), spec_v4(), "802.1Q");
  std::vector<uint8_t> two(ethernet.begin(), ethernet.begin() + 12);
  two.insert(two.end(), {0x88, 0xa8, 0x00, 0x64, 0x81, 0x00, 0x00, 0x0a});
  two.insert(two.end(), ethernet.begin() + 12, ethernet.end());
  expect_spec(decode(kLinkEthernet, two), spec_v4(), "802.1ad + 802.1Q");
  // A tag cut by the capture is damage, not "some other protocol".
  std::vector<uint8_t> cut(two.begin(), two.begin() + 18);
  EXPECT_EQ(decode(kLinkEthernet, cut).kind, Kind::Malformed);
}

// An Ethernet IPv6 frame whose header chain starts with `first_next` and holds
// `extensions` (raw bytes, in order) before the TCP segment.
std::vector<uint8_t> ipv6_with_extensions(const std::vector<std::vector<uint8_t>>& extensions,
                                          uint8_t first_next) {
  std::vector<uint8_t> ethernet = build_tcp_frame(spec_v6());
  std::vector<uint8_t> frame(ethernet.begin(), ethernet.begin() + 14 + 40);
  size_t added = 0;
  for (const auto& e : extensions) {
    frame.insert(frame.end(), e.begin(), e.end());
    added += e.size();
  }
  frame.insert(frame.end(), ethernet.begin() + 14 + 40, ethernet.end());
  size_t payload = size_t(frame[14 + 4]) << 8 | frame[14 + 5];
  payload += added;
  frame[14 + 4] = uint8_t(payload >> 8);
  frame[14 + 5] = uint8_t(payload);
  frame[14 + 6] = first_next;
  return frame;
}

TEST(PacketDecoder, Ipv6ExtensionHeadersAreWalked) {
  std::vector<uint8_t> hop = {43, 0, 1, 4, 0, 0, 0, 0};            // hop-by-hop -> routing
  std::vector<uint8_t> routing = {60, 1, 0, 0, 0, 0, 0, 0,          // routing (16 bytes) -> dest
                                  0, 0, 0, 0, 0, 0, 0, 0};
  std::vector<uint8_t> dest = {44, 0, 1, 4, 0, 0, 0, 0};            // destination -> fragment
  std::vector<uint8_t> fragment = {51, 0, 0, 0, 0, 0, 0, 7};        // atomic fragment -> AH
  std::vector<uint8_t> ah = {6, 4, 0, 0, 0, 0, 0, 1, 0, 0, 0, 2,   // AH: (4 + 2) * 4 = 24 bytes
                             0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0};  // -> TCP
  std::vector<uint8_t> frame = ipv6_with_extensions({hop, routing, dest, fragment, ah}, 0);
  expect_spec(decode(kLinkEthernet, frame), spec_v6(), "hop, routing, dest, fragment, AH");

  // Fragments of a larger datagram are not whole segments (as for IPv4).
  std::vector<uint8_t> first_fragment = {6, 0, 0, 0x01, 0, 0, 0, 7};   // offset 0, more
  EXPECT_EQ(decode(kLinkEthernet, ipv6_with_extensions({first_fragment}, 44)).kind, Kind::NotTcp);
  std::vector<uint8_t> later_fragment = {6, 0, 0x05, 0x00, 0, 0, 0, 7};  // offset 160, last
  EXPECT_EQ(decode(kLinkEthernet, ipv6_with_extensions({later_fragment}, 44)).kind, Kind::NotTcp);
  std::vector<uint8_t> esp = {0, 0, 0, 1, 0, 0, 0, 1};
  EXPECT_EQ(decode(kLinkEthernet, ipv6_with_extensions({esp}, 50)).kind, Kind::NotTcp);
}

TEST(PacketDecoder, Ipv6ExtensionHeaderPastTheCaptureIsMalformed) {
  // A destination-options header claiming 2 KB, then TCP: past the captured bytes.
  std::vector<uint8_t> frame = ipv6_with_extensions({{6, 255, 0, 0, 0, 0, 0, 0}}, 60);
  EXPECT_EQ(decode(kLinkEthernet, frame).kind, Kind::Malformed);  // longer than the payload
  frame[14 + 4] = 0xff;  // a payload length that allows it: still past the captured bytes
  frame[14 + 5] = 0xff;
  EXPECT_EQ(decode(kLinkEthernet, frame).kind, Kind::Malformed);
  std::vector<uint8_t> cut(frame.begin(), frame.begin() + 14 + 40 + 5);
  EXPECT_EQ(decode(kLinkEthernet, cut).kind, Kind::Malformed);
}

TEST(PacketDecoder, Ipv4OptionsFragmentsAndOtherProtocols) {
  std::vector<uint8_t> frame = build_tcp_frame(spec_v4());
  std::vector<uint8_t> with_options(frame.begin(), frame.begin() + 34);
  with_options.insert(with_options.end(), {1, 1, 1, 0});  // NOP NOP NOP EOL
  with_options.insert(with_options.end(), frame.begin() + 34, frame.end());
  with_options[14] = 0x46;
  size_t total = (size_t(frame[16]) << 8 | frame[17]) + 4;
  with_options[16] = uint8_t(total >> 8);
  with_options[17] = uint8_t(total);
  expect_spec(decode(kLinkEthernet, with_options), spec_v4(), "IPv4 options");

  std::vector<uint8_t> later = frame;
  later[14 + 7] = 0x10;  // fragment offset 16 (x8 bytes)
  EXPECT_EQ(decode(kLinkEthernet, later).kind, Kind::NotTcp);
  std::vector<uint8_t> udp = frame;
  udp[14 + 9] = 17;
  EXPECT_EQ(decode(kLinkEthernet, udp).kind, Kind::NotTcp);
  std::vector<uint8_t> arp = frame;
  arp[12] = 0x08;
  arp[13] = 0x06;
  EXPECT_EQ(decode(kLinkEthernet, arp).kind, Kind::NotTcp);
}

TEST(PacketDecoder, BogusLengthsAreMalformed) {
  std::vector<uint8_t> frame = build_tcp_frame(spec_v4());
  auto with = [&](size_t at, uint8_t value) {
    std::vector<uint8_t> f = frame;
    f[at] = value;
    return decode(kLinkEthernet, f);
  };
  EXPECT_EQ(with(14, 0x44).kind, Kind::Malformed);       // IHL 4
  EXPECT_EQ(with(14, 0x4f).kind, Kind::Malformed);       // IHL 15: "TCP" read from zero payload
  EXPECT_EQ(with(14 + 3, 10).kind, Kind::Malformed);     // total length 10 < header
  EXPECT_EQ(with(14 + 20 + 12, 0x40).kind, Kind::Malformed);  // TCP data offset 4
  DecodeResult long_tcp = with(14 + 20 + 12, 0xf0);           // 60-byte TCP header
  EXPECT_EQ(long_tcp.kind, Kind::Tcp);  // fits the 120-byte IP payload; options are zeros
  EXPECT_EQ(long_tcp.segment.payload_len, 60u);
  std::vector<uint8_t> tiny = build_tcp_frame([] {
    FrameSpec s = spec_v4();
    s.payload_len = 0;
    return s;
  }());
  tiny[14 + 20 + 12] = 0xf0;  // 60-byte TCP header in a 20-byte IP payload
  EXPECT_EQ(decode(kLinkEthernet, tiny).kind, Kind::Malformed);
  EXPECT_EQ(with(14, 0x65).kind, Kind::Malformed);  // IPv4 ethertype, version 6
}

TEST(PacketDecoder, EveryCutOfAFrameIsSafe) {
  FrameSpec s = spec_v6();
  s.tcp_options = {2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 2};
  std::vector<uint8_t> frame = build_tcp_frame(s);
  for (uint32_t link : {kLinkEthernet, kLinkLinuxSll, kLinkLinuxSll2, kLinkNull, kLinkLoop,
                        kLinkRaw, kLinkIpv4, kLinkIpv6}) {
    std::vector<uint8_t> full = link == kLinkEthernet ? frame
                                : link == kLinkRaw || link == kLinkIpv4 || link == kLinkIpv6
                                    ? ip_of(frame)
                                    : with_link(link, ip_of(frame), true);
    for (size_t size = 0; size <= full.size(); ++size) {
      std::vector<uint8_t> cut(full.begin(), full.begin() + long(size));
      DecodeResult r = decode_frame(link, cut, uint32_t(full.size()));
      if (r.kind == Kind::Tcp) EXPECT_EQ(r.segment.payload_len, 100u);
    }
  }
}

TEST(PacketDecoder, TcpOptionsAreRead) {
  FrameSpec s = spec_v4();
  // 38 bytes: TCP allows 40 bytes of options.
  s.tcp_options = {2, 4, 0x05, 0xb4,                          // MSS 1460
                   1, 3, 3, 7,                                // NOP, window scale 7
                   4, 2,                                      // SACK permitted
                   8, 10, 0, 0, 0x10, 0, 0, 0, 0x20, 0,      // timestamps 4096, 8192
                   5, 18, 0, 0, 0, 10, 0, 0, 0, 20,           // SACK: 2 blocks
                   0, 0, 0, 30, 0, 0, 0, 40};
  DecodeResult r = decode(kLinkEthernet, build_tcp_frame(s));
  ASSERT_EQ(r.kind, Kind::Tcp);
  const TcpOptions& o = r.segment.options;
  EXPECT_EQ(o.mss, 1460);
  EXPECT_EQ(o.window_scale, 7);
  EXPECT_TRUE(o.sack_permitted);
  EXPECT_EQ(o.ts_val, 4096u);
  EXPECT_EQ(o.ts_ecr, 8192u);
  ASSERT_EQ(o.sack_count, 2);
  EXPECT_EQ(o.sack[0].left, 10u);
  EXPECT_EQ(o.sack[0].right, 20u);
  EXPECT_EQ(o.sack[1].left, 30u);
  EXPECT_EQ(o.sack[1].right, 40u);
}

TEST(PacketDecoder, BrokenTcpOptionsStopParsingSafely) {
  for (std::vector<uint8_t> options : std::vector<std::vector<uint8_t>>{
           {2, 4, 0x05, 0xb4, 3, 0, 0, 0},  // zero length after a good MSS
           {2, 4, 0x05, 0xb4, 8, 40, 0, 0},  // timestamps running past the header
           {2, 4, 0x05, 0xb4, 0, 3, 3, 7},   // end of options, then a scale not read
           {2, 4, 0x05, 0xb4, 1, 1, 1, 3}}) {  // kind with no length byte
    FrameSpec s = spec_v4();
    s.tcp_options = options;
    DecodeResult r = decode(kLinkEthernet, build_tcp_frame(s));
    ASSERT_EQ(r.kind, Kind::Tcp);
    EXPECT_EQ(r.segment.options.mss, 1460);
    EXPECT_FALSE(r.segment.options.window_scale.has_value());
    EXPECT_FALSE(r.segment.options.ts_val.has_value());
  }
}

// Addresses are written as inet_ntop writes them (the .lurk's addr_a/addr_b,
// compared with tshark's by the oracle tests); IPv4 is formatted by hand.
TEST(PacketDecoder, AddressTextIsInetNtops) {
  const std::vector<std::array<uint8_t, 4>> quads = {
      {0, 0, 0, 0}, {255, 255, 255, 255}, {10, 0, 100, 9}, {192, 168, 1, 10},
      {1, 20, 199, 200}, {9, 10, 99, 100}, {127, 0, 0, 1}};
  for (const auto& quad : quads) {
    IpAddress a;
    a.family = 4;
    std::copy(quad.begin(), quad.end(), a.bytes.begin());
    char want[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, quad.data(), want, sizeof want);
    EXPECT_EQ(a.to_string(), want);
  }
  for (unsigned b = 0; b < 256; ++b) {
    IpAddress a;
    a.bytes = {uint8_t(b), uint8_t(255 - b), uint8_t(b / 3), uint8_t(b * 7)};
    char want[INET_ADDRSTRLEN] = {};
    inet_ntop(AF_INET, a.bytes.data(), want, sizeof want);
    EXPECT_EQ(a.to_string(), want) << b;
  }
  IpAddress v6;
  v6.family = 6;
  v6.bytes = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1};
  EXPECT_EQ(v6.to_string(), "2001:db8::1");
}

}  // namespace
}  // namespace lurk::test
