// The building blocks of the `lurk view` server (collector/server/): Range
// planning (merging, bounds), request-head parsing and path checks, and the
// listen policy (loopback, Host headers, tokens). The whole server is tested
// over real sockets in tests/server/.
#include <gtest/gtest.h>

#include "server/byte_ranges.h"
#include "server/http_request.h"
#include "server/listen_policy.h"

namespace lurk::server {
namespace {

TEST(ByteRanges, SingleSuffixAndOpenRanges) {
  RangePlan plan = plan_ranges("bytes=0-99", 1000);
  ASSERT_EQ(plan.kind, RangePlan::Kind::Partial);
  ASSERT_EQ(plan.ranges.size(), 1u);
  EXPECT_EQ(plan.ranges[0].first, 0u);
  EXPECT_EQ(plan.ranges[0].last, 99u);
  plan = plan_ranges("bytes=-50", 1000);
  EXPECT_EQ(plan.ranges[0].first, 950u);
  EXPECT_EQ(plan.ranges[0].last, 999u);
  plan = plan_ranges("bytes=990-", 1000);
  EXPECT_EQ(plan.ranges[0].first, 990u);
  plan = plan_ranges("bytes=990-5000", 1000);  // clipped to the end
  EXPECT_EQ(plan.ranges[0].last, 999u);
  plan = plan_ranges("bytes=-5000", 1000);  // a suffix longer than the file: all of it
  EXPECT_EQ(plan.ranges[0].first, 0u);
}

TEST(ByteRanges, OverlappingAndAdjacentRangesMergeIntoOne) {
  std::string header = "bytes=";
  for (int i = 0; i < 60; ++i) header += std::string(i ? "," : "") + "0-";
  RangePlan plan = plan_ranges(header, 1000);
  ASSERT_EQ(plan.kind, RangePlan::Kind::Partial);
  ASSERT_EQ(plan.ranges.size(), 1u);
  EXPECT_EQ(plan.ranges[0].length(), 1000u);
  plan = plan_ranges("bytes=20-29, 0-9,10-19 ,5-7", 1000);
  ASSERT_EQ(plan.ranges.size(), 1u);
  EXPECT_EQ(plan.ranges[0].last, 29u);
  plan = plan_ranges("bytes=0-9,20-29", 1000);
  EXPECT_EQ(plan.ranges.size(), 2u);
}

TEST(ByteRanges, TooManyPartsMalformedAndOtherUnitsAreIgnored) {
  std::string header = "bytes=";
  for (size_t i = 0; i <= kMaxRangeParts; ++i) header += (i ? "," : "") + std::to_string(i * 10) + "-" + std::to_string(i * 10 + 1);
  EXPECT_EQ(plan_ranges(header, 10000).kind, RangePlan::Kind::Whole);
  EXPECT_EQ(plan_ranges("bytes=9-1", 1000).kind, RangePlan::Kind::Whole);
  EXPECT_EQ(plan_ranges("bytes=a-b", 1000).kind, RangePlan::Kind::Whole);
  EXPECT_EQ(plan_ranges("bytes=", 1000).kind, RangePlan::Kind::Whole);
  EXPECT_EQ(plan_ranges("items=0-1", 1000).kind, RangePlan::Kind::Whole);
  EXPECT_EQ(plan_ranges("bytes=18446744073709551616-", 1000).kind, RangePlan::Kind::Whole);
}

TEST(ByteRanges, RangesPastTheEndAreUnsatisfiable) {
  EXPECT_EQ(plan_ranges("bytes=1000-", 1000).kind, RangePlan::Kind::Unsatisfiable);
  EXPECT_EQ(plan_ranges("bytes=-0", 1000).kind, RangePlan::Kind::Unsatisfiable);
  RangePlan plan = plan_ranges("bytes=5000-6000,0-0", 1000);  // the satisfiable one is kept
  ASSERT_EQ(plan.kind, RangePlan::Kind::Partial);
  EXPECT_EQ(plan.ranges[0].length(), 1u);
}

ParsedRequest parse(const std::string& target) {
  return parse_request_head("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1:1\r\n");
}

TEST(HttpRequest, PlainTargetsAreDecodedWithTheirQuery) {
  ParsedRequest parsed = parse("/trace%2Elurk?trace=x.lurk&token=ab%20c#frag");
  ASSERT_TRUE(parsed.request);
  EXPECT_EQ(parsed.request->path, "/trace.lurk");
  EXPECT_EQ(parsed.request->query_value("token"), "ab c");
  EXPECT_EQ(parsed.request->query_value("trace"), "x.lurk");
  EXPECT_FALSE(parsed.request->query_value("tok"));
}

TEST(HttpRequest, EveryTraversalFormIsRefused) {
  for (const char* target :
       {"/../etc/passwd", "/a/../b", "/..", "/.", "/%2e%2e/x", "/%2E%2e%2Fx", "/..%2fx",
        "/%252e%252e/x", "/..%5cx", "/a\\b", "//etc/passwd", "/a%00b", "/%0a", "/%", "/%zz",
        "http://host/x", "*", "etc/passwd", "/x/%2e"}) {
    ParsedRequest parsed = parse(target);
    EXPECT_FALSE(parsed.request) << target;
    EXPECT_EQ(parsed.error.status, 400) << target;
  }
}

TEST(HttpRequest, MalformedHeadsAreRefused) {
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\n").request);  // no Host
  EXPECT_EQ(parse_request_head("GET / HTTP/2.0\r\nHost: a\r\n").error.status, 505);
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\nHost: a\r\n folded\r\n").request);
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n").request);
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n").request);
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n").request);
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.1\r\nHo st: a\r\n").request);
  EXPECT_FALSE(parse_request_head("GET  / HTTP/1.1\r\nHost: a\r\n").request);
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.0\r\n").request);  // 1.0 needs no Host
}

TEST(HttpRequest, CookiesAndKeepAlive) {
  ParsedRequest parsed = parse_request_head(
      "GET / HTTP/1.1\r\nHost: a\r\nCookie: x=1; lurk_token_80=abc; y=2\r\nConnection: close\r\n");
  ASSERT_TRUE(parsed.request);
  EXPECT_EQ(parsed.request->cookie("lurk_token_80"), "abc");
  EXPECT_FALSE(parsed.request->cookie("lurk_token_81"));
  EXPECT_FALSE(parsed.request->wants_keep_alive());
  EXPECT_FALSE(parse_request_head("GET / HTTP/1.0\r\n").request->wants_keep_alive());
  EXPECT_TRUE(parse_request_head("GET / HTTP/1.1\r\nHost: a\r\n").request->wants_keep_alive());
}

TEST(ListenPolicy, LoopbackAndWildcardAddresses) {
  for (const char* address : {"127.0.0.1", "127.1.2.3", "::1", "::ffff:127.0.0.1", "localhost"})
    EXPECT_TRUE(is_loopback_address(address)) << address;
  for (const char* address : {"0.0.0.0", "::", "10.0.0.1", "192.168.1.1", "::ffff:10.0.0.1", "fe80::1", "x"})
    EXPECT_FALSE(is_loopback_address(address)) << address;
  EXPECT_TRUE(is_wildcard_address("0.0.0.0"));
  EXPECT_TRUE(is_wildcard_address("::"));
  EXPECT_FALSE(is_wildcard_address("127.0.0.1"));
}

TEST(ListenPolicy, HostHeadersOfALoopbackBind) {
  HostPolicy hosts("127.0.0.1", 8080);
  for (const char* host : {"127.0.0.1:8080", "localhost:8080", "LocalHost:8080", "[::1]:8080",
                           "[0:0:0:0:0:0:0:1]:8080"})
    EXPECT_TRUE(hosts.allows(host)) << host;
  for (const char* host : {"127.0.0.1", "127.0.0.1:8081", "evil.example:8080", "127.0.0.2:8080",
                           "localhost.:8080", "[::1]", "[::1:8080", "127.0.0.1:8080:8080", ":8080",
                           "127.0.0.1:+8080", "127.0.0.1:08080x", ""})
    EXPECT_FALSE(hosts.allows(host)) << host;
  HostPolicy named("10.1.2.3", 80, {"Viewer.Lan"});
  EXPECT_TRUE(named.allows("10.1.2.3"));
  EXPECT_TRUE(named.allows("viewer.lan"));
  EXPECT_FALSE(named.allows("localhost"));  // not a loopback bind
}

TEST(ListenPolicy, TokensAreLongRandomAndComparedWhole) {
  std::string token = generate_token();
  EXPECT_EQ(token.size(), 64u);
  EXPECT_NE(token, generate_token());
  EXPECT_TRUE(tokens_equal(token, token));
  EXPECT_FALSE(tokens_equal(token, token.substr(0, 63)));
  EXPECT_FALSE(tokens_equal(token, token + "0"));
  EXPECT_FALSE(tokens_equal(token, ""));
  EXPECT_FALSE(tokens_equal("", ""));  // no token set never matches
  std::string flipped = token;
  flipped[63] = flipped[63] == 'a' ? 'b' : 'a';
  EXPECT_FALSE(tokens_equal(token, flipped));
}

}  // namespace
}  // namespace lurk::server
