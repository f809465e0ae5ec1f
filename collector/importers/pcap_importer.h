// Classic libpcap capture files: microsecond (0xa1b2c3d4) and nanosecond
// (0xa1b23c4d) timestamps, in either byte order, and the longer record
// headers of old patched libpcaps (pcap_record_layout.h).
#pragma once

#include "importers/importer.h"

namespace lurk {

class PcapImporter final : public Importer {
 public:
  std::string_view format() const override { return "pcap"; }
  bool sniff(std::span<const uint8_t> head) const override;
  void import(ByteSource& in, IngestContext& ctx) const override;
};

}  // namespace lurk
