// The pcapng block loop: frames each block by its total length (checked at
// both ends), keeps the section's byte order and interfaces, and hands packet
// blocks to the PacketSink. One block is in memory at a time, so memory does
// not grow with the file. Damage that leaves the block framing intact (a packet
// for an interface that does not exist, broken options, an unknown link type)
// is reported and reading goes on; damage to the framing itself (a cut file, a
// length that is not a multiple of 4 or differs at the two ends) is reported
// and ends the import, keeping everything read before it.
#include "importers/pcapng_importer.h"

#include <cstring>
#include <vector>

#include "importers/packet_sink.h"
#include "importers/pcapng_blocks.h"
#include "ingest/byte_source.h"
#include "ingest/ingest_context.h"
#include "storage/trace_writer.h"

namespace lurk {
namespace {

using namespace pcapng;

constexpr size_t kBlockFraming = 12;         // type, total length, trailing total length
constexpr size_t kMinSectionHeader = 28;     // framing + magic, versions, section length
// Blocks lurk must read are read whole; none that a capture tool writes comes
// near this, so a larger length on such a block means the length is garbage.
// Blocks lurk skips may be larger: they are read past in chunks.
constexpr size_t kMaxBlockInMemory = 16 * 1024 * 1024;

bool is_packet_block(uint32_t type) {
  return type == kEnhancedPacket || type == kSimplePacket || type == kObsoletePacket;
}

bool must_read_whole(uint32_t type) {
  return type == kSectionHeader || type == kInterfaceDescription || is_packet_block(type);
}

std::string block_name(uint32_t type) {
  switch (type) {
    case kSectionHeader: return "section header block";
    case kInterfaceDescription: return "interface description block";
    case kEnhancedPacket: return "enhanced packet block";
    case kSimplePacket: return "simple packet block";
    case kObsoletePacket: return "packet block";
    default: return "block of type " + std::to_string(type);
  }
}

class PcapngReader {
 public:
  PcapngReader(ByteSource& in, IngestContext& ctx) : in_(in), ctx_(ctx), sink_(ctx) {}

  void run() {
    while (next_block()) {
    }
    sink_.finish();
  }

 private:
  struct Interface {
    InterfaceDescription description;
    bool decodable = false;  // link type known and timestamps usable
  };

  bool next_block();
  bool read_body(uint64_t offset, uint32_t type, uint32_t total, Endian order,
                 const uint8_t* magic);
  bool on_section_header(uint64_t offset, Endian order);
  // The current block without its framing, in its section's byte order; its
  // offsets are the file's.
  ByteView body(uint64_t block_offset) const {
    return ByteView(body_, order_.value_or(Endian::Little), block_offset + 8);
  }
  void on_interface(uint64_t offset);
  void on_packet(uint64_t offset, uint32_t type);
  void skip_packet() {
    ++ctx_.source.records;
    ++ctx_.source.skipped;
  }
  void fail(uint64_t offset, const std::string& kind, const std::string& message) {
    ctx_.report_error(offset, std::nullopt, kind, message);
  }
  void keep_comments(const std::vector<std::string>& comments, std::string_view scope,
                     std::optional<int64_t> frame, std::optional<int64_t> interface) {
    for (const std::string& text : comments)
      ctx_.writer.insert_comment(ctx_.source.id, scope, frame, interface, text);
  }

  ByteSource& in_;
  IngestContext& ctx_;
  PacketSink sink_;
  std::optional<Endian> order_;  // none until the first section header
  std::vector<Interface> interfaces_;  // of the current section
  int64_t interfaces_in_file_ = 0;
  int64_t next_frame_ = 1;
  std::optional<int64_t> last_ts_ns_;
  std::vector<uint8_t> body_;  // the current block without its framing
};

// Reads one block; false when reading cannot go on (end of file or framing lost).
bool PcapngReader::next_block() {
  uint64_t offset = in_.offset();
  uint8_t head[12];
  size_t got = in_.read_fully(head, 8);
  if (got == 0) return false;  // clean end of file
  if (got < 8) {
    fail(offset, "truncated-block",
         "expected an 8-byte block header, the file ends after " + std::to_string(got) + " bytes");
    return false;
  }
  std::optional<Endian> order = order_;
  // The section header's type is a palindrome: the same in either order.
  bool section = ByteView({head, 8}).u32(0) == kSectionHeader;
  if (section) {
    // A section's byte order is only known from the magic after its length.
    got += in_.read_fully(head + 8, 4);
    order = byte_order_from_magic(ByteView({head, got}).rest(8));
    if (got < 12) {
      fail(offset, "truncated-block", "section header block cut before its byte-order magic");
      return false;
    }
    if (!order) {
      fail(offset + 8, "bad-byte-order-magic",
           "expected the byte-order magic 0x1A2B3C4D (in either byte order) in the section "
           "header");
      return false;
    }
  } else if (!order) {
    fail(offset, "missing-section-header", "expected a section header block first");
    return false;
  }
  ByteView header({head, got}, *order, offset);
  uint32_t type = header.u32(0).value_or(0);
  uint32_t total = header.u32(4).value_or(0);  // 8 bytes were read: both are there
  size_t minimum = section ? kMinSectionHeader : kBlockFraming;
  if (total % 4 != 0 || total < minimum) {
    fail(offset, "bad-block-length",
         block_name(type) + " has total length " + std::to_string(total) +
             "; expected a multiple of 4, at least " + std::to_string(minimum));
    return false;
  }
  if (total - kBlockFraming > kMaxBlockInMemory && must_read_whole(type)) {
    fail(offset, "bad-block-length",
         block_name(type) + " claims " + std::to_string(total) + " bytes (at most " +
             std::to_string(kMaxBlockInMemory) + " expected); the rest is unreadable");
    return false;
  }
  if (!read_body(offset, type, total, *order, section ? head + 8 : nullptr)) return false;
  if (section) return on_section_header(offset, *order);
  if (type == kInterfaceDescription) on_interface(offset);
  else if (is_packet_block(type)) on_packet(offset, type);
  // Name resolution, interface statistics, decryption secrets, custom and
  // unknown blocks hold nothing lurk stores.
  return true;
}

// Reads the block's body into body_ (or past it, for large skipped blocks) and
// checks the trailing total length. `magic` is the section header's first 4
// body bytes, already read.
bool PcapngReader::read_body(uint64_t offset, uint32_t type, uint32_t total, Endian order,
                             const uint8_t* magic) {
  size_t body_len = total - kBlockFraming;
  size_t already = magic ? 4 : 0;
  size_t want = body_len - already;
  size_t got = 0;
  if (body_len <= kMaxBlockInMemory) {
    body_.resize(body_len);
    if (magic) std::memcpy(body_.data(), magic, 4);
    got = in_.read_fully(body_.data() + already, want);
  } else {
    body_.clear();
    std::vector<uint8_t> chunk(64 * 1024);
    for (size_t n = 1; got < want && n > 0; got += n)
      n = in_.read_fully(chunk.data(), std::min(chunk.size(), want - got));
  }
  uint8_t trailer[4];
  std::optional<uint32_t> trailing;
  if (got == want) trailing = ByteView({trailer, in_.read_fully(trailer, 4)}, order).u32(0);
  if (!trailing) {
    fail(offset, "truncated-block",
         block_name(type) + " declares " + std::to_string(total) +
             " bytes, the file ends after " + std::to_string(in_.offset() - offset));
    return false;
  }
  if (*trailing != total) {
    fail(offset, "block-length-mismatch",
         block_name(type) + " has total length " + std::to_string(total) +
             " at its start but " + std::to_string(*trailing) + " at its end");
    return false;
  }
  return true;
}

bool PcapngReader::on_section_header(uint64_t offset, Endian order) {
  // magic, major and minor version, 64-bit section length, options; the
  // framing check let only bodies of at least 16 bytes through.
  ByteView section(body_, order, offset + 8);
  uint16_t major = section.u16(4).value_or(0);
  uint16_t minor = section.u16(6).value_or(0);
  if (major != 1) {
    fail(offset, "unsupported-version",
         "section header says pcapng version " + std::to_string(major) + "." +
             std::to_string(minor) + "; lurk reads version 1.x");
    return false;
  }
  order_ = order;
  interfaces_.clear();  // interface numbers start again in every section
  OptionList options = parse_options(section.rest(16));
  if (!options.problem.empty()) fail(offset, "bad-options", "section header: " + options.problem);
  keep_comments(options.comments(), "section", std::nullopt, std::nullopt);
  return true;
}

void PcapngReader::on_interface(uint64_t offset) {
  int64_t number = interfaces_in_file_++;
  Interface interface;
  std::optional<InterfaceDescription> d = parse_interface(body(offset));
  if (!d) {
    // Kept as an unusable interface so later interface numbers still line up.
    fail(offset, "bad-interface-block",
         "interface description of " + std::to_string(body_.size() + kBlockFraming) +
             " bytes is too short for its link type and snaplen");
    interfaces_.push_back(interface);
    return;
  }
  if (!d->problem.empty())
    fail(offset, "bad-options", "interface " + std::to_string(number) + ": " + d->problem);
  keep_comments(d->comments, "interface", std::nullopt, number);
  interface.decodable = d->usable_time && sink_.accepts_link_type(d->link_type, offset);
  interface.description = std::move(*d);
  interfaces_.push_back(std::move(interface));
}

void PcapngReader::on_packet(uint64_t offset, uint32_t type) {
  int64_t frame = next_frame_++;
  std::string problem;
  uint32_t if0_snaplen = interfaces_.empty() ? 0 : interfaces_[0].description.snaplen;
  std::optional<PacketBlock> block = parse_packet_block(type, body(offset), if0_snaplen, problem);
  if (!block) {
    skip_packet();
    fail(offset, "bad-packet-block", "frame " + std::to_string(frame) + ": " + problem);
    return;
  }
  keep_comments(block->comments, "frame", frame, std::nullopt);
  if (!block->options_problem.empty())
    fail(offset, "bad-options", "frame " + std::to_string(frame) + ": " + block->options_problem);
  if (block->interface_id >= interfaces_.size()) {
    skip_packet();
    fail(offset, "unknown-interface",
         "frame " + std::to_string(frame) + " is on interface " +
             std::to_string(block->interface_id) + " but its section describes " +
             std::to_string(interfaces_.size()) + " interface(s)");
    return;
  }
  const Interface& interface = interfaces_[block->interface_id];
  if (!interface.decodable) return skip_packet();  // reported once, at its description
  const InterfaceDescription& d = interface.description;
  std::optional<int64_t> ts_ns;
  if (block->ts_units) {
    ts_ns = timestamp_ns(*block->ts_units, d.resolution, d.ts_offset_s);
    if (!ts_ns) {
      skip_packet();
      fail(offset, "bad-timestamp",
           "frame " + std::to_string(frame) + ": timestamp does not fit in 64-bit nanoseconds");
      return;
    }
  } else {
    // Simple packet blocks have no time: lurk places them at the time of the
    // packet before them in the file (0 when there is none).
    ts_ns = last_ts_ns_.value_or(0);
  }
  last_ts_ns_ = ts_ns;
  sink_.add_frame(frame, offset, *ts_ns, d.link_type, block->data, block->original_len);
}

}  // namespace

bool PcapngImporter::sniff(std::span<const uint8_t> head) const {
  ByteView bytes(head);
  return bytes.u32(0) == kSectionHeader && byte_order_from_magic(bytes.rest(8)).has_value();
}

void PcapngImporter::import(ByteSource& in, IngestContext& ctx) const {
  PcapngReader reader(in, ctx);
  reader.run();
}

}  // namespace lurk
