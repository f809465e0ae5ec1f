// Reading the bytes of a mirage-profile CTF ring buffer (docs/ctf.md,
// ../shared/formats/mirage-profile-ctf.md): packet headers, ring order, and
// the events inside each packet. It knows nothing of Lwt semantics or of the
// tables; damage is handed to a callback with the byte offset where it is.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace lurk::ctf {

inline constexpr uint32_t kMagic = 0xC1FC1FC1;
inline constexpr size_t kPacketHeaderSize = 30;
// Every mirage-profile trace carries this UUID (it is fixed in its metadata).
inline constexpr std::array<uint8_t, 16> kTraceUuid = {0x05, 0x88, 0x3b, 0x8d, 0x52, 0x1a,
                                                       0x48, 0x7b, 0xb3, 0x97, 0x45, 0x6a,
                                                       0xb1, 0x50, 0x68, 0x0c};

enum class EventId : uint8_t {
  Creates = 0,
  Read = 1,
  Fulfills = 2,
  Fails = 3,
  Becomes = 4,
  Label = 5,
  Increase = 6,
  Switch = 7,
  Gc = 8,
  Signal = 9,
  TryRead = 10,
  Counter = 11,
  ReadNoSwitch = 12,
  SignalNoSwitch = 13,
};
inline constexpr int kEventIdCount = 14;

// The event's name as babeltrace prints it (ids 12 and 13 are not in the
// published metadata: "read_no_switch", "signal_no_switch").
std::string_view event_name(EventId id);
// Lwt thread type names; anything unknown is "unknown".
std::string_view thread_type_name(uint8_t type);

// One decoded event. Which fields are meaningful depends on `id`.
struct Event {
  uint64_t offset = 0;  // byte offset of the event's timestamp in the input
  uint64_t ts_ns = 0;
  EventId id = EventId::Switch;
  int64_t thread = -1;      // the event's thread (not for gc); -1: none / idle
  int64_t other = -1;       // child, source, resolvee, or what `thread` becomes
  uint8_t thread_type = 0;  // creates
  int64_t value = 0;        // increase delta, counter value, gc duration (ns)
  std::string_view text;    // exception, label, counter name (points into the input)
};

// A packet whose header is sound.
struct Packet {
  size_t index = 0;         // position in the file, 0-based, counting damaged ones too
  uint64_t offset = 0;      // byte offset of its header
  uint64_t events_end = 0;  // byte offset just past its content
  uint16_t sequence = 0;
};

// Damage: where (byte offset in the input), a short stable kind, and a
// message saying what was expected and what was found.
using DamageReport =
    std::function<void(uint64_t offset, const std::string& kind, const std::string& message)>;

// The packets of the buffer in file order. Packets with a bad magic, UUID or
// size are reported and skipped (the next header is searched for). Packets
// are numbered from `first_index` (a live stream's last packets: after those
// already read).
std::vector<Packet> find_packets(std::span<const uint8_t> data, const DamageReport& report,
                                 size_t first_index = 0);

// For bytes that arrive a packet at a time (a live stack's stream,
// importers/ctf_stream.h):
// The first offset at or after `from` where a packet header (magic + UUID)
// starts, if one is in `data`.
std::optional<uint64_t> next_header(std::span<const uint8_t> data, uint64_t from);
// The packet size the header at `at` declares, when its magic, UUID and size
// are sound (nothing is reported): how many bytes to wait for.
std::optional<uint64_t> declared_packet_bytes(std::span<const uint8_t> data, uint64_t at);
// Checks the header at `at` (30 bytes must be there) and reports what is
// wrong with it, as find_packets does; the packet's content ends at most at
// its declared end, which the caller makes sure is in `data`.
std::optional<Packet> read_packet_header(std::span<const uint8_t> data, uint64_t at, size_t index,
                                         const DamageReport& report, uint64_t& packet_bytes);

// Puts packets in ring order, oldest first: the packet whose sequence number
// jumps by more than 0x8000 (mod 65536) from its predecessor in file order is
// the oldest; the others follow by sequence number counted from it.
void order_ring(std::vector<Packet>& packets);

// Decodes the events of one packet in order. An unknown event id or an event
// that runs past the packet's content is reported, and the rest of the packet
// is skipped. Returns how many events were decoded.
size_t decode_packet(std::span<const uint8_t> data, const Packet& packet,
                     const std::function<void(const Event&)>& on_event,
                     const DamageReport& report);

}  // namespace lurk::ctf
