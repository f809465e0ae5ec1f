// ByteView (collector/ingest/byte_view.h): reads in both byte orders, reads
// that end exactly at the end, reads past it (including lengths and offsets
// whose sum overflows), the empty view, and the miss it reports.
#include "ingest/byte_view.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <vector>

namespace lurk {
namespace {

const std::vector<uint8_t> kBytes = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09};

TEST(ByteView, ReadsIntegersInEitherByteOrder) {
  ByteView le(kBytes, Endian::Little);
  EXPECT_EQ(le.u8(0), 0x01);
  EXPECT_EQ(le.u16(0), 0x0201);
  EXPECT_EQ(le.u32(1), 0x05040302u);
  EXPECT_EQ(le.u64(0), 0x0807060504030201ull);
  ByteView be = le.with_order(Endian::Big);
  EXPECT_EQ(be.u16(0), 0x0102);
  EXPECT_EQ(be.u32(1), 0x02030405u);
  EXPECT_EQ(be.u64(1), 0x0203040506070809ull);
  EXPECT_FALSE(le.first_miss());
  EXPECT_FALSE(be.first_miss());
}

TEST(ByteView, ReadsThatEndExactlyAtTheEndSucceed) {
  ByteView v(kBytes);
  EXPECT_EQ(v.u8(8), 0x09);
  EXPECT_EQ(v.u16(7), 0x0908);
  EXPECT_EQ(v.u32(5), 0x09080706u);
  EXPECT_EQ(v.u64(1), 0x0908070605040302ull);
  auto all = v.bytes(0, kBytes.size());
  ASSERT_TRUE(all);
  EXPECT_EQ(all->size(), kBytes.size());
  auto none = v.bytes(kBytes.size(), 0);  // zero bytes at the end: fine
  ASSERT_TRUE(none);
  EXPECT_TRUE(none->empty());
  EXPECT_FALSE(v.first_miss());
}

TEST(ByteView, ReadsPastTheEndFailAndSayWhere) {
  ByteView v(kBytes, Endian::Little, 1000);  // the slice starts at input offset 1000
  EXPECT_FALSE(v.u16(8));
  ASSERT_TRUE(v.first_miss());
  EXPECT_EQ(v.first_miss()->offset, 1008u);
  EXPECT_EQ(v.first_miss()->wanted, 2u);
  EXPECT_EQ(v.first_miss()->available, 1u);
  EXPECT_EQ(v.first_miss()->describe(), "expected 2 bytes at byte offset 1008, only 1 remain");
  // Later misses do not replace the first one.
  EXPECT_FALSE(v.u64(20));
  EXPECT_EQ(v.first_miss()->offset, 1008u);
  EXPECT_FALSE(v.u32(6));
  EXPECT_FALSE(v.u8(9));
  EXPECT_FALSE(v.bytes(5, 5));
  EXPECT_FALSE(v.sub(9, 1));
}

TEST(ByteView, OffsetsAndLengthsThatOverflowDoNotWrapAround) {
  ByteView v(kBytes);
  const size_t huge = std::numeric_limits<size_t>::max();
  EXPECT_FALSE(v.has(1, huge));
  EXPECT_FALSE(v.has(huge, 1));
  EXPECT_FALSE(v.bytes(2, huge - 1));
  EXPECT_FALSE(v.u32(huge - 1));
  ASSERT_TRUE(v.first_miss());
  EXPECT_EQ(v.first_miss()->available, 7u);
  EXPECT_EQ(v.first_miss()->describe(), "expected " + std::to_string(huge - 1) +
                                            " bytes at byte offset 2, only 7 remain");
}

TEST(ByteView, EmptyViewReadsNothing) {
  ByteView empty;
  EXPECT_TRUE(empty.empty());
  EXPECT_FALSE(empty.u8(0));
  EXPECT_TRUE(empty.bytes(0, 0));
  EXPECT_TRUE(empty.rest(0).empty());
  ASSERT_TRUE(empty.first_miss());
  EXPECT_EQ(empty.first_miss()->describe(), "expected 1 byte at byte offset 0, the data ends before it");
  ByteView from_empty_span(std::span<const uint8_t>{}, Endian::Big, 42);
  EXPECT_FALSE(from_empty_span.u16(0));
  EXPECT_EQ(from_empty_span.first_miss()->offset, 42u);
}

TEST(ByteView, SubViewsKeepInputOffsetsAndOrder) {
  ByteView v(kBytes, Endian::Big, 100);
  auto sub = v.sub(4, 4);
  ASSERT_TRUE(sub);
  EXPECT_EQ(sub->base(), 104u);
  EXPECT_EQ(sub->u16(0), 0x0506);
  EXPECT_FALSE(sub->u32(1));  // would read byte 9 of the parent, outside the sub-view
  EXPECT_EQ(sub->first_miss()->offset, 105u);
  EXPECT_FALSE(v.first_miss());  // the parent did not miss
  ByteView tail = v.rest(7);
  EXPECT_EQ(tail.size(), 2u);
  EXPECT_EQ(tail.offset_of(1), 108u);
  EXPECT_TRUE(v.rest(9).empty());
  EXPECT_TRUE(v.rest(50).empty());
}

}  // namespace
}  // namespace lurk
