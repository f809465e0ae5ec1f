// Packet framing, ring order and event decoding of mirage-profile CTF.
// Little-endian, no alignment: every field is read through a ByteView at its
// offset, so no length in the file can make a read leave the buffer.
#include "importers/ctf_reader.h"

#include <algorithm>
#include <cstdio>
#include <iterator>
#include <optional>

#include "ingest/byte_view.h"

namespace lurk::ctf {
namespace {

std::string packet_name(size_t index) { return "packet " + std::to_string(index); }

bool has_trace_uuid(const ByteView& data, uint64_t at) {
  std::optional<std::span<const uint8_t>> uuid = data.bytes(at, kTraceUuid.size());
  return uuid && std::equal(uuid->begin(), uuid->end(), kTraceUuid.begin());
}

bool header_matches(std::span<const uint8_t> data, uint64_t at) {
  ByteView bytes(data);
  return bytes.u32(at) == kMagic && has_trace_uuid(bytes, at + 4);
}


// Reads fixed-size fields and NUL-ended strings in order, within one
// packet's content (a ByteView of it); every read says whether the bytes
// were there.
class Cursor {
 public:
  // [pos, end) of `data`; an end past the data is cut to it.
  Cursor(std::span<const uint8_t> data, uint64_t pos, uint64_t end)
      : content_(content_of(data, pos, end)) {}
  uint64_t pos() const { return content_.offset_of(at_); }
  uint64_t left() const { return content_.size() - at_; }
  bool u64(uint64_t& out) { return take(content_.u64(at_), 8, out); }
  bool i64(int64_t& out) {
    uint64_t v;
    if (!u64(v)) return false;
    out = static_cast<int64_t>(v);
    return true;
  }
  bool u8(uint8_t& out) { return take(content_.u8(at_), 1, out); }
  bool str(std::string_view& out) {
    std::span<const uint8_t> rest = *content_.bytes(at_, left());
    auto nul = std::find(rest.begin(), rest.end(), uint8_t(0));
    if (nul == rest.end()) return false;
    size_t length = size_t(nul - rest.begin());
    out = std::string_view(reinterpret_cast<const char*>(rest.data()), length);
    at_ += length + 1;
    return true;
  }

 private:
  static ByteView content_of(std::span<const uint8_t> data, uint64_t pos, uint64_t end) {
    uint64_t stop = std::min<uint64_t>(end, data.size());
    if (pos >= stop) return ByteView({}, Endian::Little, pos);
    return *ByteView(data).sub(pos, stop - pos);
  }
  template <typename T, typename Out>
  bool take(std::optional<T> value, size_t bytes, Out& out) {
    if (!value) return false;
    out = *value;
    at_ += bytes;
    return true;
  }
  ByteView content_;
  size_t at_ = 0;
};

// The fields after the event id; false when they run past the content.
bool read_fields(Cursor& c, Event& e) {
  switch (e.id) {
    case EventId::Creates:
      return c.i64(e.thread) && c.i64(e.other) && c.u8(e.thread_type);
    case EventId::Read:
    case EventId::Fulfills:
    case EventId::Becomes:
    case EventId::Signal:
    case EventId::TryRead:
    case EventId::ReadNoSwitch:
    case EventId::SignalNoSwitch:
      return c.i64(e.thread) && c.i64(e.other);
    case EventId::Fails:
      return c.i64(e.thread) && c.i64(e.other) && c.str(e.text);
    case EventId::Label:
      return c.i64(e.thread) && c.str(e.text);
    case EventId::Increase:
    case EventId::Counter:
      return c.i64(e.thread) && c.i64(e.value) && c.str(e.text);
    case EventId::Switch:
      return c.i64(e.thread);
    case EventId::Gc:
      return c.i64(e.value);
  }
  return false;
}

// Checks one packet header at `at`; returns the packet, or reports why not.
std::optional<Packet> read_header(std::span<const uint8_t> data, uint64_t at, size_t index,
                                  const DamageReport& report, uint64_t& packet_bytes) {
  // Callers make sure the 30 header bytes are there; the view checks anyway.
  ByteView h = ByteView(data).rest(at);
  std::string where = packet_name(index);
  if (uint32_t magic = h.u32(0).value_or(0); magic != kMagic) {
    char found[16];
    std::snprintf(found, sizeof found, "0x%08X", magic);
    report(at, "bad-magic",
           where + ": expected the CTF magic 0xC1FC1FC1, found " + found + "; packet skipped");
    return std::nullopt;
  }
  if (!has_trace_uuid(h, 4)) {
    report(at + 4, "bad-uuid",
           where + ": the trace UUID is not mirage-profile's 05883b8d-521a-487b-b397-456ab150680c;"
                   " packet skipped");
    return std::nullopt;
  }
  uint64_t size_bits = h.u32(20).value_or(0), content_bits = h.u32(26).value_or(0);
  if (size_bits % 8 != 0 || size_bits / 8 < kPacketHeaderSize) {
    report(at + 20, "bad-packet-size",
           where + ": packet size " + std::to_string(size_bits) +
               " bits is not a whole number of bytes of at least 30; packet skipped");
    return std::nullopt;
  }
  packet_bytes = size_bits / 8;
  Packet packet;
  packet.index = index;
  packet.offset = at;
  packet.sequence = h.u16(24).value_or(0);
  uint64_t content = content_bits / 8;
  if (content_bits % 8 != 0 || content < kPacketHeaderSize || content > packet_bytes) {
    // Reading on to the packet size would decode its zero padding as events.
    report(at + 26, "bad-content-size",
           where + ": content size " + std::to_string(content_bits) +
               " bits must be whole bytes between the 30-byte header and the packet size (" +
               std::to_string(size_bits) + " bits); packet skipped");
    content = kPacketHeaderSize;
  }
  packet.events_end = at + content;
  return packet;
}

}  // namespace

std::optional<uint64_t> next_header(std::span<const uint8_t> data, uint64_t from) {
  for (uint64_t at = from; at + 20 <= data.size(); ++at)
    if (data[at] == 0xC1 && header_matches(data, at)) return at;
  return std::nullopt;
}

std::optional<Packet> read_packet_header(std::span<const uint8_t> data, uint64_t at, size_t index,
                                         const DamageReport& report, uint64_t& packet_bytes) {
  return read_header(data, at, index, report, packet_bytes);
}

std::optional<uint64_t> declared_packet_bytes(std::span<const uint8_t> data, uint64_t at) {
  if (data.size() < at + kPacketHeaderSize || !header_matches(data, at)) return std::nullopt;
  uint64_t size_bits = ByteView(data).u32(at + 20).value_or(0);
  if (size_bits % 8 != 0 || size_bits / 8 < kPacketHeaderSize) return std::nullopt;
  return size_bits / 8;
}

std::string_view event_name(EventId id) {
  static constexpr std::string_view kNames[kEventIdCount] = {
      "creates", "read",   "fulfills", "fails",    "becomes",        "label",
      "increase", "switch", "gc",       "signal",   "try_read",       "counter",
      "read_no_switch",     "signal_no_switch"};
  auto i = static_cast<size_t>(id);
  return i < kEventIdCount ? kNames[i] : "unknown";
}

std::string_view thread_type_name(uint8_t type) {
  static constexpr std::string_view kTypes[] = {
      "Wait",          "Task",       "Bind",           "Try",    "Choose",  "Pick",     "Join",
      "Map",           "Condition",  "On_success",     "On_failure", "On_termination", "On_any",
      "Ignore_result", "Async",      "Promise",        "Semaphore",  "Switch", "Stream", "Mutex"};
  return type < std::size(kTypes) ? kTypes[type] : "unknown";
}

std::vector<Packet> find_packets(std::span<const uint8_t> data, const DamageReport& report,
                                 size_t first_index) {
  std::vector<Packet> packets;
  uint64_t at = 0;
  for (size_t index = first_index; at < data.size(); ++index) {
    if (data.size() - at < kPacketHeaderSize) {
      report(at, "truncated-packet",
             packet_name(index) + ": expected a 30-byte packet header, the file ends after " +
                 std::to_string(data.size() - at) + " bytes");
      break;
    }
    uint64_t packet_bytes = 0;
    if (auto packet = read_header(data, at, index, report, packet_bytes)) {
      uint64_t available = data.size() - at;
      if (packet_bytes > available) {
        report(at, "truncated-packet",
               packet_name(index) + ": declares " + std::to_string(packet_bytes) +
                   " bytes, the file ends after " + std::to_string(available));
        packet->events_end = std::min<uint64_t>(packet->events_end, data.size());
      }
      packets.push_back(*packet);
      at += packet_bytes;
      continue;
    }
    // The header cannot be trusted, nor its size: look for the next one.
    std::optional<uint64_t> next = next_header(data, at + 1);
    if (!next) {
      report(at, "no-packet-header",
             "no packet header (magic and UUID) after byte offset " + std::to_string(at) + "; " +
                 std::to_string(data.size() - at) + " bytes skipped");
      break;
    }
    at = *next;
  }
  return packets;
}

void order_ring(std::vector<Packet>& packets) {
  if (packets.empty()) return;
  uint16_t oldest = packets.front().sequence;
  for (size_t i = 1; i < packets.size(); ++i) {
    uint16_t jump = static_cast<uint16_t>(packets[i].sequence - packets[i - 1].sequence);
    if (jump > 0x8000) {
      oldest = packets[i].sequence;
      break;
    }
  }
  std::stable_sort(packets.begin(), packets.end(), [oldest](const Packet& a, const Packet& b) {
    return static_cast<uint16_t>(a.sequence - oldest) < static_cast<uint16_t>(b.sequence - oldest);
  });
}

size_t decode_packet(std::span<const uint8_t> data, const Packet& packet,
                     const std::function<void(const Event&)>& on_event,
                     const DamageReport& report) {
  Cursor c(data, packet.offset + kPacketHeaderSize, packet.events_end);
  size_t decoded = 0;
  std::string where = packet_name(packet.index) + " (sequence " +
                      std::to_string(packet.sequence) + ")";
  while (c.left() > 0) {
    Event e;
    e.offset = c.pos();
    uint8_t id = 0;
    if (!c.u64(e.ts_ns) || !c.u8(id)) {
      report(e.offset, "torn-event",
             where + ": expected a 9-byte event header (timestamp, id), only " +
                 std::to_string(packet.events_end - e.offset) +
                 " bytes remain before the end of the packet content");
      break;
    }
    if (id >= kEventIdCount) {
      report(e.offset, "unknown-event",
             where + ": unknown event id " + std::to_string(id) + " (0-13 expected); the rest " +
                 "of the packet (" + std::to_string(packet.events_end - e.offset) +
                 " bytes) is skipped");
      break;
    }
    e.id = static_cast<EventId>(id);
    if (!read_fields(c, e)) {
      report(e.offset, "torn-event",
             where + ": the " + std::string(event_name(e.id)) + " event runs past the end of " +
                 "the packet content at byte offset " + std::to_string(packet.events_end) +
                 "; the rest of the packet is skipped");
      break;
    }
    on_event(e);
    ++decoded;
  }
  return decoded;
}

}  // namespace lurk::ctf
