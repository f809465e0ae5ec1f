// One lane of a lane store given to the model (adopt_*), the same way from
// the finished store (lane_store.h) and from the one being written
// (partial_lane_store.h): its arrays as the source gives them (views of a
// mapping, or copies), its depth table and severity pyramids copied and
// checked, then the source asked whether its file changed under those reads
// before the model takes anything. `Source` gives:
//   template <typename T> bool array(const ui::StoredLane&, int k, ui::LaneArray<T>&);
//   bool depth_table(const ui::StoredLane&, std::vector<uint32_t>&);
//   bool pyramid(const ui::StoredLane&, int k, ui::SeverityPyramid&);
//   bool changed() const;
#pragma once

#include <cstddef>
#include <cstdint>
#include <utility>
#include <vector>

#include "core/lane_store_format.h"
#include "core/profile_model.h"

namespace lurk::server {

template <typename Source>
bool adopt_stored_connection(Source& source, const ui::StoredLane& stored, ui::ProfileModel& model, uint32_t index,
                             size_t& bytes) {
  ui::LaneArray<ui::PacketMark> lanes[2];
  ui::SeverityPyramid severity[2];
  if (!source.array(stored, 0, lanes[0]) || !source.array(stored, 1, lanes[1]) ||
      !source.pyramid(stored, 2, severity[0]) || !source.pyramid(stored, 3, severity[1]) || source.changed())
    return false;
  bytes = model.adopt_connection_lanes(index, std::move(lanes[0]), std::move(lanes[1]), severity,
                                       int64_t(stored.entry->counts[2]), int64_t(stored.entry->counts[3]));
  return true;
}

template <typename Source>
bool adopt_stored_thread(Source& source, const ui::StoredLane& stored, ui::ProfileModel& model, uint32_t index,
                         size_t& bytes) {
  ui::LaneArray<ui::SpanRecord> spans, running;
  std::vector<uint32_t> depth_begin;
  ui::LaneArray<ui::InstantRecord> instants;
  ui::SeverityPyramid instant_severity;
  if (!source.array(stored, 0, spans) || !source.depth_table(stored, depth_begin) ||
      !source.array(stored, 2, running) || !source.array(stored, 3, instants) ||
      !source.pyramid(stored, 4, instant_severity) || source.changed())
    return false;
  bytes = model.adopt_thread_events(index, std::move(spans), std::move(depth_begin), std::move(running),
                                    std::move(instants), std::move(instant_severity));
  return true;
}

template <typename Source>
bool adopt_stored_counter(Source& source, const ui::StoredLane& stored, ui::ProfileModel& model, uint32_t index,
                          size_t& bytes) {
  ui::LaneArray<ui::CounterSample> samples;
  if (!source.array(stored, 0, samples) || source.changed()) return false;
  bytes = model.adopt_counter_samples(index, std::move(samples));
  return true;
}

}  // namespace lurk::server
