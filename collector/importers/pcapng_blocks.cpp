// The pcapng block pieces (pcapng_blocks.h), every field read through ByteView.
#include "importers/pcapng_blocks.h"

namespace lurk::pcapng {
namespace {

size_t padded4(size_t n) { return (n + 3) & ~size_t(3); }

// Fixed part of the packet blocks before their data.
constexpr size_t kEnhancedFixed = 20;  // interface, ts high, ts low, captured, original
constexpr size_t kObsoleteFixed = 20;  // interface(16), drops(16), ts high, ts low, captured, original
constexpr size_t kSimpleFixed = 4;     // original length

void take_options(ByteView rest, PacketBlock& block) {
  OptionList options = parse_options(rest);
  block.comments = options.comments();
  block.options_problem = options.problem;
}

}  // namespace

std::optional<Endian> byte_order_from_magic(ByteView bytes) {
  for (Endian order : {Endian::Little, Endian::Big})
    if (bytes.with_order(order).u32(0) == kByteOrderMagic) return order;
  return std::nullopt;
}

std::vector<std::string> OptionList::comments() const {
  std::vector<std::string> out;
  for (const Option& o : options)
    if (o.code == kOptComment)
      out.emplace_back(reinterpret_cast<const char*>(o.value.data()), o.value.size());
  return out;
}

OptionList parse_options(ByteView bytes) {
  OptionList list;
  size_t at = 0;
  while (at < bytes.size()) {
    std::optional<uint16_t> code = bytes.u16(at), length = bytes.u16(at + 2);
    if (!code || !length) {
      list.problem = "option header cut short: " + std::to_string(bytes.size() - at) +
                     " bytes left where 4 were expected";
      break;
    }
    if (*code == kOptEndOfOptions) break;
    size_t value_at = at + 4;
    std::optional<std::span<const uint8_t>> value = bytes.bytes(value_at, *length);
    if (!value || !bytes.has(value_at, padded4(*length))) {
      list.problem = "option " + std::to_string(*code) + " claims " + std::to_string(*length) +
                     " bytes but only " + std::to_string(bytes.size() - value_at) +
                     " remain in the block";
      break;
    }
    list.options.push_back({*code, *value});
    at = value_at + padded4(*length);
  }
  return list;
}

std::optional<TimeResolution> parse_tsresol(uint8_t value) {
  TimeResolution r;
  r.power_of_two = (value & 0x80) != 0;
  r.exponent = value & 0x7f;
  if (r.power_of_two ? r.exponent > 63 : r.exponent > 19) return std::nullopt;
  return r;
}

std::optional<int64_t> timestamp_ns(uint64_t units, TimeResolution r, int64_t offset_s) {
  unsigned __int128 per_second = 1;
  if (r.power_of_two) {
    per_second <<= r.exponent;
  } else {
    for (int i = 0; i < r.exponent; ++i) per_second *= 10;
  }
  unsigned __int128 seconds = units / per_second;
  unsigned __int128 fraction_ns = (units % per_second) * 1'000'000'000u / per_second;
  __int128 total = static_cast<__int128>(seconds) + offset_s;
  total = total * 1'000'000'000 + static_cast<__int128>(fraction_ns);
  if (total > INT64_MAX || total < INT64_MIN) return std::nullopt;
  return static_cast<int64_t>(total);
}

std::optional<InterfaceDescription> parse_interface(ByteView body) {
  std::optional<uint16_t> link_type = body.u16(0);  // then 2 reserved bytes
  std::optional<uint32_t> snaplen = body.u32(4);
  if (!link_type || !snaplen) return std::nullopt;
  InterfaceDescription d;
  d.link_type = *link_type;
  d.snaplen = *snaplen;
  OptionList options = parse_options(body.rest(8));
  d.problem = options.problem;
  d.comments = options.comments();
  for (const Option& o : options.options) {
    ByteView value(o.value, body.order());
    if (o.code == kOptIfTsresol && !value.empty()) {
      std::optional<TimeResolution> r = parse_tsresol(*value.u8(0));
      if (r) {
        d.resolution = *r;
      } else {
        d.usable_time = false;
        d.problem = "if_tsresol " + std::to_string(*value.u8(0)) +
                    " asks for a unit finer than 10^-19 or 2^-63 seconds";
      }
    } else if (o.code == kOptIfTsoffset) {
      if (std::optional<uint64_t> offset = value.u64(0))
        d.ts_offset_s = static_cast<int64_t>(*offset);
    }
  }
  return d;
}

namespace {

// A simple packet block: no captured length field, the data is the original
// length cut to the interface's snaplen and to what the block holds.
std::optional<PacketBlock> parse_simple_packet(ByteView body, uint32_t if0_snaplen,
                                               std::string& problem) {
  PacketBlock block;
  std::optional<uint32_t> original = body.u32(0);
  if (!original) {
    problem = "simple packet block too short for its original length field";
    return std::nullopt;
  }
  block.original_len = *original;
  size_t room = body.size() - kSimpleFixed;
  size_t captured = block.original_len;
  if (if0_snaplen != 0 && captured > if0_snaplen) captured = if0_snaplen;
  if (captured > room) captured = room;
  block.captured_len = static_cast<uint32_t>(captured);
  block.data = *body.bytes(kSimpleFixed, captured);
  return block;
}

}  // namespace

std::optional<PacketBlock> parse_packet_block(uint32_t type, ByteView body,
                                              uint32_t if0_snaplen, std::string& problem) {
  if (type == kSimplePacket) return parse_simple_packet(body, if0_snaplen, problem);
  PacketBlock block;
  size_t fixed = type == kEnhancedPacket ? kEnhancedFixed : kObsoleteFixed;
  std::optional<uint32_t> interface_id;  // 32 bits in enhanced blocks, 16 in obsolete ones
  if (type == kEnhancedPacket) interface_id = body.u32(0);
  else if (std::optional<uint16_t> id16 = body.u16(0)) interface_id = *id16;
  std::optional<uint32_t> ts_high = body.u32(4), ts_low = body.u32(8), captured = body.u32(12),
                          original = body.u32(16);
  if (!interface_id || !ts_high || !ts_low || !captured || !original) {
    problem = "packet block of " + std::to_string(body.size() + 12) +
              " bytes is too short for its " + std::to_string(fixed) + "-byte fixed fields";
    return std::nullopt;
  }
  block.interface_id = *interface_id;
  block.ts_units = uint64_t(*ts_high) << 32 | *ts_low;
  block.captured_len = *captured;
  block.original_len = *original;
  std::optional<std::span<const uint8_t>> data = body.bytes(fixed, block.captured_len);
  if (!data) {
    problem = "captured length " + std::to_string(block.captured_len) +
              " is larger than the " + std::to_string(body.size() - fixed) +
              " bytes the block holds";
    return std::nullopt;
  }
  block.data = *data;
  size_t options_at = fixed + padded4(block.captured_len);
  if (options_at < body.size()) take_options(body.rest(options_at), block);
  return block;
}

}  // namespace lurk::pcapng
