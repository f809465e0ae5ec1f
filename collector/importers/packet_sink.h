// Shared tail of the capture importers (pcap, pcapng): decodes each frame,
// counts and skips what is not TCP, reports malformed frames, and feeds TCP
// segments to the source's connection tracker (IngestContext::connections).
#pragma once

#include <cstdint>
#include <span>


namespace lurk {

class ConnectionTracker;
class IngestContext;

class PacketSink {
 public:
  explicit PacketSink(IngestContext& ctx);

  // False (and an error reported at `offset`) when lurk cannot decode frames
  // of this link type.
  bool accepts_link_type(uint32_t link_type, uint64_t offset);
  void add_frame(int64_t frame_number, uint64_t offset, int64_t ts_ns, uint32_t link_type,
                 std::span<const uint8_t> data, uint32_t wire_len);
  void finish();

 private:
  IngestContext& ctx_;
  ConnectionTracker& tracker_;
};

}  // namespace lurk
