#include "importers/ctf_stream.h"

#include <span>
#include <string>

#include <nlohmann/json.hpp>

#include "importers/ctf_reader.h"
#include "ingest/ingest_context.h"

namespace lurk {
namespace {

// A header is magic (4) + UUID (16): next_header looks at offsets with 20
// bytes after them, so the last 19 may still begin one.
constexpr size_t kHeaderProbeBytes = 20;

}  // namespace

CtfStream::CtfStream(IngestContext& ctx, size_t max_packet_bytes)
    : ctx_(ctx), rows_(ctx), max_packet_bytes_(max_packet_bytes) {}

void CtfStream::report(uint64_t offset, const std::string& kind, const std::string& message) {
  ctx_.report_error(offset, std::nullopt, kind, message);
}

void CtfStream::feed(const char* data, size_t size) {
  pending_.insert(pending_.end(), reinterpret_cast<const uint8_t*>(data),
                  reinterpret_cast<const uint8_t*>(data) + size);
  read_packets();
  // Keep only what is not yet a whole packet (at most one packet).
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(pos_));
  base_ += pos_;
  pos_ = 0;
}

void CtfStream::read_packets() {
  std::span<const uint8_t> data(pending_);
  ctf::DamageReport damage = [this](uint64_t offset, const std::string& kind,
                                    const std::string& message) {
    report(base_ + offset, kind, message);
  };
  for (;;) {
    if (searching_) {
      std::optional<uint64_t> next = ctf::next_header(data, pos_);
      if (!next) {
        if (data.size() - pos_ >= kHeaderProbeBytes) pos_ = data.size() - (kHeaderProbeBytes - 1);
        return;
      }
      pos_ = *next;
      searching_ = false;
    }
    if (data.size() - pos_ < ctf::kPacketHeaderSize) return;
    std::optional<uint64_t> declared = ctf::declared_packet_bytes(data, pos_);
    if (declared && *declared > max_packet_bytes_) {
      report(base_ + pos_ + 20, "bad-packet-size",
             "packet " + std::to_string(index_) + ": declares " + std::to_string(*declared) +
                 " bytes, more than a live stream's " + std::to_string(max_packet_bytes_) +
                 "; packet skipped");
      ++index_;
    } else if (declared && data.size() - pos_ < *declared) {
      return;  // the rest of the packet is on its way
    } else {
      uint64_t packet_bytes = 0;
      std::optional<ctf::Packet> packet =
          ctf::read_packet_header(data, pos_, index_, damage, packet_bytes);
      ++index_;
      if (packet) {
        rows_.packet(data, *packet, base_);
        pos_ += packet_bytes;
        continue;
      }
    }
    // The header cannot be trusted, nor its size: look for the next one.
    searching_ = true;
    searching_from_ = base_ + pos_;
    pos_ += 1;
  }
}

std::string CtfStream::checkpoint() const {
  nlohmann::json state{{"rows", rows_.checkpoint()},
                       {"packet_index", index_},
                       {"searching", searching_},
                       {"searching_from", searching_from_}};
  return state.dump();
}

void CtfStream::restore(const std::string& state_text, std::vector<ThreadRow> threads) {
  nlohmann::json state = nlohmann::json::parse(state_text);
  rows_.restore(state.at("rows"), std::move(threads));
  index_ = state.at("packet_index").get<size_t>();
  searching_ = state.at("searching").get<bool>();
  searching_from_ = state.at("searching_from").get<uint64_t>();
}

void CtfStream::finish() {
  std::span<const uint8_t> rest = std::span<const uint8_t>(pending_).subspan(pos_);
  uint64_t rest_at = base_ + pos_;
  if (searching_) {
    uint64_t end = base_ + pending_.size();
    report(searching_from_, "no-packet-header",
           "no packet header (magic and UUID) after byte offset " +
               std::to_string(searching_from_) + "; " + std::to_string(end - searching_from_) +
               " bytes skipped");
  } else if (!rest.empty()) {
    // A stream ending inside a packet: what ingest does with a file cut there.
    ctf::DamageReport damage = [this, rest_at](uint64_t offset, const std::string& kind,
                                               const std::string& message) {
      report(rest_at + offset, kind, message);
    };
    for (const ctf::Packet& packet : ctf::find_packets(rest, damage, index_))
      rows_.packet(rest, packet, rest_at);
  }
  pos_ = pending_.size();
  rows_.finish();
}

}  // namespace lurk
