// The rows of a mirage-profile CTF trace, packet by packet: each decoded
// event is handed to the LwtThreadModel (threads, spans, flows, counters) and
// counted by type. Shared by the file importer, which hands it the ring's
// packets once reordered (ctf_importer.cpp), and the live stream, which hands
// it packets as a stack sends them (ctf_stream.h), so both make the same rows.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "importers/ctf_reader.h"
#include "trace/lwt_thread_model.h"
#include "trace/thread_tracker.h"

namespace lurk {

class IngestContext;

class CtfRows {
 public:
  explicit CtfRows(IngestContext& ctx);

  // Decodes the events of `packet` (offsets in `data`; damage is reported
  // `base` bytes further, where `data` starts in the input).
  void packet(std::span<const uint8_t> data, const ctf::Packet& packet, uint64_t base = 0);
  // Writes the thread rows changed since the last flush (a live batch commit).
  void flush() { tracker_.flush(); }
  // The end of the trace: threads still open, counts per event type
  // ('event.<name>', 'packets', 'never_resolved' in source_counters).
  void finish();
  int64_t events() const { return events_; }

  // The state between packets (the model's and the counts), and taking it
  // back with the source's thread rows: a live CTF stream continued in the
  // same source after a collector's restart (docs/live.md).
  nlohmann::json checkpoint() const;
  void restore(const nlohmann::json& state, std::vector<ThreadRow> threads);

 private:
  IngestContext& ctx_;
  ThreadTracker tracker_;
  LwtThreadModel model_;
  std::array<int64_t, ctf::kEventIdCount> per_type_{};
  int64_t events_ = 0, packets_ = 0;
};

}  // namespace lurk
