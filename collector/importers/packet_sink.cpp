#include "importers/packet_sink.h"

#include "ingest/ingest_context.h"
#include "net/connection_tracker.h"
#include "net/packet_decoder.h"

namespace lurk {

PacketSink::PacketSink(IngestContext& ctx) : ctx_(ctx), tracker_(ctx.connections()) {}

bool PacketSink::accepts_link_type(uint32_t link_type, uint64_t offset) {
  if (is_supported_link_type(link_type)) return true;
  ctx_.report_error(offset, std::nullopt, "unsupported-link-type",
                    "link type " + std::to_string(link_type) +
                        " is not one lurk decodes (Ethernet, Linux SLL/SLL2, raw IP, loopback)");
  return false;
}

void PacketSink::add_frame(int64_t frame_number, uint64_t offset, int64_t ts_ns,
                           uint32_t link_type, std::span<const uint8_t> data, uint32_t wire_len) {
  ++ctx_.source.records;
  DecodeResult decoded = decode_frame(link_type, data, wire_len);
  switch (decoded.kind) {
    case DecodeResult::Kind::NotTcp:
      ++ctx_.source.skipped;
      return;
    case DecodeResult::Kind::Malformed:
      ++ctx_.source.skipped;
      ctx_.report_error(offset, std::nullopt, "malformed-frame",
                        "frame " + std::to_string(frame_number) + ": " + decoded.problem);
      return;
    case DecodeResult::Kind::Tcp:
      decoded.segment.frame = frame_number;
      decoded.segment.ts_ns = ts_ns;
      tracker_.add(decoded.segment);
      return;
  }
}

void PacketSink::finish() { tracker_.finish(); }

}  // namespace lurk
