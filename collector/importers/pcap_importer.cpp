#include "importers/pcap_importer.h"

#include <optional>
#include <vector>

#include "importers/packet_sink.h"
#include "importers/pcap_record_layout.h"
#include "ingest/byte_source.h"
#include "ingest/byte_view.h"
#include "ingest/ingest_context.h"

namespace lurk {
namespace {

constexpr uint32_t kMagicMicro = 0xa1b2c3d4;
constexpr uint32_t kMagicNano = 0xa1b23c4d;
// Alexey Kuznetzov's patched libpcap (and SuSE 6.3): longer record headers.
constexpr uint32_t kMagicModified = 0xa1b2cd34;
// How much of the records is read ahead to choose their layout.
constexpr size_t kLayoutLookAhead = 64 * 1024;
constexpr size_t kFileHeaderSize = 24;
// No link layer lurk reads has frames this large; a bigger length means the
// record header is garbage and nothing after it can be trusted.
constexpr uint32_t kMaxRecordSize = 256 * 1024;

struct PcapHeader {
  Endian order = Endian::Little;
  bool nanoseconds = false;
  bool modified = false;  // the magic 0xa1b2cd34
  uint32_t snaplen = 0;
  uint32_t link_type = 0;
};

// The byte order and precision the magic number says; nothing when it is not
// a pcap magic (or there are not 4 bytes).
std::optional<PcapHeader> parse_magic(ByteView bytes) {
  PcapHeader h;
  for (Endian order : {Endian::Little, Endian::Big}) {
    std::optional<uint32_t> magic = bytes.with_order(order).u32(0);
    if (magic == kMagicMicro || magic == kMagicNano || magic == kMagicModified) {
      h.order = order;
      h.nanoseconds = magic == kMagicNano;
      h.modified = magic == kMagicModified;
      return h;
    }
  }
  return std::nullopt;
}

// The whole 24-byte file header.
std::optional<PcapHeader> parse_header(ByteView bytes) {
  std::optional<PcapHeader> h = parse_magic(bytes);
  if (!h) return std::nullopt;
  ByteView fields = bytes.with_order(h->order);
  std::optional<uint32_t> snaplen = fields.u32(16), link_type = fields.u32(20);
  if (!snaplen || !link_type) return std::nullopt;
  h->snaplen = *snaplen;
  h->link_type = *link_type & 0x03ffffff;  // upper bits carry FCS information
  return h;
}

}  // namespace

bool PcapImporter::sniff(std::span<const uint8_t> head) const {
  // Only the magic: a file too short for the rest of the header is still a
  // pcap (a truncated one, which import() reports), and a buffer dropped on
  // the page may be just these 4 bytes.
  return parse_magic(ByteView(head)).has_value();
}

void PcapImporter::import(ByteSource& in, IngestContext& ctx) const {
  uint8_t header_bytes[kFileHeaderSize];
  size_t header_got = in.read_fully(header_bytes, sizeof header_bytes);
  std::optional<PcapHeader> parsed = parse_header(ByteView({header_bytes, header_got}));
  if (!parsed) {
    // The sniffer saw the magic, so only a short header gets here.
    ctx.report_error(0, std::nullopt, "truncated-header",
                     "expected a 24-byte pcap file header, the file ends after " +
                         std::to_string(header_got) + " bytes");
    return;
  }
  PcapHeader header = *parsed;
  PacketSink sink(ctx);
  if (!sink.accepts_link_type(header.link_type, 0)) return;

  // The record layout is chosen on the first records, read ahead; then
  // records are viewed in the source's buffer, not copied out of it.
  std::vector<uint8_t> ahead(kLayoutLookAhead);
  uint64_t records_offset = in.offset();
  ahead.resize(in.read_fully(ahead.data(), ahead.size()));
  PcapRecordLayout layout =
      choose_pcap_record_layout(ahead, header.order, header.modified, header.nanoseconds);
  PcapRecordInput records(in, std::move(ahead), records_offset);
  for (int64_t number = 1;; ++number) {
    uint64_t record_offset = records.offset();
    ByteView rh(records.view(layout.header_size), header.order, record_offset);
    if (rh.empty()) break;  // clean end of file
    std::optional<uint32_t> seconds = rh.u32(0), fraction = rh.u32(4), captured_field = rh.u32(8),
                            wire_field = rh.u32(12);
    if (!seconds || !fraction || !captured_field || !wire_field ||
        rh.size() < layout.header_size) {
      ctx.report_error(record_offset, std::nullopt, "truncated-record",
                       "expected a " + std::to_string(layout.header_size) +
                           "-byte record header for frame " + std::to_string(number) +
                           ", the file ends after " + std::to_string(rh.size()) + " bytes");
      break;
    }
    uint32_t captured = *captured_field, wire = *wire_field;
    if (captured > kMaxRecordSize) {
      ctx.report_error(record_offset, std::nullopt, "bogus-record-length",
                       "record header of frame " + std::to_string(number) + " claims " +
                           std::to_string(captured) + " captured bytes (at most " +
                           std::to_string(kMaxRecordSize) + " expected, with " + layout.name +
                           " record headers); the rest is unreadable");
      break;
    }
    std::span<const uint8_t> frame = records.view(captured);
    size_t got = frame.size();
    if (got < captured) {
      ctx.report_error(record_offset, std::nullopt, "truncated-record",
                       "expected " + std::to_string(captured) + " bytes of frame " +
                           std::to_string(number) + ", the file ends after " +
                           std::to_string(got));
      break;
    }
    int64_t fraction_ns = header.nanoseconds ? *fraction : int64_t(*fraction) * 1000;
    int64_t ts_ns = int64_t(*seconds) * 1'000'000'000 + fraction_ns;
    sink.add_frame(number, record_offset, ts_ns, header.link_type, frame, wire);
  }
  sink.finish();
}

}  // namespace lurk
