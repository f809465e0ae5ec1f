// The CTF importer on damaged and wrapped rings: packets are read in ring
// order after a wrap (also across the 16-bit sequence wrap); an unknown event
// id or a torn event loses only the rest of its packet; a bad magic or UUID
// loses only that packet; each is an ingest error with its byte offset.
#include <gtest/gtest.h>

#include "ctf_trace_builder.h"
#include "importers/ctf_reader.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

constexpr size_t kPacket = 256;  // every packet of these tests

class CtfDamageTest : public ProfileTest {
 protected:
  // Labels in the order they were imported (instants are inserted in order).
  std::string labels() {
    Statement st = db().prepare(
        "SELECT s.text FROM instants i JOIN strings s ON s.id = i.name "
        "WHERE i.kind = 'label' ORDER BY i.id");
    std::string out;
    while (st.step()) out += (out.empty() ? "" : " ") + st.column_text(0);
    return out;
  }
  std::string error_field(const std::string& column) {
    return text("SELECT " + column + " FROM ingest_errors ORDER BY id LIMIT 1");
  }
};

CtfEvents labelled(uint64_t ts, const std::string& text) {
  CtfEvents e;
  e.label(ts, 1, text);
  return e;
}

TEST_F(CtfDamageTest, RingOrderIsRestoredAfterAWrap) {
  // The writer filled packets 0..3 with sequences 4, 5, 2, 3: packet 2 is the oldest.
  auto bytes = build_ctf({{4, labelled(50, "e").bytes},
                          {5, labelled(60, "f").bytes},
                          {2, labelled(30, "c").bytes},
                          {3, labelled(40, "d").bytes}},
                         kPacket);
  SourceOutcome out = ingest("wrapped.ctf", bytes);
  EXPECT_EQ(out.status, SourceOutcome::Status::Complete);
  EXPECT_EQ(labels(), "c d e f");
}

TEST_F(CtfDamageTest, RingOrderAcrossTheSequenceNumberWrap) {
  std::vector<ctf::Packet> packets = {{0, 0, 0, 1}, {1, 0, 0, 65534}, {2, 0, 0, 65535},
                                      {3, 0, 0, 0}};
  ctf::order_ring(packets);
  std::vector<size_t> order;
  for (const ctf::Packet& p : packets) order.push_back(p.index);
  EXPECT_EQ(order, (std::vector<size_t>{1, 2, 3, 0}));
  // No jump at all: file order.
  std::vector<ctf::Packet> plain = {{0, 0, 0, 65535}, {1, 0, 0, 0}, {2, 0, 0, 1}};
  ctf::order_ring(plain);
  EXPECT_EQ(plain[0].index, 0u);
  EXPECT_EQ(plain[2].index, 2u);
}

TEST_F(CtfDamageTest, UnknownEventIdSkipsTheRestOfItsPacket) {
  CtfEvents first;
  first.label(10, 1, "a").header(20, 42).u64(7).label(30, 1, "lost");
  auto bytes = build_ctf({{0, first.bytes}, {1, labelled(40, "b").bytes}}, kPacket);
  SourceOutcome out = ingest("unknown.ctf", bytes);
  EXPECT_EQ(out.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(labels(), "a b");
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors"), 1);
  EXPECT_EQ(error_field("kind"), "unknown-event");
  size_t label_a_size = 8 + 1 + 8 + 2;
  EXPECT_EQ(error_field("byte_offset"), std::to_string(kCtfPacketHeaderBytes + label_a_size));
  EXPECT_NE(error_field("message").find("packet 0"), std::string::npos) << error_field("message");
  EXPECT_NE(error_field("message").find("id 42"), std::string::npos);
  EXPECT_EQ(count("SELECT errors FROM sources"), 1);
  EXPECT_EQ(count("SELECT records FROM sources"), 2);
  ASSERT_FALSE(out.messages.empty());
  EXPECT_NE(out.messages[0].find("unknown.ctf: byte offset 49"), std::string::npos)
      << out.messages[0];
}

TEST_F(CtfDamageTest, BadMagicSkipsThatPacketOnly) {
  auto bytes = build_ctf({{0, labelled(10, "a").bytes},
                          {1, labelled(20, "lost").bytes, 0xDEADBEEF},
                          {2, labelled(30, "c").bytes}},
                         kPacket);
  SourceOutcome out = ingest("magic.ctf", bytes);
  EXPECT_EQ(out.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(labels(), "a c");
  EXPECT_EQ(error_field("kind"), "bad-magic");
  EXPECT_EQ(error_field("byte_offset"), std::to_string(kPacket));
  EXPECT_NE(error_field("message").find("0xDEADBEEF"), std::string::npos);
  EXPECT_EQ(count("SELECT value FROM source_counters WHERE name = 'packets'"), 2);
}

TEST_F(CtfDamageTest, BadUuidSkipsThatPacketOnly) {
  CtfPacketSpec bad{1, labelled(20, "lost").bytes};
  bad.bad_uuid = true;
  auto bytes = build_ctf({{0, labelled(10, "a").bytes}, bad}, kPacket);
  ingest("uuid.ctf", bytes);
  EXPECT_EQ(labels(), "a");
  EXPECT_EQ(error_field("kind"), "bad-uuid");
  EXPECT_EQ(error_field("byte_offset"), std::to_string(kPacket + 4));
}

TEST_F(CtfDamageTest, TornLastEventIsReportedAndTheRestKept) {
  // The newest event was being written when the buffer was read: the content
  // size covers only half of it.
  CtfEvents e;
  e.label(10, 1, "a").label(20, 1, "b").increase(30, 1, 5, "torn-counter");
  size_t torn_at = kCtfPacketHeaderBytes + 2 * (8 + 1 + 8 + 2);
  CtfPacketSpec packet{0, e.bytes};
  packet.content_bits = static_cast<uint32_t>((torn_at + 12) * 8);
  SourceOutcome out = ingest("torn.ctf", build_ctf({packet}, kPacket));
  EXPECT_EQ(out.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(labels(), "a b");
  EXPECT_EQ(count("SELECT count(*) FROM counters"), 0);
  EXPECT_EQ(error_field("kind"), "torn-event");
  EXPECT_EQ(error_field("byte_offset"), std::to_string(torn_at));
  EXPECT_NE(error_field("message").find("increase"), std::string::npos) << error_field("message");
}

TEST_F(CtfDamageTest, StringWithoutItsEndIsTorn) {
  CtfEvents e;
  e.label(10, 1, "a").header(20, 5).u64(1).raw({'n', 'o', '-', 'n', 'u', 'l'});
  ingest("nul.ctf", build_ctf({{0, e.bytes}}, kPacket));
  EXPECT_EQ(labels(), "a");
  EXPECT_EQ(error_field("kind"), "torn-event");
  EXPECT_EQ(error_field("byte_offset"), std::to_string(kCtfPacketHeaderBytes + 19));
}

TEST_F(CtfDamageTest, FileCutInsideAPacket) {
  auto bytes = build_ctf({{0, labelled(10, "a").bytes}, {1, labelled(20, "b").bytes}}, kPacket);
  bytes.resize(kPacket + kCtfPacketHeaderBytes + 10);  // the second packet's only event is cut
  SourceOutcome out = ingest("cut.ctf", bytes);
  EXPECT_EQ(out.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(labels(), "a");
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind = 'truncated-packet' AND "
                  "byte_offset = " + std::to_string(kPacket)),
            1);
  EXPECT_EQ(count("SELECT count(*) FROM ingest_errors WHERE kind = 'torn-event' AND "
                  "byte_offset = " + std::to_string(kPacket + kCtfPacketHeaderBytes)),
            1);
}

TEST_F(CtfDamageTest, ContentSizeBeyondThePacketIsReported) {
  CtfPacketSpec packet{0, labelled(10, "a").bytes};
  packet.content_bits = static_cast<uint32_t>((kPacket + 100) * 8);
  SourceOutcome out = ingest("content.ctf", build_ctf({packet}, kPacket));
  EXPECT_EQ(out.status, SourceOutcome::Status::Partial);
  EXPECT_EQ(labels(), "");  // its padding is not decoded as events
  EXPECT_EQ(out.records, 0);
  EXPECT_EQ(error_field("kind"), "bad-content-size");
  EXPECT_EQ(error_field("byte_offset"), "26");
}

}  // namespace
}  // namespace lurk::test
