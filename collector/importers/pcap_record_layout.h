// Which record header a classic pcap file uses. Besides the standard 16
// bytes (time, captured length, wire length), old patched libpcaps wrote
// longer ones that Wireshark still reads and editcap still writes (-F
// rh6_1pcap, nokiapcap, modpcap, suse6_3pcap): the same fields, then an
// interface index, protocol and packet type. Two of them even share the
// standard magic number. As Wireshark does, the layout is the one that makes
// the first records of the file plausible; PcapRecordInput then serves the
// records from the bytes read for that choice before reading on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "ingest/byte_view.h"

namespace lurk {

class ByteSource;

struct PcapRecordLayout {
  size_t header_size = 16;
  const char* name = "standard";  // for messages
};

// The layout of the records that start at `records` (the bytes after the
// 24-byte file header, as far as read): the first of `candidates` whose
// first records look sane (lengths, sub-second field), else the first
// candidate. `modified_magic`: the file has the magic 0xa1b2cd34.
PcapRecordLayout choose_pcap_record_layout(std::span<const uint8_t> records, Endian order,
                                           bool modified_magic, bool nanoseconds);

// Bytes already read (the look-ahead the layout was chosen on), then the
// source. view() has ByteSource::view's contract; offset() is the file's.
class PcapRecordInput {
 public:
  PcapRecordInput(ByteSource& in, std::vector<uint8_t> ahead, uint64_t ahead_offset)
      : in_(in), ahead_(std::move(ahead)), offset_(ahead_offset) {}
  std::span<const uint8_t> view(size_t size);
  uint64_t offset() const { return offset_; }

 private:
  ByteSource& in_;
  std::vector<uint8_t> ahead_;
  size_t used_ = 0;              // of ahead_
  std::vector<uint8_t> joined_;  // a view across the end of ahead_
  uint64_t offset_;
};

}  // namespace lurk
