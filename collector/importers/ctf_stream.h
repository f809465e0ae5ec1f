// A mirage-profile CTF trace read as its bytes arrive (docs/live.md): a
// stack sends each packet of its ring buffer when it is written, oldest
// first, so packets are decoded in the order they come (no ring reordering)
// as soon as one is whole. The packet header says where the next packet
// starts (its size); damage is found and reported by the same code as
// `lurk ingest` uses (ctf_reader.h) and the rows come from the same CtfRows.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "importers/ctf_rows.h"

namespace lurk {

class IngestContext;

class CtfStream {
 public:
  // A packet declaring more than this is taken for damage (and skipped)
  // rather than waited for: it bounds what one sender makes us hold.
  static constexpr size_t kMaxPacketBytes = 16 * 1024 * 1024;

  explicit CtfStream(IngestContext& ctx, size_t max_packet_bytes = kMaxPacketBytes);

  // The bytes fed from now on start at `offset` of the stream (after a hello
  // line and the metadata), so reported offsets count from its first byte.
  void start_at(uint64_t offset) { base_ = offset; }
  void feed(const char* data, size_t size);
  // Writes the thread rows changed since the last flush (a batch commit).
  void flush() { rows_.flush(); }
  // The end of the stream: a last packet cut short is decoded as far as it
  // goes and reported (truncated-packet), as `lurk ingest` does for a file.
  void finish();
  // The end when the stream was cut: a packet not yet whole is dropped.
  void finish_without_partial_packet() { rows_.finish(); }

  // Stream bytes up to the end of the last whole packet (or skipped damage):
  // what a commit holds.
  uint64_t complete_bytes() const { return base_ + pos_; }
  // The reader's state at complete_bytes() (JSON text), and a stream that
  // goes on from there in a new connection (a collector restarted on its
  // profile: docs/live.md, "Exactly once"), given that state and the
  // thread rows its source holds. Throws on a state it cannot read.
  std::string checkpoint() const;
  void restore(const std::string& state, std::vector<ThreadRow> threads);
  size_t held_bytes() const { return pending_.size() - pos_; }
  int64_t events() const { return rows_.events(); }

 private:
  void read_packets();
  void report(uint64_t offset, const std::string& kind, const std::string& message);

  IngestContext& ctx_;
  CtfRows rows_;
  size_t max_packet_bytes_;
  std::vector<uint8_t> pending_;  // bytes not yet part of a whole packet
  size_t pos_ = 0;                // in pending_: where the next packet starts
  uint64_t base_ = 0;             // stream offset of pending_[0]
  size_t index_ = 0;              // packets seen, damaged ones too
  bool searching_ = false;        // after a bad header: looking for the next one
  uint64_t searching_from_ = 0;   // stream offset of that bad header
};

}  // namespace lurk
