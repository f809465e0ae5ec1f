#include "importers/pcap_record_layout.h"

#include <algorithm>

#include "ingest/byte_source.h"

namespace lurk {
namespace {

constexpr PcapRecordLayout kStandard{16, "standard"};
constexpr PcapRecordLayout kRedHat61{24, "RedHat 6.1 (ss990417)"};
constexpr PcapRecordLayout kNokia{20, "Nokia"};
constexpr PcapRecordLayout kModified{24, "modified (ss991029)"};
constexpr PcapRecordLayout kSuse63{28, "SuSE 6.3 (ss990915)"};
constexpr size_t kRecordsChecked = 4;
constexpr uint32_t kMaxSaneLength = 256 * 1024;

// Whether the first records (as many as `records` holds, up to
// kRecordsChecked) read sanely with `layout`: a captured length no larger
// than the wire length or any frame lurk reads, and a sub-second field below
// one second. A misread layout lands the next header
// inside a frame, where these fail almost at once.
bool pcap_layout_reads_sanely(std::span<const uint8_t> records, Endian order, bool nanoseconds,
                              const PcapRecordLayout& layout) {
  ByteView view(records, order);
  size_t at = 0;
  for (size_t n = 0; n < kRecordsChecked; ++n) {
    std::optional<uint32_t> fraction = view.u32(at + 4), captured = view.u32(at + 8),
                            wire = view.u32(at + 12);
    if (!fraction || !captured || !wire) return true;  // no more records read: sane so far
    if (*fraction >= (nanoseconds ? 1'000'000'000u : 1'000'000u)) return false;
    if (*captured > kMaxSaneLength || *captured > *wire) return false;
    at += layout.header_size + *captured;
  }
  return true;
}

}  // namespace

PcapRecordLayout choose_pcap_record_layout(std::span<const uint8_t> records, Endian order,
                                           bool modified_magic, bool nanoseconds) {
  static constexpr PcapRecordLayout kWithStandardMagic[] = {kStandard, kRedHat61, kNokia};
  static constexpr PcapRecordLayout kWithModifiedMagic[] = {kModified, kSuse63};
  std::span<const PcapRecordLayout> candidates =
      modified_magic ? std::span<const PcapRecordLayout>(kWithModifiedMagic)
                     : std::span<const PcapRecordLayout>(kWithStandardMagic);
  for (const PcapRecordLayout& layout : candidates)
    if (pcap_layout_reads_sanely(records, order, nanoseconds, layout)) return layout;
  return candidates.front();  // none reads sanely: the reader reports where it breaks
}

std::span<const uint8_t> PcapRecordInput::view(size_t size) {
  size_t left = ahead_.size() - used_;
  if (left == 0) {
    std::span<const uint8_t> got = in_.view(size);
    offset_ += got.size();
    return got;
  }
  if (size <= left) {
    std::span<const uint8_t> got(ahead_.data() + used_, size);
    used_ += size;
    offset_ += size;
    return got;
  }
  // Across the end of the look-ahead: its rest and the source's next bytes.
  joined_.assign(ahead_.begin() + static_cast<std::ptrdiff_t>(used_), ahead_.end());
  used_ = ahead_.size();
  joined_.resize(size);
  size_t more = in_.read_fully(joined_.data() + left, size - left);
  joined_.resize(left + more);
  offset_ += joined_.size();
  return joined_;
}

}  // namespace lurk
