// Recomputes spans.depth of some threads from the spans' times alone: on
// each thread, spans ordered by start (longest first, then lower depth, then
// id) nest inside every earlier span that has not ended yet. The importers
// compute the same depth as spans arrive (TimeNesting); this is the fallback
// for the threads whose spans arrived out of that order, so only they are
// read back. Streams each thread's spans in index order; memory is bounded
// by the nesting depth and by the spans of one thread that start together.
#pragma once

#include <cstdint>
#include <vector>

namespace lurk {

class TraceWriter;

// Returns how many spans changed depth.
int64_t renest_spans(TraceWriter& writer, const std::vector<int64_t>& thread_ids);

}  // namespace lurk
