// What a capture already in the profile gives the traces `lurk collect`
// writes into it, batch by batch (docs/live.md, "Analysis while the data
// arrives"): the user ingested the capture of a run (`lurk ingest
// run.pcap -o run.lurk`) and collects the stack's trace of the same run into
// that profile. Captures are not collected and `lurk ingest` cannot write a
// profile a collector holds, so the captures are the profile's at start.
//
// For the traces on Unix time (`"clock":"unix-ns"`, the C header's), whose
// times need no alignment, each batch does what the stop pass does, with its
// code: a trace connection the batch wrote is merged with the capture's
// connection that is the same (same_as; join/connection_merge.h), before
// the joiner decides the batch's threads; and each traced segment the batch
// wrote that names its thread gets its flow to the captured frame of the
// same segment, or to its own row when no capture saw it
// (join/packet_flows.h). A trace on a clock of its own gets both once its
// clock is aligned: which frame is its segment's, and which connection its
// connection is, depend on its offset. The batches' traced segments are
// matched to the captured frames as they come, and once they match, the
// offset is decided as the stop pass would on them (live_clock_offsets.h)
// and applied: the source's rows so far shifted once (shift_source_times,
// the cost of the source so far), its later rows by the writer as it writes
// them (the caller hands the offset to TraceWriter::set_live_offset), its
// connections so far merged and its segments so far given their flows. An
// offset that moves (more segments, a median farther than their spread)
// shifts the rows once more and makes the source's merges and flows again.
// A source with no segment matched (a mirage-profile CTF stream: no segment
// events) gets its offset the same way from its connect/close labels so far
// (live_label_offsets.h), against the captures' SYN and FIN times.
// (With no capture, every trace's flows end at its own rows, on any clock,
// and are written live too.)
//
// Two sets of connections, as in the stop pass: a trace connection merges
// into any connection not of a lurk JSONL trace (MergeTargets, the whole
// pass's rule), while flows end only at frames of pcap/pcapng captures
// (kCaptureFormats): a CTF or Chrome trace's own packet rows are no frames,
// and with no capture source the flows of every clock end at their rows.
//
// Cost: the batch's connections and traced segments, each looked up by
// endpoints in memory; a captured connection's frames are read once, the
// first time a trace's segment names its endpoints (memory: the frames of
// the captured connections the traces share). The last batch undoes the
// merges, as the joiner its links, so the stop pass decides every merge on
// the final clocks (the flows it rewrites whole anyway).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "join/connection_merge.h"
#include "join/join_decision.h"
#include "join/segment_matching.h"
#include "live/batch_rows.h"
#include "live/live_clock_offsets.h"
#include "live/live_label_offsets.h"
#include "storage/lane_facts.h"

namespace lurk {
class Database;
}

namespace lurk::live {

class LiveCaptureJoins {
 public:
  explicit LiveCaptureJoins(Database& db);  // reads the captures' connections
  LiveCaptureJoins(const LiveCaptureJoins&) = delete;
  LiveCaptureJoins& operator=(const LiveCaptureJoins&) = delete;

  // A source's clock offset decided (or moved) in a batch.
  struct OffsetChange {
    int64_t source_id = 0, offset_ns = 0;
    int64_t delta_ns = 0;  // how far its rows so far moved
  };
  // In the batch's transaction, its rows written, before the joiner: clock
  // offsets, merges and flows as above. Returns the trace connections merged
  // in this batch; `offsets` gets the offsets decided in it, which the
  // caller gives the writer before the next batch's rows are written.
  std::vector<int64_t> update(const BatchRows& rows, std::vector<OffsetChange>& offsets);
  // The last batch: the merges made here are undone.
  void undo_merges();

 private:
  bool on_unix_clock(int64_t source_id);
  // A stored time of the source on its own clock (its applied offset taken
  // off); nothing for a source on Unix time (said by its first evidence).
  std::optional<int64_t> own_time(int64_t source_id, int64_t stored_ts);
  // On Unix time, or on a clock of its own whose offset was decided here.
  bool aligned(int64_t source_id);
  // The batch's traced segments of sources on a clock of their own whose
  // endpoints a capture has, given to offsets_; the sources they are of.
  std::set<int64_t> match_segments(const IdRange& packets);
  // The batch's labels of sources on a clock of their own, given to
  // labels_; the sources they are of.
  std::set<int64_t> match_labels(const IdRange& instants);
  // Shifts the source's rows to the decided offset, records it (clock_how
  // `how`), and makes its merges and flows of rows before `first_of_batch`
  // (again, when it moved).
  void apply_offset(int64_t source_id, int64_t offset_ns, const ClockEvidence& evidence,
                    const char* how, int64_t first_of_batch, std::vector<int64_t>& merged);
  void merge(const std::set<int64_t>& connections, std::vector<int64_t>& merged);
  // The traced segments that name their thread, of the rows `condition`
  // (on packets p, with ?1 and ?2) picks.
  void write_flows(const std::string& condition, int64_t first, int64_t second);
  // The captured frames with this segment identity, of the captured
  // connections with these endpoints (read once per pair of endpoints).
  const std::vector<TracedSegment::Frame>& frames(const std::string& pair, const std::string& identity);

  Database& db_;
  ClientIsns capture_isns_;
  MergeTargets merge_targets_;
  // The pcap/pcapng captures' connections by endpoint_pair_key, in id order:
  // the ones whose packets are frames.
  std::multimap<std::string, int64_t> captured_;
  std::unordered_map<int64_t, bool> unix_clock_;  // per source, once it has rows
  // Per source on a clock of its own: false when its times are Unix time
  // after all (the stop pass then takes it for a Unix clock: no live offset).
  std::unordered_map<int64_t, bool> own_clock_;
  LiveClockOffsets offsets_;  // the segments' evidence, and every applied offset
  std::optional<LiveLabelOffsets> labels_;  // with captures: the labels' evidence
  std::unordered_set<std::string> pairs_read_;
  std::unordered_map<std::string, std::vector<TracedSegment::Frame>> frames_;  // by identity
  std::vector<int64_t> merged_;  // every merge made here
  LaneFacts facts_;              // the flows written here (lane_facts' count)
};

}  // namespace lurk::live
