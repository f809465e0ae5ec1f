// How deep a span is drawn: its stored depth clamped to 0..kMaxSpanDepth (a
// hostile or broken trace cannot ask for a million rows), and how many rows
// of depth a thread's spans take (the deepest, plus one). One rule for the
// model (wasm-ui/core), the lane summary and the writer's lane facts
// (storage/lane_facts.h), which must agree for a lane's height: in C++ and,
// for the passes that count in SQLite, as an SQL expression.
#pragma once

#include <algorithm>
#include <cstdint>

namespace lurk {

constexpr int64_t kMaxSpanDepth = 1000;

constexpr int64_t clamped_span_depth(int64_t depth) { return std::clamp<int64_t>(depth, 0, kMaxSpanDepth); }
constexpr int64_t span_depth_rows(int64_t depth) { return clamped_span_depth(depth) + 1; }

// span_depth_rows of the column `depth`, in SQL (kMaxSpanDepth spelled out).
#define LURK_SQL_SPAN_DEPTH_ROWS "(min(max(depth, 0), 1000) + 1)"
static_assert(kMaxSpanDepth == 1000, "LURK_SQL_SPAN_DEPTH_ROWS spells the maximum out");

}  // namespace lurk
