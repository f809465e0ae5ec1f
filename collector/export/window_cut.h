// A window of time cut out of a profile as a profile of its own (lurk export
// --window, docs/sharing.md "A window of a large profile"): what a user who
// found a stall in a 100M-event profile sends on, a profile small enough to
// open in any browser that shows what the big one shows in that window.
//
// Kept whole: the sources (with their ingest errors and counts). Kept as far
// as they reach into the window: the packets, spans, instants, counter
// samples, flows (both ends inside), GC and idle periods, findings, the
// connections and threads that live in the window or that a kept row names,
// and the strings kept rows name (numbered 1, 2 ... again). Times outside the
// window are brought to its edges (a span that began before it begins at its
// start in the cut, a connection that lasted past it ends at its end), so the
// cut's timeline is the window; a counter's value at the window's start is
// its last sample before, moved to the start. The connections' statistics
// (packets and bytes each way, flags counted) stay the whole capture's. The
// lane facts are made again for the rows kept.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>

namespace lurk {

class Database;

// The window on each source's own stored times: a source drawn moved (its
// clock aligned by hand, or on a clock nobody aligned: wasm-ui's
// source_clocks.h) has its own; every other row takes `all`.
struct CutWindow {
  struct Range {
    int64_t from_ns = 0, to_ns = 0;  // inclusive
  };
  Range all;
  std::map<int64_t, Range> by_source;
  const Range& of(int64_t source_id) const {
    auto it = by_source.find(source_id);
    return it == by_source.end() ? all : it->second;
  }
};

struct CutReport {
  int64_t packets = 0, spans = 0, instants = 0, counters = 0, flows = 0;
  int64_t connections = 0, threads = 0, findings = 0;
};

// The cut of `source` (a profile opened for reading, read in one read
// transaction) into a new profile at the current schema, for
// write_exported_copy (profile_export.h): in memory, or in the file
// `scratch` (made anew; the caller removes it), whose memory is SQLite's
// page cache whatever the window holds. Throws StorageError.
std::unique_ptr<Database> cut_window(Database& source, const CutWindow& window, CutReport& report,
                                     const std::string& scratch = ":memory:");

}  // namespace lurk
