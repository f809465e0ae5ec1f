// One flow (an arrow between two lanes: a span and the span or packet it
// led to) as the model holds it: its own header because the lane summary
// (lane_summary.h) keeps a profile's flows too.
#pragma once

#include <cstdint>

namespace lurk::ui {

struct FlowRecord {
  int64_t from_ns = 0, to_ns = 0;
  int32_t from_thread = -1, to_thread = -1;  // thread lane index, -1: none
  uint32_t kind = 0;                         // string index
  // A flow between a thread and a packet (tcp-send: to it, tcp-receive:
  // from it): the packet lane, connection index * 2 + direction; -1: none.
  int32_t packet_lane = -1;
};
static_assert(sizeof(FlowRecord) == 32, "flow records stay compact");

}  // namespace lurk::ui
