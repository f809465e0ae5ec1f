#include "live/ctf_send_order.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <vector>

#include "importers/ctf_reader.h"

namespace lurk::live {

std::string ctf_packets_oldest_first(std::string_view file) {
  std::span<const uint8_t> data(reinterpret_cast<const uint8_t*>(file.data()), file.size());
  // Damage is the collector's to report, at the offsets it sees.
  std::vector<ctf::Packet> packets =
      ctf::find_packets(data, [](uint64_t, const std::string&, const std::string&) {});
  if (packets.empty()) return std::string(file);
  // Each packet runs to the next one in file order (or to the end).
  std::vector<std::pair<uint64_t, uint64_t>> extent;  // by packet index
  for (size_t i = 0; i < packets.size(); ++i)
    extent.emplace_back(packets[i].offset,
                        i + 1 < packets.size() ? packets[i + 1].offset : file.size());
  std::vector<ctf::Packet> ring = packets;
  ctf::order_ring(ring);
  std::string out(file.substr(0, packets.front().offset));  // bytes before the first header
  out.reserve(file.size());
  for (const ctf::Packet& p : ring) {
    auto it = std::find_if(packets.begin(), packets.end(),
                           [&](const ctf::Packet& q) { return q.offset == p.offset; });
    auto [from, to] = extent[size_t(it - packets.begin())];
    out.append(file.substr(from, to - from));
  }
  return out;
}

bool looks_like_ctf(std::string_view head) {
  return head.size() >= 4 && uint8_t(head[0]) == 0xC1 && uint8_t(head[1]) == 0x1F &&
         uint8_t(head[2]) == 0xFC && uint8_t(head[3]) == 0xC1;
}

}  // namespace lurk::live
