// ByteView's checked reads (byte_view.h).
#include "ingest/byte_view.h"

#include <bit>
#include <cstring>

namespace lurk {

std::string ByteMiss::describe() const {
  std::string text = "expected " + std::to_string(wanted) + " byte" + (wanted == 1 ? "" : "s") +
                     " at byte offset " + std::to_string(offset) + ", ";
  if (available == 0) return text + "the data ends before it";
  return text + "only " + std::to_string(available) + " remain";
}

bool ByteView::check(size_t at, size_t len) const {
  if (has(at, len)) return true;
  if (!miss_) miss_ = ByteMiss{base_ + at, len, at < size_ ? size_ - at : 0};
  return false;
}

namespace {

// A field of 2, 4 or 8 bytes as one load, swapped when the file's order is
// not the machine's: a loop over the bytes cost ~75 instructions per 32-bit
// field, four of them per pcap record header.
template <typename T>
T load_word(const uint8_t* at, Endian order) {
  T v;
  std::memcpy(&v, at, sizeof v);
  bool native = (order == Endian::Little) == (std::endian::native == std::endian::little);
  if (native) return v;
  if constexpr (sizeof(T) == 2) return __builtin_bswap16(v);
  else if constexpr (sizeof(T) == 4) return __builtin_bswap32(v);
  else return __builtin_bswap64(v);
}

}  // namespace

std::optional<uint8_t> ByteView::u8(size_t at) const {
  if (!check(at, 1)) return std::nullopt;
  return data_[at];
}

std::optional<uint16_t> ByteView::u16(size_t at) const {
  if (!check(at, 2)) return std::nullopt;
  return load_word<uint16_t>(data_ + at, order_);
}

std::optional<uint32_t> ByteView::u32(size_t at) const {
  if (!check(at, 4)) return std::nullopt;
  return load_word<uint32_t>(data_ + at, order_);
}

std::optional<uint64_t> ByteView::u64(size_t at) const {
  if (!check(at, 8)) return std::nullopt;
  return load_word<uint64_t>(data_ + at, order_);
}

std::optional<std::span<const uint8_t>> ByteView::bytes(size_t at, size_t len) const {
  if (!check(at, len)) return std::nullopt;
  return std::span<const uint8_t>(data_ + at, len);
}

std::optional<ByteView> ByteView::sub(size_t at, size_t len) const {
  if (!check(at, len)) return std::nullopt;
  return ByteView(std::span<const uint8_t>(data_ + at, len), order_, base_ + at);
}

ByteView ByteView::rest(size_t at) const {
  if (at >= size_) return ByteView(std::span<const uint8_t>(), order_, base_ + size_);
  return ByteView(std::span<const uint8_t>(data_ + at, size_ - at), order_, base_ + at);
}

}  // namespace lurk
