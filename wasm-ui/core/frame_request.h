// What the timeline panel asks a frame source for (core/frame_source.h): the
// screen geometry and visible window, the row-layout options and the
// highlights, as plain values. In server-backed viewing (`lurk view
// --native`, docs/server.md) it travels as the query of GET /frame, so it
// has a text form and a strict parser: every parameter is checked for range
// and form, and a bad one is refused naming the parameter and what was
// expected (the server answers 400 with that text).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "core/item_ref.h"
#include "core/timeline_frame.h"
#include "core/timeline_layout.h"

namespace lurk::ui {

struct FrameRequest {
  FrameView view;                          // window (relative ns) and geometry (CSS px)
  bool packed = true, hide_idle = true;    // row layout (timeline_layout.h)
  std::optional<uint32_t> keep_group;      // shown even when idle
  std::vector<bool> counters_open;         // per group
  std::vector<bool> collapsed;             // per group
  std::optional<uint32_t> selected_group;  // highlighted group
  ItemRef selected;
  std::optional<std::pair<double, double>> measure;  // relative ns
  std::string search;                      // the `/` query ("" for none)
  bool operator==(const FrameRequest& o) const;
};

struct FrameRequestError : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};

// Limits a request must stay within (also what a remote source sends).
constexpr double kMaxFramePixels = 16384;   // width, height, offsets of the panel
constexpr double kMaxScrollPixels = 1e8;
constexpr double kMaxAbsTimeNs = 1e19;      // relative times (a few centuries)
constexpr size_t kMaxGroupFlags = 1'000'000;
constexpr size_t kMaxSearchBytes = 256;

// The query text ("t0=...&t1=...&...") for GET /frame.
std::string frame_request_query(const FrameRequest& request);
// Parses that text; throws FrameRequestError naming the bad parameter.
FrameRequest parse_frame_request(const std::string& query);

// GET /item?sel=KIND.LANE.INDEX.COUNT: the details of one item of a remote
// frame (its data is in the native process only). The query for `item`, and
// its parser (throws FrameRequestError; a token parameter is let through).
std::string item_request_query(const ItemRef& item);
ItemRef parse_item_request(const std::string& query);

// GET /measure?t0=..&t1=..: the events of every lane in a measured range
// (relative ns, t0 <= t1; core/range_counts.h), counted by the native
// process (the page's outline holds none). The query, and its parser
// (throws FrameRequestError; a token parameter is let through).
std::string measure_request_query(double t0, double t1);
std::pair<double, double> parse_measure_request(const std::string& query);

// GET /mark?dir=1&t=..[&sel=K.L.I.C][&g=N]: `]` (dir 1) or `[` (dir 0) in
// server-backed viewing, the page's outline knowing no flagged packet: the
// finding mark after / before the current one (the selection, when it is a
// mark) or the window's centre `t`, within group `g` when given
// (core/finding_marks.h). The query and its parser (throws FrameRequestError).
struct MarkRequest {
  bool forward = true;
  double t_ns = 0;
  ItemRef current;
  std::optional<uint32_t> group;
  // Not empty: a step through this `/` query's matches (Enter / shift+Enter),
  // not the finding marks.
  std::string search;
  bool operator==(const MarkRequest& o) const {
    return forward == o.forward && t_ns == o.t_ns && current == o.current &&
           (!current || current.count == o.current.count) && group == o.group && search == o.search;
  }
};
std::string mark_request_query(const MarkRequest& request);
MarkRequest parse_mark_request(const std::string& query);

// GET /samples?c=ID: the packets of the connection with profile id ID, for
// its graphs (core/sample_wire.h).
std::string samples_request_query(int64_t connection_id);
int64_t parse_samples_request(const std::string& query);

// GET /finding?id=ID: where the finding with profile id ID takes the
// timeline (core/finding_target.h), worked out where its lanes are.
std::string finding_request_query(int64_t finding_id);
int64_t parse_finding_request(const std::string& query);

}  // namespace lurk::ui
