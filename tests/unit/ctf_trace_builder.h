// Hand-built mirage-profile CTF ring buffers for the CTF importer's tests:
// events encoded field by field as the format page lays them out, packets
// with their 30-byte header, and knobs to damage either.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace lurk::test {

// Bytes of a mirage-profile packet header (magic, UUID, sequence, times, sizes).
inline constexpr size_t kCtfPacketHeaderBytes = 30;

// The bytes of a run of events, appended in order.
struct CtfEvents {
  std::vector<uint8_t> bytes;

  CtfEvents& creates(uint64_t ts, int64_t parent, int64_t child, uint8_t type);
  // Events whose fields are two thread ids: read (1), fulfills (2), becomes (4),
  // signal (9), try_read (10), read without switch (12), signal without switch (13).
  CtfEvents& pair(uint64_t ts, uint8_t id, int64_t thread, int64_t other);
  CtfEvents& fails(uint64_t ts, int64_t thread, int64_t resolvee, const std::string& exn);
  CtfEvents& label(uint64_t ts, int64_t thread, const std::string& text);
  CtfEvents& increase(uint64_t ts, int64_t thread, int64_t delta, const std::string& name);
  CtfEvents& counter(uint64_t ts, int64_t thread, int64_t value, const std::string& name);
  CtfEvents& switch_to(uint64_t ts, int64_t thread);
  CtfEvents& gc(uint64_t ts, uint64_t duration_ns);
  // Any bytes at all (an unknown event id, half an event).
  CtfEvents& raw(const std::vector<uint8_t>& more);

  CtfEvents& header(uint64_t ts, uint8_t id);
  CtfEvents& u64(uint64_t v);
  CtfEvents& str(const std::string& s);
};

struct CtfPacketSpec {
  uint16_t sequence = 0;
  std::vector<uint8_t> events;
  uint32_t magic = 0xC1FC1FC1;
  bool bad_uuid = false;
  // Header content size in bits; default: header + events.
  std::optional<uint32_t> content_bits;
};

// Packets back to back, each `packet_bytes` long (0: just big enough for the
// largest packet's events), as a ring buffer file.
std::vector<uint8_t> build_ctf(const std::vector<CtfPacketSpec>& packets,
                               size_t packet_bytes = 0);

}  // namespace lurk::test
