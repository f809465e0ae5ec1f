// The prefix-preserving address map and the port permutation of anonymised
// export (collector/export/ip_prefix_map.h, port_permutation.h), and finding
// addresses inside free text (address_rewriter.h).
#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "export/address_rewriter.h"
#include "export/args_anonymizer.h"
#include "export/ip_prefix_map.h"
#include "export/port_permutation.h"
#include "join/endpoint.h"

namespace lurk {
namespace {

const SipKey kKey{0x0123456789abcdefULL, 0xfedcba9876543210ULL};
const SipKey kOtherKey{0x1111111111111111ULL, 0x2222222222222222ULL};

IpAddress ip(const std::string& text) {
  std::optional<IpAddress> a = parse_ip_address(text);
  EXPECT_TRUE(a) << text;
  return a.value_or(IpAddress{});
}

int common_prefix_bits(const IpAddress& x, const IpAddress& y) {
  int bits = x.family == 6 ? 128 : 32;
  for (int i = 0; i < bits; ++i)
    if (((x.bytes[i / 8] ^ y.bytes[i / 8]) >> (7 - i % 8)) & 1) return i;
  return bits;
}

// Addresses whose pairwise common prefixes are known: hosts of one /24, of
// one /16, of one /8, across /8s, each bit position of a /31 and a /1.
const std::vector<std::string> kV4 = {
    "10.77.0.1", "10.77.0.2", "10.77.0.3", "10.77.1.1", "10.78.0.1", "10.128.0.1",
    "11.77.0.1", "192.168.1.1", "192.168.1.254", "192.168.2.1", "0.0.0.0",
    "255.255.255.255", "127.0.0.1", "128.0.0.0", "127.255.255.255"};
const std::vector<std::string> kV6 = {
    "fd77::1", "fd77::2", "fd77::1:0", "fd77:1::1", "fd78::1", "2001:db8::1",
    "2001:db8::8000:0", "2001:db9::1", "::1", "::", "fe80::1", "ffff::"};

TEST(IpPrefixMap, SharedPrefixesStayExactlyAsLong) {
  for (const auto* set : {&kV4, &kV6}) {
    IpPrefixMap map(kKey);
    for (const std::string& a : *set)
      for (const std::string& b : *set) {
        IpAddress x = ip(a), y = ip(b);
        EXPECT_EQ(common_prefix_bits(map.map(x), map.map(y)), common_prefix_bits(x, y))
            << a << " and " << b;
      }
  }
}

TEST(IpPrefixMap, OneSubnetMapsOntoOneSubnetOneToOne) {
  IpPrefixMap map(kKey);
  IpAddress base = ip("10.5.0.0");
  IpAddress mapped_base = map.map(base);
  std::set<std::array<uint8_t, 16>> images;
  for (int host = 0; host < 4096; ++host) {  // all of 10.5.0.0/20
    IpAddress a = base;
    a.bytes[2] = uint8_t(host >> 8);
    a.bytes[3] = uint8_t(host);
    IpAddress m = map.map(a);
    EXPECT_GE(common_prefix_bits(m, mapped_base), 20);
    images.insert(m.bytes);
  }
  EXPECT_EQ(images.size(), 4096u);
}

TEST(IpPrefixMap, KeyedAndConsistent) {
  IpPrefixMap a(kKey), again(kKey), other(kOtherKey);
  int differ = 0, moved = 0;
  for (const auto* set : {&kV4, &kV6})
    for (const std::string& text : *set) {
      EXPECT_EQ(a.map(ip(text)), again.map(ip(text))) << text;
      differ += !(a.map(ip(text)) == other.map(ip(text)));
      moved += !(a.map(ip(text)) == ip(text));
      EXPECT_EQ(a.map(ip(text)).family, ip(text).family);
    }
  EXPECT_EQ(differ, int(kV4.size() + kV6.size()));
  EXPECT_EQ(moved, int(kV4.size() + kV6.size()));
}

TEST(IpPrefixMap, OutputBitIsInputBitXorPrfOfThePrefix) {
  // The construction itself, bit by bit, for one address of each family.
  IpPrefixMap map(kKey);
  for (std::string text : {"10.77.0.1", "fd77::2"}) {
    IpAddress in = ip(text), out = map.map(in);
    int bits = in.family == 6 ? 128 : 32;
    for (int i = 0; i < bits; ++i) {
      bool in_bit = (in.bytes[i / 8] >> (7 - i % 8)) & 1;
      bool out_bit = (out.bytes[i / 8] >> (7 - i % 8)) & 1;
      EXPECT_EQ(out_bit, in_bit ^ map.prf_bit(in, i)) << text << " bit " << i;
    }
  }
}

TEST(IpPrefixMap, TextInTextOut) {
  IpPrefixMap map(kKey);
  std::string v4 = map.map_text("10.77.0.1").value();
  EXPECT_EQ(v4, map.map(ip("10.77.0.1")).to_string());
  EXPECT_EQ(map.map_text("fd77:0:0:0:0:0:0:1"), map.map_text("fd77::1"));
  EXPECT_EQ(map.map_text("[fd77::1]"), "[" + map.map_text("fd77::1").value() + "]");
  EXPECT_FALSE(map.map_text("10.77.0"));
  EXPECT_FALSE(map.map_text("serve"));
}

TEST(PortPermutation, OneCycleThroughEveryPortNoneFixed) {
  PortPermutation ports(kKey);
  EXPECT_EQ(ports.map(0), 0);
  std::vector<bool> seen(65536, false);
  uint16_t p = 7000;
  for (int step = 0; step < 65535; ++step) {
    ASSERT_FALSE(seen[p]) << "port " << p << " reached twice";
    seen[p] = true;
    uint16_t next = ports.map(p);
    ASSERT_NE(next, p);
    ASSERT_NE(next, 0);
    p = next;
  }
  EXPECT_EQ(p, 7000);
  PortPermutation other(kOtherKey);
  int same = 0;
  for (int port = 1; port <= 65535; ++port) same += ports.map(uint16_t(port)) == other.map(uint16_t(port));
  EXPECT_LT(same, 10);
}

TEST(AddressRewriter, MapsAddressesAndPortsInsideText) {
  IpPrefixMap map(kKey);
  PortPermutation ports(kKey);
  AddressRewriter rewriter(map, &ports);
  std::string a = map.map_text("10.77.0.1").value(), b = map.map_text("10.77.0.2").value();
  std::string v6 = map.map_text("fd77::1").value(), v6b = map.map_text("fd77::2").value();
  auto port = [&](int p) { return std::to_string(ports.map(uint16_t(p))); };
  EXPECT_EQ(rewriter.rewrite("serve 10.77.0.1:44551"), "serve " + a + ":" + port(44551));
  EXPECT_EQ(rewriter.rewrite("10.77.0.1:39673 -> 10.77.0.2:7000 stopped"),
            a + ":" + port(39673) + " -> " + b + ":" + port(7000) + " stopped");
  EXPECT_EQ(rewriter.rewrite("from [fd77::1]:37959 -> [fd77::2]:7000"),
            "from [" + v6 + "]:" + port(37959) + " -> [" + v6b + "]:" + port(7000));
  EXPECT_EQ(rewriter.rewrite("serve fd77::1:40444"), "serve " + v6 + ":" + port(40444));
  EXPECT_EQ(rewriter.rewrite("peer=10.77.0.1."), "peer=" + a + ".");
  EXPECT_EQ(rewriter.rewrite("laddr:10.77.0.1,"), "laddr:" + a + ",");
}

TEST(AddressRewriter, LeavesWhatIsNoAddressAlone) {
  IpPrefixMap map(kKey);
  PortPermutation ports(kKey);
  AddressRewriter rewriter(map, &ports);
  for (std::string text :
       {"std::vector<int>", "at 1795990923.403677 s", "x10.77.0.1", "10.77.0.1abc", "v1.2.3",
        "Lwt.wakeup_result", "12:34:56", "frames 207-356", "beef"})
    EXPECT_EQ(rewriter.rewrite(text), text);
  AddressRewriter no_ports(map, nullptr);
  EXPECT_EQ(no_ports.rewrite("10.77.0.1:7000"), map.map_text("10.77.0.1").value() + ":7000");
}

TEST(ArgsAnonymizer, DropsFreeTextMapsEndpointsKeepsNumbers) {
  IpPrefixMap map(kKey);
  PortPermutation ports(kKey);
  AddressRewriter rewriter(map, &ports);
  ArgsAnonymizer args(rewriter, false);
  std::string out = args.anonymize(
      R"J({"conn":{"laddr":"10.77.0.2","lport":7000,"raddr":"fd77::1","rport":44551},)J"
      R"J("stack":["close_connection (demo_server.cpp:60)","serve_request"],"expect":20000,)J"
      R"J("level":"info","peer":"10.77.0.1:80"})J");
  std::string expected =
      R"J({"conn":{"laddr":")J" + map.map_text("10.77.0.2").value() + R"J(","lport":)J" +
      std::to_string(ports.map(7000)) + R"J(,"raddr":")J" + map.map_text("fd77::1").value() +
      R"J(","rport":)J" + std::to_string(ports.map(44551)) +
      R"J(},"stack":["arg#1","arg#2"],"expect":20000,"level":"arg#3","peer":")J" +
      map.map_text("10.77.0.1").value() + ":" + std::to_string(ports.map(80)) + R"J("})J";
  EXPECT_EQ(out, expected);
  // The same value gets the same placeholder again; text that is not JSON is text.
  EXPECT_EQ(args.anonymize(R"J({"again":"info"})J"), R"J({"again":"arg#3"})J");
  EXPECT_EQ(args.anonymize("not json"), "arg#4");
  ArgsAnonymizer keep(rewriter, true);
  EXPECT_EQ(keep.anonymize(R"J({"msg":"to 10.77.0.1 now"})J"),
            R"J({"msg":"to )J" + map.map_text("10.77.0.1").value() + R"J( now"})J");
}

}  // namespace
}  // namespace lurk
