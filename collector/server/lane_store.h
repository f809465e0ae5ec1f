// A profile's lanes as a lazy model (wasm-ui/core/profile_model.h,
// load_outline) holds them, kept in lurk's cache directory beside the lane
// summary (lanes-HASH.store next to lanes-HASH.bin, lane_summary_file.h), so
// that `lurk view --native` reads a lane from one contiguous run of bytes
// instead of one SQLite row (a b-tree page of a table where the lanes are
// interleaved) per event: at 100M events that read cost about 300 ns an event
// and was most of every frame that showed new lanes.
//
// It is written once, in the pass that makes the summary (which reads every
// lane anyway for the whole profile's minimap): each lane's arrays exactly as
// the model holds them once read through the per-lane indexes (packets by
// time, spans by depth then start with their depth table, running periods,
// instants, counter samples), so a lane taken from the store *is* the lane
// the profile gives, and frames drawn from it are the same bytes. With them
// what the model works out from a lane when it takes it (the packet lanes'
// and the instants' severity pyramids, the retransmission and duplicate-ACK
// counts), so that reading a lane back is a copy only: working them out again
// was a quarter of a 10M session's instructions (bench/RESULTS.md).
//
// Format (a cache, read only by the lurk that wrote it, and by the page it
// serves it to: core/lane_store_format.h, little-endian fixed-size fields):
// a magic line, the profile's identity (path, size, modification times:
// profile_identity()), the lanes' arrays one after the other (each at an
// offset aligned for its items, so that it is copied straight out of a
// read-only mapping of the file), the lane summary of the lazy model it was
// written from (the page makes the same model from it: page_lanes.h), then
// an index (one entry per lane: which lane, its key in the profile, the
// time offset its times are relative to, where its arrays are and how long;
// each packet lane's and the instants' severity pyramid levels follow the
// lane's arrays), then the index's position and a closing magic.
// A store of
// another profile, of a changed one, of an older format, a truncated or
// damaged one (sizes, offsets and kept severities checked) is not used
// (the lanes are then read from the profile as before, and lurk says why on
// stderr); a lane whose key or time offset differs from the model's (clock
// shifts given by hand) is read from the profile.
#pragma once

#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/lane_store_format.h"
#include "core/profile_model.h"
#include "core/range_counts.h"
#include "server/truncation_guard.h"

namespace lurk::server {

class PartialLaneStore;

std::filesystem::path lane_store_path(const std::filesystem::path& profile);

// Why no lane store of `profile` can be made now (its cache directory cannot
// be made or written), "" when one can, or one is there to be checked.
std::string lane_store_unwritable(const std::filesystem::path& profile);

// The format and its reader are core/lane_store_format.h's (the page reads
// the same bytes); these names are the server's for them.
namespace lane_store_detail {
using LaneKind = ui::lane_store_format::LaneKind;
using Entry = ui::lane_store_format::Entry;
}  // namespace lane_store_detail

// Writes the store while the summary's pass reads each lane into the model.
class LaneStoreWriter {
 public:
  // `identity`: the profile's state the model was read from (lane_summary_file.h,
  // profile_identity; the current one when empty), which the store is then
  // of: a background that reads an earlier state than the file's now must
  // not label its store with the later one.
  LaneStoreWriter(const std::filesystem::path& profile, const ui::ProfileModel& model,
                  const std::string& identity = "");
  ~LaneStoreWriter();
  // Each lane once, while the model holds it.
  void add_connection(uint32_t index);
  void add_thread(uint32_t index);
  void add_counter(uint32_t index);
  // Writes the index and puts the file in place; "" or why there is no store.
  std::string finish();
  // Each lane added from now on is flushed and published to `partial`
  // (partial_lane_store.h: a cold open's frames read it back meanwhile).
  void publish_to(std::shared_ptr<PartialLaneStore> partial) { partial_ = std::move(partial); }

 private:
  template <typename T>
  void put(const T* items, size_t count);
  template <typename T>
  void put(const std::vector<T>& items) { put(items.data(), items.size()); }
  template <typename T>
  void put(const ui::LaneArray<T>& items) { put(items.data(), items.size()); }
  void put(const ui::SeverityPyramid& pyramid);
  void put_bytes(const void* data, size_t size);
  void added(const lane_store_detail::Entry& e);
  const ui::ProfileModel& model_;
  std::shared_ptr<PartialLaneStore> partial_;
  std::filesystem::path path_, part_;
  std::FILE* out_ = nullptr;
  uint64_t at_ = 0;
  std::string problem_;
  std::vector<lane_store_detail::Entry> entries_;
};

// An open store (mapped read-only): the model's lanes are views of its
// mapping (ui::LaneArray::view: nothing copied, a frame's reads fault in only
// the pages it touches), or, with set_copying(true), copies as before. Only
// the severity pyramids (checked value by value) and depth tables are
// copied. Views live as long as the store: whoever holds lanes from it
// unloads them before it goes (LaneCache::set_store).
class LaneStore {
 public:
  // The store of `profile` when there is a usable one for `model`; otherwise
  // nullptr and `why` says why ("" when there simply is none). `identity`:
  // the state of the profile `model` was read from (the current one when empty).
  static std::unique_ptr<LaneStore> open(const std::filesystem::path& profile, const ui::ProfileModel& model,
                                         std::string& why, const std::string& identity = "");
  ~LaneStore();
  // Gives the model the lane (adopt_*) and returns true with the bytes it now
  // holds; false when the store cannot give it (the caller reads the profile).
  bool load_connection(ui::ProfileModel& model, uint32_t index, size_t& bytes);
  bool load_thread(ui::ProfileModel& model, uint32_t index, size_t& bytes);
  bool load_counter(ui::ProfileModel& model, uint32_t index, size_t& bytes);
  uint64_t file_bytes() const { return size_; }
  // Whether a lane the model does not hold has an event in [t0, t1] (the
  // model's relative times: idle rows hidden), answered by a binary search
  // of its array in the mapping: what the lane once loaded answers
  // (ProfileModel::packets_in, samples_in), with no query of the profile
  // (at 100M, each was a seek in a 7 GB file). nullopt: the store cannot
  // say (no such lane, or an entry that does not match the model's).
  std::optional<bool> packets_in(const ui::ProfileModel& model, uint32_t connection, int dir, double t0,
                                 double t1) const;
  std::optional<bool> samples_in(const ui::ProfileModel& model, uint32_t counter, double t0, double t1) const;
  // Every lane's events in [t0, t1] (a measured range, core/range_counts.h),
  // counted by binary searches of the lanes' arrays in the mapping; a lane
  // the store cannot give is counted from the model when it holds it.
  // nullopt: a lane neither can (the caller says there are no counts).
  std::optional<ui::RangeCounts> count_range(const ui::ProfileModel& model, double t0, double t1) const;
  // A lane's packets (direction `dir`) or instants, wherever they are: the
  // store's mapping, else the model's lane when it holds it; nullopt when
  // neither has them.
  template <typename T>
  struct Items {
    const T* data = nullptr;
    size_t size = 0;
  };
  std::optional<Items<ui::PacketMark>> packets_of(const ui::ProfileModel& model, uint32_t connection, int dir) const;
  std::optional<Items<ui::InstantRecord>> instants_of(const ui::ProfileModel& model, uint32_t thread) const;
  std::optional<Items<ui::SpanRecord>> spans_of(const ui::ProfileModel& model, uint32_t thread) const;
  // Where each depth's spans begin (ThreadLane::depth_begin).
  std::optional<Items<uint32_t>> depth_table_of(const ui::ProfileModel& model, uint32_t thread) const;
  // After a scan of a thread's arrays through spans_of / instants_of: the
  // pages it touched go again unless the model views them (a search reads
  // every lane; its memory should stay the lanes held).
  void scanned_thread(const ui::ProfileModel& model, uint32_t thread) const;
  // Lanes copied into the model instead of viewed (the earlier path; the
  // tests compare the two frame for frame).
  void set_copying(bool copying) { copying_ = copying; }
  // A lane the model no longer holds: its pages unmapped from this process
  // (they stay in the page cache), so that its memory is the lanes held.
  void release_connection(uint32_t index) { release_lane(LaneKindOf::Connection, index); }
  void release_thread(uint32_t index) { release_lane(LaneKindOf::Thread, index); }
  void release_counter(uint32_t index) { release_lane(LaneKindOf::Counter, index); }
  // Whether the file changed under the mapping since it was opened (its
  // size or modification time; cut short in place by another process, or
  // a read found a page past its end): then nothing more is read from it
  // (the caller drops it; lanes already taken are copies and stay good).
  bool changed() const;

 private:
  LaneStore() = default;
  using LaneKindOf = lane_store_detail::LaneKind;
  template <typename T>
  bool read(uint64_t& at, uint64_t count, std::vector<T>& out);
  void release_lane(LaneKindOf kind, uint32_t index);
  template <typename T, typename Held>
  std::optional<Items<T>> thread_items(const ui::ProfileModel& model, uint32_t thread, int k, const Held& held) const;
  // The pages of the file's bytes [at, end) unmapped from this process.
  void release_bytes(uint64_t at, uint64_t end) const;
  // What adopt_stored_*() (stored_lane_adopt.h) takes a lane with: array k
  // of `stored` as a view of the mapping (a copy when copying_), its depth
  // table copied, the severity pyramid kept as array k (false when it holds
  // a value no mark kind has).
  template <typename T>
  bool array(const ui::StoredLane& stored, int k, ui::LaneArray<T>& out);
  bool depth_table(const ui::StoredLane& stored, std::vector<uint32_t>& out);
  bool pyramid(const ui::StoredLane& stored, int k, ui::SeverityPyramid& out);
  template <typename Source>
  friend bool adopt_stored_connection(Source&, const ui::StoredLane&, ui::ProfileModel&, uint32_t, size_t&);
  template <typename Source>
  friend bool adopt_stored_thread(Source&, const ui::StoredLane&, ui::ProfileModel&, uint32_t, size_t&);
  template <typename Source>
  friend bool adopt_stored_counter(Source&, const ui::StoredLane&, ui::ProfileModel&, uint32_t, size_t&);
  const char* map_ = nullptr;  // the whole file, mapped read-only (size_ bytes)
  uint64_t size_ = 0;
  int fd_ = -1;                 // kept open: changed() asks it for the file's size
  int64_t mtime_ns_ = 0;        // the file's modification time when opened
  // A truncation between changed() and a read: the read gets zeros, not
  // SIGBUS, and is thrown away (truncation_guard.h).
  std::unique_ptr<TruncationGuard> guard_;
  ui::LaneStoreReader reader_;  // finds and checks every lane in the mapping
  // Where each lane's arrays end (known once it was loaded: release_lane()).
  std::vector<uint64_t> connection_ends_, thread_ends_, counter_ends_;
  bool copying_ = false;
};

}  // namespace lurk::server
