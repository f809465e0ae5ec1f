// SipHash-2-4 (collector/export/siphash.h) against the test vectors of the
// SipHash paper (Appendix A: key 00..0f, message 00..0e) and of the authors'
// reference implementation (key 00..0f, message 00..len-1), which `openssl
// mac SIPHASH` also gives; and the parsing of export keys (anon_key.h).
#include <gtest/gtest.h>

#include <set>

#include "export/anon_key.h"
#include "export/siphash.h"

namespace lurk {
namespace {

SipKey paper_key() {
  uint8_t bytes[16];
  for (int i = 0; i < 16; ++i) bytes[i] = uint8_t(i);
  return sip_key_from_bytes(bytes);
}

TEST(SipHash, PaperAppendixVector) {
  uint8_t message[15];
  for (int i = 0; i < 15; ++i) message[i] = uint8_t(i);
  EXPECT_EQ(paper_key().k0, 0x0706050403020100ULL);
  EXPECT_EQ(paper_key().k1, 0x0f0e0d0c0b0a0908ULL);
  EXPECT_EQ(siphash24(paper_key(), message, 15), 0xa129ca6149be45e5ULL);
}

TEST(SipHash, ReferenceVectorsOfEachTailLength) {
  // Lengths 0..4 and 8 exercise the empty message, the partial last word and
  // a whole word followed by a length-only last word.
  const std::pair<size_t, uint64_t> vectors[] = {
      {0, 0x726fdb47dd0e0e31ULL}, {1, 0x74f839c593dc67fdULL}, {2, 0x0d6c8009d9a94f5aULL},
      {3, 0x85676696d7fb7e2dULL}, {4, 0xcf2794e0277187b7ULL}, {8, 0x93f5f5799a932462ULL},
  };
  uint8_t message[16];
  for (int i = 0; i < 16; ++i) message[i] = uint8_t(i);
  for (auto [length, expected] : vectors)
    EXPECT_EQ(siphash24(paper_key(), message, length), expected) << "length " << length;
}

TEST(SipHash, ZeroKeyText) {
  // `printf 'Hello world' | openssl mac -macopt hexkey:000...0 -macopt size:8 SIPHASH`
  // prints the bytes D922381F02A3E8C9, i.e. 0xc9e8a3021f3822d9 little-endian.
  EXPECT_EQ(siphash24(SipKey{}, "Hello world"), 0xc9e8a3021f3822d9ULL);
}

TEST(SipHash, EveryKeyBitMatters) {
  std::set<uint64_t> outputs;
  for (int bit = 0; bit < 128; ++bit) {
    SipKey key = paper_key();
    (bit < 64 ? key.k0 : key.k1) ^= uint64_t(1) << (bit % 64);
    outputs.insert(siphash24(key, "10.77.0.1"));
  }
  outputs.insert(siphash24(paper_key(), "10.77.0.1"));
  EXPECT_EQ(outputs.size(), 129u);
}

TEST(AnonKey, ParsesHexInThePapersByteOrder) {
  std::string error;
  std::optional<SipKey> key = parse_key_hex("  000102030405060708090A0B0C0D0E0F\n", &error);
  ASSERT_TRUE(key) << error;
  EXPECT_EQ(*key, paper_key());
  EXPECT_EQ(key_to_hex(*key), "000102030405060708090a0b0c0d0e0f");
}

TEST(AnonKey, RefusesWhatIsNotA128BitHexKey) {
  std::string error;
  EXPECT_FALSE(parse_key_hex("0001", &error));
  EXPECT_NE(error.find("expected 32 hex digits"), std::string::npos) << error;
  EXPECT_NE(error.find("found 4 characters"), std::string::npos) << error;
  EXPECT_FALSE(parse_key_hex("zz0102030405060708090a0b0c0d0e0f", &error));
  EXPECT_NE(error.find("position 1"), std::string::npos) << error;
  EXPECT_FALSE(parse_key_hex("", &error));
}

TEST(AnonKey, RandomKeysDiffer) {
  EXPECT_NE(random_key(), random_key());
}

}  // namespace
}  // namespace lurk
