// ByteView's checked reads (byte_view.h).
#include "ingest/byte_view.h"

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

uint64_t ByteView::load(size_t at, size_t len) const {
  uint64_t v = 0;
  for (size_t i = 0; i < len; ++i) {
    size_t shift = order_ == Endian::Little ? i : len - 1 - i;
    v |= uint64_t(data_[at + i]) << (8 * shift);
  }
  return v;
}

std::optional<uint8_t> ByteView::u8(size_t at) const {
  if (!check(at, 1)) return std::nullopt;
  return data_[at];
}

std::optional<uint16_t> ByteView::u16(size_t at) const {
  if (!check(at, 2)) return std::nullopt;
  return static_cast<uint16_t>(load(at, 2));
}

std::optional<uint32_t> ByteView::u32(size_t at) const {
  if (!check(at, 4)) return std::nullopt;
  return static_cast<uint32_t>(load(at, 4));
}

std::optional<uint64_t> ByteView::u64(size_t at) const {
  if (!check(at, 8)) return std::nullopt;
  return load(at, 8);
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
