// ByteView: the one way the binary readers (pcap, pcapng, CTF) read fields
// out of bytes. Every read names its offset and length and is checked
// against the end first, so a damaged length or offset can never read past
// the buffer; a read that does not fit returns nothing and the view keeps
// the first such miss (where it was in the input, what it wanted, what was
// there) for the error message. Integers are assembled byte by byte in the
// view's byte order: no alignment, no memcpy, no host-order assumptions.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace lurk {

enum class Endian : uint8_t { Little, Big };

// A read that did not fit: at which input offset it started, how many bytes
// it wanted, and how many the view had from there (0 when it starts past the end).
struct ByteMiss {
  uint64_t offset = 0;
  size_t wanted = 0;
  size_t available = 0;
  // "expected 4 bytes at byte offset 20, only 2 remain"
  std::string describe() const;
};

class ByteView {
 public:
  ByteView() = default;
  // `base`: the input offset of bytes[0], so that misses and offset_of()
  // name offsets in the file rather than in this slice.
  explicit ByteView(std::span<const uint8_t> bytes, Endian order = Endian::Little,
                    uint64_t base = 0)
      : data_(bytes.data()), size_(bytes.size()), base_(base), order_(order) {}

  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Endian order() const { return order_; }
  uint64_t base() const { return base_; }
  uint64_t offset_of(size_t at) const { return base_ + at; }
  ByteView with_order(Endian order) const {
    ByteView v = *this;
    v.order_ = order;
    return v;
  }
  // True when [at, at + len) lies inside the view (no overflow for any value).
  bool has(size_t at, size_t len) const { return at <= size_ && len <= size_ - at; }

  std::optional<uint8_t> u8(size_t at) const;
  std::optional<uint16_t> u16(size_t at) const;
  std::optional<uint32_t> u32(size_t at) const;
  std::optional<uint64_t> u64(size_t at) const;
  std::optional<std::span<const uint8_t>> bytes(size_t at, size_t len) const;
  // [at, at + len) as a view of its own (same order, base moved along).
  std::optional<ByteView> sub(size_t at, size_t len) const;
  // Everything from `at` on (empty when `at` is at or past the end; not a miss).
  ByteView rest(size_t at) const;

  // The first read of this view that did not fit (a copy starts with its original's).
  const std::optional<ByteMiss>& first_miss() const { return miss_; }

 private:
  bool check(size_t at, size_t len) const;

  const uint8_t* data_ = nullptr;
  size_t size_ = 0;
  uint64_t base_ = 0;
  Endian order_ = Endian::Little;
  mutable std::optional<ByteMiss> miss_;
};

}  // namespace lurk
