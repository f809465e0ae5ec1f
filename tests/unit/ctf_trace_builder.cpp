#include "ctf_trace_builder.h"

#include <algorithm>

namespace lurk::test {
namespace {

constexpr uint8_t kUuid[16] = {0x05, 0x88, 0x3b, 0x8d, 0x52, 0x1a, 0x48, 0x7b,
                               0xb3, 0x97, 0x45, 0x6a, 0xb1, 0x50, 0x68, 0x0c};

void put_le(std::vector<uint8_t>& out, uint64_t v, size_t bytes) {
  for (size_t i = 0; i < bytes; ++i) out.push_back(static_cast<uint8_t>(v >> (8 * i)));
}

}  // namespace

CtfEvents& CtfEvents::header(uint64_t ts, uint8_t id) {
  put_le(bytes, ts, 8);
  bytes.push_back(id);
  return *this;
}

CtfEvents& CtfEvents::u64(uint64_t v) {
  put_le(bytes, v, 8);
  return *this;
}

CtfEvents& CtfEvents::str(const std::string& s) {
  bytes.insert(bytes.end(), s.begin(), s.end());
  bytes.push_back(0);
  return *this;
}

CtfEvents& CtfEvents::creates(uint64_t ts, int64_t parent, int64_t child, uint8_t type) {
  header(ts, 0).u64(parent).u64(child);
  bytes.push_back(type);
  return *this;
}

CtfEvents& CtfEvents::pair(uint64_t ts, uint8_t id, int64_t thread, int64_t other) {
  return header(ts, id).u64(thread).u64(other);
}

CtfEvents& CtfEvents::fails(uint64_t ts, int64_t thread, int64_t resolvee,
                            const std::string& exn) {
  return header(ts, 3).u64(thread).u64(resolvee).str(exn);
}

CtfEvents& CtfEvents::label(uint64_t ts, int64_t thread, const std::string& text) {
  return header(ts, 5).u64(thread).str(text);
}

CtfEvents& CtfEvents::increase(uint64_t ts, int64_t thread, int64_t delta,
                               const std::string& name) {
  return header(ts, 6).u64(thread).u64(delta).str(name);
}

CtfEvents& CtfEvents::counter(uint64_t ts, int64_t thread, int64_t value,
                              const std::string& name) {
  return header(ts, 11).u64(thread).u64(value).str(name);
}

CtfEvents& CtfEvents::switch_to(uint64_t ts, int64_t thread) { return header(ts, 7).u64(thread); }

CtfEvents& CtfEvents::gc(uint64_t ts, uint64_t duration_ns) { return header(ts, 8).u64(duration_ns); }

CtfEvents& CtfEvents::raw(const std::vector<uint8_t>& more) {
  bytes.insert(bytes.end(), more.begin(), more.end());
  return *this;
}

std::vector<uint8_t> build_ctf(const std::vector<CtfPacketSpec>& packets, size_t packet_bytes) {
  if (packet_bytes == 0)
    for (const CtfPacketSpec& p : packets)
      packet_bytes = std::max(packet_bytes, kCtfPacketHeaderBytes + p.events.size());
  std::vector<uint8_t> out;
  for (const CtfPacketSpec& p : packets) {
    size_t start = out.size();
    put_le(out, p.magic, 4);
    out.insert(out.end(), kUuid, kUuid + 16);
    if (p.bad_uuid) out[start + 4] ^= 0xFF;
    put_le(out, packet_bytes * 8, 4);
    put_le(out, p.sequence, 2);
    put_le(out, p.content_bits.value_or(static_cast<uint32_t>((kCtfPacketHeaderBytes + p.events.size()) * 8)),
           4);
    out.insert(out.end(), p.events.begin(), p.events.end());
    out.resize(start + packet_bytes, 0);
  }
  return out;
}

}  // namespace lurk::test
