// Every real capture in tests/data/linktypes (Ethernet, VLAN, Linux SLL and
// SLL2, raw IP, BSD and OpenBSD loopback, multi-interface and two-section
// pcapng) against tshark: the packet decoder frame by frame (addresses, ports,
// sequence numbers, window, TCP options), and what an ingest stores (frame
// numbers, times, 4-tuples, lengths, counts of skipped non-TCP frames).
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <map>

#include "capture_builder.h"
#include "net/packet_decoder.h"
#include "profile_fixture.h"
#include "tshark_frames.h"

namespace lurk::test {
namespace {

const std::string kDataDir = std::string(LURK_SOURCE_DIR) + "/tests/data/linktypes/";

const std::vector<std::string> kFields = {
    "frame.time_epoch", "frame.protocols", "ip.src", "ip.dst", "ipv6.src", "ipv6.dst",
    "tcp.srcport", "tcp.dstport", "tcp.len", "tcp.seq_raw", "tcp.ack_raw",
    "tcp.window_size_value", "tcp.flags", "tcp.options.mss_val", "tcp.options.wscale.shift",
    "tcp.options.sack_le", "tcp.options.sack_re", "tcp.options.timestamp.tsval",
    "tcp.options.timestamp.tsecr"};

// A TCP segment lurk should read: TCP, and not a copy inside an ICMP error.
bool is_tcp(const TsharkFrame& f) {
  return !f.at("tcp.srcport").empty() && f.at("frame.protocols").find("icmp") == std::string::npos;
}

std::string src_of(const TsharkFrame& f) {
  return f.at("ip.src").empty() ? f.at("ipv6.src") : f.at("ip.src");
}
std::string dst_of(const TsharkFrame& f) {
  return f.at("ip.dst").empty() ? f.at("ipv6.dst") : f.at("ip.dst");
}

struct PcapFrame {
  std::vector<uint8_t> data;
  uint32_t wire_len = 0;
};

// The frames of a little-endian classic pcap file (what make_captures.sh writes).
std::vector<PcapFrame> read_pcap_frames(const std::string& path, uint32_t& link_type) {
  std::vector<uint8_t> bytes = read_binary_file(path);
  std::vector<PcapFrame> frames;
  auto u32 = [&](size_t at) {
    uint32_t v;
    std::memcpy(&v, bytes.data() + at, 4);
    return v;
  };
  link_type = u32(20);
  for (size_t at = 24; at + 16 <= bytes.size();) {
    uint32_t captured = u32(at + 8);
    PcapFrame f;
    f.wire_len = u32(at + 12);
    f.data.assign(bytes.begin() + long(at + 16), bytes.begin() + long(at + 16 + captured));
    frames.push_back(std::move(f));
    at += 16 + captured;
  }
  return frames;
}

std::string joined(const std::vector<uint32_t>& values) {
  std::string out;
  for (uint32_t v : values) out += (out.empty() ? "" : ",") + std::to_string(v);
  return out;
}

std::string optional_text(const auto& value) {
  return value ? std::to_string(*value) : std::string();
}

// Compares one decoded segment with tshark's view of the same frame.
void expect_same_segment(const TcpSegment& s, const TsharkFrame& f, const std::string& where) {
  EXPECT_EQ(s.src.to_string(), src_of(f)) << where;
  EXPECT_EQ(s.dst.to_string(), dst_of(f)) << where;
  EXPECT_EQ(std::to_string(s.src_port), f.at("tcp.srcport")) << where;
  EXPECT_EQ(std::to_string(s.dst_port), f.at("tcp.dstport")) << where;
  EXPECT_EQ(std::to_string(s.payload_len), f.at("tcp.len")) << where;
  EXPECT_EQ(std::to_string(s.seq), f.at("tcp.seq_raw")) << where;
  if (!f.at("tcp.ack_raw").empty()) EXPECT_EQ(std::to_string(s.ack), f.at("tcp.ack_raw")) << where;
  EXPECT_EQ(std::to_string(s.window), f.at("tcp.window_size_value")) << where;
  EXPECT_EQ(s.flags, std::stoul(f.at("tcp.flags"), nullptr, 16) & 0xff) << where;
  EXPECT_EQ(optional_text(s.options.mss), f.at("tcp.options.mss_val")) << where;
  EXPECT_EQ(optional_text(s.options.window_scale), f.at("tcp.options.wscale.shift")) << where;
  EXPECT_EQ(optional_text(s.options.ts_val), f.at("tcp.options.timestamp.tsval")) << where;
  EXPECT_EQ(optional_text(s.options.ts_ecr), f.at("tcp.options.timestamp.tsecr")) << where;
  std::vector<uint32_t> left, right;
  for (int i = 0; i < s.options.sack_count; ++i) {
    left.push_back(s.options.sack[i].left);
    right.push_back(s.options.sack[i].right);
  }
  EXPECT_EQ(joined(left), f.at("tcp.options.sack_le")) << where;
  EXPECT_EQ(joined(right), f.at("tcp.options.sack_re")) << where;
}

class LinkTypesTest : public ProfileTest {
 protected:
  void SetUp() override {
    if (!tshark_available()) GTEST_SKIP() << "tshark is not installed";
    ProfileTest::SetUp();
  }
};

class DecoderAgainstTshark : public LinkTypesTest,
                             public ::testing::WithParamInterface<std::string> {};

TEST_P(DecoderAgainstTshark, EveryFrameDecodesAsWiresharkDoes) {
  std::string path = kDataDir + GetParam();
  uint32_t link_type = 0;
  std::vector<PcapFrame> frames = read_pcap_frames(path, link_type);
  std::vector<TsharkFrame> expected = tshark_frames(path, kFields);
  ASSERT_EQ(frames.size(), expected.size());
  ASSERT_GT(frames.size(), 20u);
  size_t tcp = 0;
  for (size_t i = 0; i < frames.size(); ++i) {
    std::string where = GetParam() + " frame " + std::to_string(i + 1);
    DecodeResult r = decode_frame(link_type, frames[i].data, frames[i].wire_len);
    ASSERT_NE(r.kind, DecodeResult::Kind::Malformed) << where << ": " << r.problem;
    ASSERT_EQ(r.kind == DecodeResult::Kind::Tcp, is_tcp(expected[i])) << where;
    if (r.kind != DecodeResult::Kind::Tcp) continue;
    ++tcp;
    expect_same_segment(r.segment, expected[i], where);
  }
  EXPECT_GT(tcp, frames.size() / 2) << "the capture should be mostly TCP";
}

INSTANTIATE_TEST_SUITE_P(RealCaptures, DecoderAgainstTshark,
                         ::testing::Values("ethernet.pcap", "vlan.pcap", "sll.pcap", "sll2.pcap",
                                           "sll-vlan.pcap", "rawip.pcap", "null.pcap", "loop.pcap"),
                         [](const auto& info) {
                           std::string name = info.param.substr(0, info.param.find('.'));
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

class IngestAgainstTshark : public LinkTypesTest,
                            public ::testing::WithParamInterface<std::string> {
 protected:
  std::map<int64_t, std::string> stored_packets();
};

// What lurk stores for each TCP frame, in the shape tshark prints it.
std::map<int64_t, std::string> IngestAgainstTshark::stored_packets() {
  Statement s = db().prepare(
      "SELECT p.frame, p.ts_ns, "
      "CASE p.dir WHEN 0 THEN c.addr_a ELSE c.addr_b END, "
      "CASE p.dir WHEN 0 THEN c.port_a ELSE c.port_b END, "
      "CASE p.dir WHEN 0 THEN c.addr_b ELSE c.addr_a END, "
      "CASE p.dir WHEN 0 THEN c.port_b ELSE c.port_a END, p.payload_len, p.seq, p.ack "
      "FROM packets p JOIN connections c ON c.id = p.connection_id ORDER BY p.frame");
  std::map<int64_t, std::string> rows;
  while (s.step()) {
    std::string row;
    for (int i = 1; i < 9; ++i) row += s.column_text(i) + " ";
    rows[s.column_int(0)] = row;
  }
  return rows;
}

TEST_P(IngestAgainstTshark, StoredPacketsMatchWireshark) {
  std::string path = kDataDir + GetParam();
  std::vector<TsharkFrame> expected = tshark_frames(path, kFields);
  SourceOutcome outcome = ingest(GetParam(), read_binary_file(path));
  ASSERT_EQ(outcome.status, SourceOutcome::Status::Complete)
      << (outcome.messages.empty() ? "" : outcome.messages[0]);
  EXPECT_EQ(outcome.records, int64_t(expected.size()));
  std::map<int64_t, std::string> stored = stored_packets();
  int64_t not_tcp = 0;
  for (const TsharkFrame& f : expected) {
    int64_t number = std::stoll(f.at("frame.number"));
    if (!is_tcp(f)) {
      ++not_tcp;
      EXPECT_EQ(stored.count(number), 0u) << "frame " << number << " is not TCP";
      continue;
    }
    std::string want = std::to_string(*epoch_to_ns(f.at("frame.time_epoch"))) + " " + src_of(f) +
                       " " + f.at("tcp.srcport") + " " + dst_of(f) + " " + f.at("tcp.dstport") +
                       " " + f.at("tcp.len") + " " + f.at("tcp.seq_raw") + " " +
                       (f.at("tcp.ack_raw").empty() ? "0" : f.at("tcp.ack_raw")) + " ";
    ASSERT_EQ(stored.count(number), 1u) << "frame " << number;
    EXPECT_EQ(stored[number], want) << GetParam() << " frame " << number;
  }
  EXPECT_EQ(outcome.skipped, not_tcp);
  EXPECT_EQ(int64_t(stored.size()) + not_tcp, int64_t(expected.size()));
}

INSTANTIATE_TEST_SUITE_P(RealCaptures, IngestAgainstTshark,
                         ::testing::Values("ethernet.pcap", "vlan.pcap", "sll.pcap", "sll2.pcap",
                                           "sll-vlan.pcap", "rawip.pcap", "null.pcap", "loop.pcap",
                                           "pcap-rh6_1pcap.pcap", "pcap-nokiapcap.pcap",
                                           "pcap-modpcap.pcap", "pcap-suse6_3pcap.pcap", "multi.pcapng",
                                           "two-sections.pcapng"),
                         [](const auto& info) {
                           std::string name = info.param;
                           for (char& c : name)
                             if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
                           return name;
                         });

TEST_F(LinkTypesTest, PcapngCaptureCommentIsKept) {
  std::string path = kDataDir + "multi.pcapng";
  ingest("multi.pcapng", read_binary_file(path));
  EXPECT_EQ(text("SELECT group_concat(scope || ': ' || text, ' | ') FROM comments"),
            "section: lurk link-type test: veth, tun and lo in one file");
}

}  // namespace
}  // namespace lurk::test
