// ProfileModel::load_with_store (profile_model.h): the page's whole model
// with its lanes as views of the lane store it fetched (core/
// lane_store_format.h), the small tables from SQLite. At 10M events,
// stepping the bulk tables' rows out of SQLite in the wasm was most of the
// page's open (bench/RESULTS.md, issue 15); here each lane is a pointer and
// a size, and only the severity pyramids and depth tables are copied.
#include <string>

#include "core/lane_store_format.h"
#include "core/profile_model.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {

std::optional<ProfileModel> ProfileModel::load_with_store(Database& db, LaneStoreReader& store, std::string& why) {
  const LaneSummary& summary = store.summary();
  ProfileModel model = load_outline(db, summary);
  // The store was made from this state of the profile: the same last row
  // of each bulk table (a profile grown or replaced since has others).
  const LoadedIds& ids = model.loaded_;
  if (summary.last_ids.packets != ids.packets || summary.last_ids.spans != ids.spans ||
      summary.last_ids.instants != ids.instants || summary.last_ids.counters != ids.counters) {
    why = "it was made from another state of the profile (its last rows differ)";
    return std::nullopt;
  }
  if (!store.index_for(model, why)) return std::nullopt;
  auto refuse = [&](const char* what, size_t index) {
    why = std::string("its ") + what + " lane " + std::to_string(index) + " is not this profile's or lies outside it";
    return std::nullopt;
  };
  for (uint32_t c = 0; c < model.connections_.size(); ++c) {
    std::optional<StoredLane> lane = store.connection(model, c);
    SeverityPyramid severity[2];
    if (!lane || !store.pyramid(*lane, 2, severity[0]) || !store.pyramid(*lane, 3, severity[1]))
      return refuse("connection", c);
    model.adopt_connection_lanes(
        c, LaneArray<PacketMark>::view(store.items<PacketMark>(*lane, 0), size_t(lane->count[0])),
        LaneArray<PacketMark>::view(store.items<PacketMark>(*lane, 1), size_t(lane->count[1])), severity,
        int64_t(lane->entry->counts[2]), int64_t(lane->entry->counts[3]));
  }
  for (uint32_t t = 0; t < model.threads_.size(); ++t) {
    std::optional<StoredLane> lane = store.thread(model, t);
    SeverityPyramid instant_severity;
    if (!lane || !store.pyramid(*lane, 4, instant_severity)) return refuse("thread", t);
    const uint32_t* depths = store.items<uint32_t>(*lane, 1);
    model.adopt_thread_events(t, LaneArray<SpanRecord>::view(store.items<SpanRecord>(*lane, 0), size_t(lane->count[0])),
                              std::vector<uint32_t>(depths, depths + lane->count[1]),
                              LaneArray<SpanRecord>::view(store.items<SpanRecord>(*lane, 2), size_t(lane->count[2])),
                              LaneArray<InstantRecord>::view(store.items<InstantRecord>(*lane, 3), size_t(lane->count[3])),
                              std::move(instant_severity));
    ThreadLane& thread = model.threads_[t];
    thread.args_loaded = thread.spans.empty() && thread.running.empty() && thread.instants.empty();
  }
  for (uint32_t c = 0; c < model.counters_.size(); ++c) {
    std::optional<StoredLane> lane = store.counter(model, c);
    if (!lane) return refuse("counter", c);
    model.adopt_counter_samples(
        c, LaneArray<CounterSample>::view(store.items<CounterSample>(*lane, 0), size_t(lane->count[0])));
    model.counter_keys_.emplace_back(int64_t(model.counters_[c].name), model.counters_[c].key);
  }
  // A whole model from here on: nothing is unloaded, search reads every lane.
  model.lazy_ = false;
  return model;
}

}  // namespace lurk::ui
