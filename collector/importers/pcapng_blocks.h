// The pieces of a pcapng file below the block loop: byte order of a section,
// option lists, interface descriptions with their timestamp resolution, and
// the three packet block layouts (enhanced, simple, obsolete). Pure functions
// over one block's bytes, so the importer (pcapng_importer.cpp) only frames
// blocks and decides what to keep. Layouts follow the pcapng draft
// (draft-ietf-opsawg-pcapng).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "ingest/byte_view.h"

namespace lurk::pcapng {

enum BlockType : uint32_t {
  kSectionHeader = 0x0A0D0D0A,  // a palindrome: readable before the byte order is known
  kInterfaceDescription = 1,
  kObsoletePacket = 2,
  kSimplePacket = 3,
  kNameResolution = 4,
  kInterfaceStatistics = 5,
  kEnhancedPacket = 6,
};

inline constexpr uint32_t kByteOrderMagic = 0x1A2B3C4D;
inline constexpr uint16_t kOptEndOfOptions = 0;
inline constexpr uint16_t kOptComment = 1;      // on every block that has options
inline constexpr uint16_t kOptIfTsresol = 9;    // interface description only
inline constexpr uint16_t kOptIfTsoffset = 14;  // interface description only

// Every function below reads one block's bytes through a ByteView in the
// byte order of its section (the view's order), so no field is read past the
// block.

// The byte order whose magic starts `bytes` (4 bytes), if any.
std::optional<Endian> byte_order_from_magic(ByteView bytes);

struct Option {
  uint16_t code = 0;
  std::span<const uint8_t> value;
};

struct OptionList {
  std::vector<Option> options;
  std::string problem;  // non-empty when the list was broken; options before it are kept
  std::vector<std::string> comments() const;
};

// Walks an option list (code, length, value padded to 4 bytes) up to
// opt_endofopt or the end of `bytes`.
OptionList parse_options(ByteView bytes);

// An interface's timestamp unit: 10^-exponent or 2^-exponent seconds.
struct TimeResolution {
  uint8_t exponent = 6;  // the default: microseconds
  bool power_of_two = false;
};

// The if_tsresol byte decoded, or nullopt when its unit is finer than lurk can
// hold in 64 bits (10^-19 and 2^-63 are the finest it accepts).
std::optional<TimeResolution> parse_tsresol(uint8_t value);

// Nanoseconds since the epoch of `units` ticks plus `offset_s` seconds, the
// fraction rounded down as Wireshark does; nullopt when it does not fit.
std::optional<int64_t> timestamp_ns(uint64_t units, TimeResolution resolution, int64_t offset_s);

struct InterfaceDescription {
  uint32_t link_type = 0;
  uint32_t snaplen = 0;  // 0: no limit
  TimeResolution resolution;
  int64_t ts_offset_s = 0;
  std::vector<std::string> comments;
  std::string problem;  // non-empty when the block or its options were damaged
  bool usable_time = true;  // false when if_tsresol is one lurk cannot use
};

// `body` is the block without its type, length and trailing length.
std::optional<InterfaceDescription> parse_interface(ByteView body);

struct PacketBlock {
  uint32_t interface_id = 0;
  std::optional<uint64_t> ts_units;  // simple packet blocks carry no timestamp
  uint32_t captured_len = 0, original_len = 0;
  std::span<const uint8_t> data;
  std::vector<std::string> comments;
  std::string options_problem;  // non-empty when the options were damaged
};

// Decodes an enhanced, simple or obsolete packet block body. On failure
// returns nullopt and explains in `problem`. `if0_snaplen` is the snaplen of
// the section's first interface, which bounds a simple packet block.
std::optional<PacketBlock> parse_packet_block(uint32_t type, ByteView body,
                                              uint32_t if0_snaplen, std::string& problem);

}  // namespace lurk::pcapng
