// One clock for every source (docs/clocks.md). Captures stamp frames with
// Unix time; a stack's trace may use a clock of its own (a unikernel's
// monotonic clock, time since boot). After each ingest this pass puts every
// source it can on the captures' clock, from the evidence in the profile:
//   1. tcp-segments / handshake-isn: the stack's own segment events matched
//      to captured frames (segment_matching.h); the median time difference;
//   2. labels: a trace's connect/accept and close labels matched to the SYN
//      and FIN times of the capture's connections (the offset most of them
//      agree on, and only when one offset wins);
//   3. unix-clock: times that are Unix time already (a trace whose header
//      says so, or whose times fall in 2000-2100).
// The offset is added to every stored time of the source, and recorded with
// how it was found in sources.clock_offset_ns / clock_how / clock_evidence.
// A source with no evidence keeps its own clock ('not-aligned'): the UI
// gives it an axis of its own. An offset set by hand ('manual') is kept.
#pragma once

#include <cstdint>

namespace lurk {

class Database;

struct ClockSummary {
  int64_t aligned = 0;      // sources given an offset in this run
  int64_t not_aligned = 0;  // sources left on a clock of their own
};

// Runs in a savepoint of its own (storage/savepoint.h): atomic alone, or part
// of the ingest's transaction.
ClockSummary align_clocks(Database& db);

// Sets a source's offset by hand (lurk ingest --clock-offset): its times
// become its own times + offset_ns. Links the joiner made by time for its
// threads are undone, so that the joiner makes them again on the new clock.
// Throws StorageError when there is no such source. Own savepoint.
void set_clock_offset(Database& db, int64_t source_id, int64_t offset_ns);

// Puts a source back on its own clock, not aligned (offset 0, clock_how
// ''), its merges and the links the joiner made by time undone: `lurk
// collect` resuming a stream into a source an earlier run aligned (its stop
// pass, or a live decision before a kill). The resumed rows come on the
// source's own clock; this run decides its offset again on all of them.
void take_back_clock_offset(Database& db, int64_t source_id);

// Adds delta_ns to every stored time of one source (packets, connections,
// threads, spans, instants, counters, flows between its threads, periods,
// capture findings). The caller holds the transaction.
void shift_source_times(Database& db, int64_t source_id, int64_t delta_ns);

// True for a time that can only be Unix time in nanoseconds (2000-2100): no
// monotonic clock has counted 30 years.
bool looks_like_unix_ns(int64_t ts_ns);

}  // namespace lurk
