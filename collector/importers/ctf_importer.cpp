#include "importers/ctf_importer.h"

#include <vector>

#include "importers/ctf_reader.h"
#include "importers/ctf_rows.h"
#include "ingest/byte_source.h"
#include "ingest/ingest_context.h"
#include "storage/trace_writer.h"

namespace lurk {
namespace {

// The ring has to be reordered before any event can be used, so the whole
// buffer is read first (mirage-profile rings are a few megabytes).
std::vector<uint8_t> read_all(ByteSource& in) {
  std::vector<uint8_t> data;
  data.reserve(static_cast<size_t>(in.size()));
  uint8_t chunk[1 << 16];
  while (size_t got = in.read(chunk, sizeof chunk)) data.insert(data.end(), chunk, chunk + got);
  return data;
}

}  // namespace

bool CtfImporter::sniff(std::span<const uint8_t> head) const {
  return head.size() >= 4 && head[0] == 0xC1 && head[1] == 0x1F && head[2] == 0xFC &&
         head[3] == 0xC1;
}

void CtfImporter::import(ByteSource& in, IngestContext& ctx) const {
  std::vector<uint8_t> data = read_all(in);
  ctf::DamageReport report = [&ctx](uint64_t offset, const std::string& kind,
                                    const std::string& message) {
    ctx.report_error(offset, std::nullopt, kind, message);
  };
  std::vector<ctf::Packet> packets = ctf::find_packets(data, report);
  ctf::order_ring(packets);

  CtfRows rows(ctx);
  for (const ctf::Packet& packet : packets) rows.packet(data, packet);
  rows.finish();
}

}  // namespace lurk
