// The Range header of a request for a trace (RFC 9110 section 14): parsed,
// resolved against the file's size, sorted and merged, so overlapping or
// adjacent ranges never make a response larger than the file. Too many parts
// or a malformed header are ignored (the whole file is answered, as the RFC
// allows); ranges that all lie past the end are unsatisfiable (416).
#pragma once

#include <cstdint>
#include <string_view>
#include <vector>

namespace lurk::server {

struct ByteRange {
  uint64_t first;  // inclusive
  uint64_t last;   // inclusive
  uint64_t length() const { return last - first + 1; }
};

struct RangePlan {
  enum class Kind { Whole, Partial, Unsatisfiable } kind = Kind::Whole;
  std::vector<ByteRange> ranges;  // sorted, disjoint, not adjacent (Partial only)
};

// A header with more specs than this is ignored (whole file) without merging.
inline constexpr size_t kMaxRangeSpecs = 200;
// After merging, more disjoint parts than this are not worth a multipart
// response (no reader of a profile needs them): the whole file is answered.
inline constexpr size_t kMaxRangeParts = 16;

RangePlan plan_ranges(std::string_view range_header, uint64_t size);

}  // namespace lurk::server
