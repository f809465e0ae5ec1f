#include "importers/pcap_importer.h"

#include <cstring>
#include <vector>

#include "importers/packet_sink.h"
#include "ingest/byte_source.h"
#include "ingest/ingest_context.h"

namespace lurk {
namespace {

constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
constexpr size_t kFileHeaderSize = 24;
constexpr size_t kRecordHeaderSize = 16;
// No link layer lurk reads has frames this large; a bigger length means the
// record header is garbage and nothing after it can be trusted.
constexpr uint32_t kMaxRecordSize = 256 * 1024;

uint32_t swap32(uint32_t v) { return __builtin_bswap32(v); }

struct PcapHeader {
  bool swapped = false;
  bool nanoseconds = false;
  uint32_t snaplen = 0;
  uint32_t link_type = 0;
};

// The byte order and precision the magic number says; nothing when it is not
// a pcap magic. Reads 4 bytes.
std::optional<PcapHeader> parse_magic(const uint8_t* p) {
  uint32_t magic;
  std::memcpy(&magic, p, 4);
  PcapHeader h;
  if (magic == kMagicMicro || magic == kMagicNano) {
    h.nanoseconds = magic == kMagicNano;
  } else if (swap32(magic) == kMagicMicro || swap32(magic) == kMagicNano) {
    h.swapped = true;
    h.nanoseconds = swap32(magic) == kMagicNano;
  } else {
    return std::nullopt;
  }
  return h;
}

// The whole 24-byte file header at p.
std::optional<PcapHeader> parse_header(const uint8_t* p) {
  std::optional<PcapHeader> magic = parse_magic(p);
  if (!magic) return std::nullopt;
  PcapHeader h = *magic;
  auto field = [&](size_t offset) {
    uint32_t v;
    std::memcpy(&v, p + offset, 4);
    return h.swapped ? swap32(v) : v;
  };
  h.snaplen = field(16);
  h.link_type = field(20) & 0x03ffffff;  // upper bits carry FCS information
  return h;
}

}  // namespace

bool PcapImporter::sniff(std::span<const uint8_t> head) const {
  // Only the magic: a file too short for the rest of the header is still a
  // pcap (a truncated one, which import() reports), and a buffer dropped on
  // the page may be just these 4 bytes.
  return head.size() >= 4 && parse_magic(head.data()).has_value();
}

void PcapImporter::import(ByteSource& in, IngestContext& ctx) const {
  uint8_t header_bytes[kFileHeaderSize];
  if (in.read_fully(header_bytes, sizeof header_bytes) < sizeof header_bytes) {
    ctx.report_error(0, std::nullopt, "truncated-header",
                     "expected a 24-byte pcap file header, the file ends first");
    return;
  }
  PcapHeader header = *parse_header(header_bytes);
  PacketSink sink(ctx);
  if (!sink.accepts_link_type(header.link_type, 0)) return;

  // Records are viewed in the source's buffer, not copied out of it.
  for (int64_t number = 1;; ++number) {
    uint64_t record_offset = in.offset();
    std::span<const uint8_t> rh = in.view(kRecordHeaderSize);
    size_t got = rh.size();
    if (got == 0) break;  // clean end of file
    if (got < kRecordHeaderSize) {
      ctx.report_error(record_offset, std::nullopt, "truncated-record",
                       "expected a 16-byte record header for frame " + std::to_string(number) +
                           ", the file ends after " + std::to_string(got) + " bytes");
      break;
    }
    uint32_t f[4];
    std::memcpy(f, rh.data(), sizeof f);
    if (header.swapped)
      for (uint32_t& v : f) v = swap32(v);
    uint32_t captured = f[2], wire = f[3];
    if (captured > kMaxRecordSize) {
      ctx.report_error(record_offset, std::nullopt, "bogus-record-length",
                       "record header of frame " + std::to_string(number) + " claims " +
                           std::to_string(captured) + " captured bytes (at most " +
                           std::to_string(kMaxRecordSize) + " expected); the rest is unreadable");
      break;
    }
    std::span<const uint8_t> frame = in.view(captured);
    got = frame.size();
    if (got < captured) {
      ctx.report_error(record_offset, std::nullopt, "truncated-record",
                       "expected " + std::to_string(captured) + " bytes of frame " +
                           std::to_string(number) + ", the file ends after " +
                           std::to_string(got));
      break;
    }
    int64_t fraction_ns = header.nanoseconds ? f[1] : int64_t(f[1]) * 1000;
    int64_t ts_ns = int64_t(f[0]) * 1'000'000'000 + fraction_ns;
    sink.add_frame(number, record_offset, ts_ns, header.link_type, frame, wire);
  }
  sink.finish();
}

}  // namespace lurk
