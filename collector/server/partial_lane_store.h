// The lane store of a cold open while its background writes it
// (background_lane_store.h): the lanes already written, read back by the
// frames from the store's part file instead of from the profile's rows (a
// copy out of the page cache and the lane's pyramids worked out again,
// against ~250 ns an event stepping SQLite rows). The writer publishes each
// lane once its bytes are flushed (LaneStoreWriter::publish_to); the view's
// lane cache asks here first while it has no store (lane_cache.h). A lane
// whose key or time offset is not the model's, or whose bytes cannot be
// read whole, is not given (the caller reads the rows).
#pragma once

#include <cstdint>
#include <mutex>
#include <string>
#include <unordered_map>

#include "core/lane_store_format.h"
#include "core/profile_model.h"
#include "server/lane_reads.h"

namespace lurk::server {

class PartialLaneStore {
 public:
  PartialLaneStore() = default;
  ~PartialLaneStore();
  PartialLaneStore(const PartialLaneStore&) = delete;
  PartialLaneStore& operator=(const PartialLaneStore&) = delete;

  // The writer's thread: lane `entry` lies whole in `part` (flushed).
  void publish(const ui::lane_store_format::Entry& entry, const std::string& part);
  // The view's thread: whether the lane was published, and the lane given
  // to the model (adopt_*) with the bytes it now holds.
  bool has(LaneKey lane);
  bool load(ui::ProfileModel& model, LaneKey lane, size_t& bytes);

 private:
  static uint64_t key_of(LaneKey lane) { return (uint64_t(lane.kind) << 32) | lane.index; }
  std::mutex mutex_;  // guards path_ and entries_
  std::string path_;
  std::unordered_map<uint64_t, ui::lane_store_format::Entry> entries_;
  int fd_ = -1;  // the view's, opened at its first load
};

}  // namespace lurk::server
