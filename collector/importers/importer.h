// The one interface every input format implements: a cheap "does this look
// like mine?" on the first bytes, then a streaming import that hands what it
// reads to the trackers in an IngestContext. Importers never write SQL and
// never exit the process: damage is reported through the context and the
// import carries on where it safely can.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>

namespace lurk {

class ByteSource;
class IngestContext;

class Importer {
 public:
  virtual ~Importer() = default;
  // Stable short name, stored in sources.format ("pcap", "pcapng", "ctf", ...).
  virtual std::string_view format() const = 0;
  // True when `head` (the first bytes of the input, up to kSniffBytes) is this format.
  virtual bool sniff(std::span<const uint8_t> head) const = 0;
  // Reads the whole input. Damage goes to ctx.report_error(); only failures of
  // the output (SQLite) throw.
  virtual void import(ByteSource& in, IngestContext& ctx) const = 0;
};

inline constexpr size_t kSniffBytes = 4096;

// The importer whose sniff() accepts `head`, or nullptr. Formats are tried in
// a fixed order, most specific magic first.
const Importer* find_importer(std::span<const uint8_t> head);

}  // namespace lurk
