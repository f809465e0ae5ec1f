// The lane store of a cold open while its background writes it
// (background_lane_store.h): the lanes already written, given to the frames
// as views of the store's part file mapped read-only, as the finished store
// gives them (lane_store.h), instead of read from the profile's rows (~250 ns
// an event stepping SQLite rows). The writer publishes each lane once its
// bytes are flushed (LaneStoreWriter::publish_to); the view's lane cache
// asks here first while it has no store (lane_cache.h), and gives a lane
// back (release) when it drops it. The file grows while it is read: the
// mapping lies in an address range reserved up front, extended over the
// bytes flushed since, so the views of lanes already given stay where they
// are. A lane whose key, time offset or depth table is not the model's, or
// which does not lie whole in the bytes flushed, is not given (the caller
// reads the rows); so is one past the reserved range.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/lane_store_format.h"
#include "core/profile_model.h"
#include "server/lane_reads.h"
#include "server/truncation_guard.h"

namespace lurk::server {

class PartialLaneStore {
 public:
  // `reserve_bytes`: the most of the part file that can be mapped (address
  // space only; default 1 TiB).
  explicit PartialLaneStore(uint64_t reserve_bytes = uint64_t(1) << 40);
  ~PartialLaneStore();
  PartialLaneStore(const PartialLaneStore&) = delete;
  PartialLaneStore& operator=(const PartialLaneStore&) = delete;

  // The writer's thread: lane `entry` lies whole in the first `flushed`
  // bytes of `part` (written and flushed).
  void publish(const ui::lane_store_format::Entry& entry, const std::string& part, uint64_t flushed);
  // The view's thread: whether the lane was published; the lane given to the
  // model (adopt_*) with the bytes it now holds; a lane given that the model
  // no longer holds (its pages unmapped from this process again). Views of
  // the mapping live as long as this: whoever holds lanes from it unloads
  // them before it goes (LaneCache::set_partial).
  bool has(LaneKey lane);
  bool load(ui::ProfileModel& model, LaneKey lane, size_t& bytes);
  void release(LaneKey lane);

  // What adopt_stored_*() (stored_lane_adopt.h) takes a lane with.
  template <typename T>
  bool array(const ui::StoredLane& stored, int k, ui::LaneArray<T>& out) {
    out = ui::LaneArray<T>::view(reader_.items<T>(stored, k), size_t(stored.count[k]));
    return true;
  }
  bool depth_table(const ui::StoredLane& stored, std::vector<uint32_t>& out);
  bool pyramid(const ui::StoredLane& stored, int k, ui::SeverityPyramid& out) {
    return reader_.pyramid(stored, k, out);
  }
  bool changed() const { return guard_ && guard_->faulted(); }

 private:
  static uint64_t key_of(LaneKey lane) { return (uint64_t(lane.kind) << 32) | lane.index; }
  // Maps the bytes flushed since the last call and places the lanes
  // published since for `model`; false when nothing can be read.
  bool catch_up(const ui::ProfileModel& model);

  std::mutex mutex_;  // guards path_, published_, keys_ and flushed_ (the writer's side)
  std::string path_;
  std::vector<ui::lane_store_format::Entry> published_;
  std::unordered_map<uint64_t, size_t> keys_;  // lane -> its entry in published_
  uint64_t flushed_ = 0;

  // The view's thread only.
  int fd_ = -1;  // opened at its first load: the part file renamed into place, or removed, stays readable
  char* base_ = nullptr;  // reserved_ bytes of address space; the file's first mapped_ bytes mapped there
  uint64_t reserved_ = 0, mapped_ = 0;
  size_t placed_ = 0;  // entries of published_ the reader knows
  bool broken_ = false;
  ui::LaneStoreReader reader_;
  std::unique_ptr<TruncationGuard> guard_;
  std::unordered_map<uint64_t, std::pair<uint64_t, uint64_t>> given_;  // lane -> its bytes [at, end), to release
};

}  // namespace lurk::server
