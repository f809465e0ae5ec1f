// The lane store's format and its one reader: the native server maps the
// file (collector/server/lane_store.h, which also writes it) and the page
// fetches it into the wasm heap (web/lurk-page.js, /trace.lanes); both find
// and check every lane here, against the byte length, before any view of
// its bytes is made, so a damaged or hostile store is refused the same way.
//
// Layout (little-endian fixed-size fields; lane_store.h says why): the magic
// line, the profile's identity (its length, then its bytes), the lanes'
// arrays (each aligned for its items), the lane summary the lazy model was
// made from (core/lane_summary.h, without its minimap: what a page needs to
// make the same model), its length, the index (one Entry per lane) and the
// Footer (the index's place and size, a closing magic).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/lane_summary.h"

namespace lurk::ui {

class ProfileModel;
class SeverityPyramid;

namespace lane_store_format {

// v4: the lane summary kept before the index (the page makes its model from it).
inline constexpr char kMagic[16] = "lurk-store v4\n";
inline constexpr char kEnd[16] = "lurk-store end\n";

enum class LaneKind : uint32_t { Connection = 1, Thread = 2, Counter = 3 };
// One lane's place in the store (trivially copyable: written as is).
struct Entry {
  LaneKind kind = LaneKind::Connection;
  uint32_t index = 0;          // in the model's connections(), threads() or counters()
  int64_t key0 = 0, key1 = 0;  // connection or thread id (0); counter name, key
  int64_t offset_ns = 0;       // the absolute time the lane's times count from
  uint64_t at = 0;             // byte offset of its first array
  // Connection: packets A→B, B→A, retransmissions, duplicate ACKs; thread:
  // spans, depth table, running periods, instants; counter: samples.
  uint64_t counts[4] = {};
};

struct Footer {
  uint64_t index_at = 0, entries = 0;
  char end[16] = {};
};

inline uint64_t aligned_up(uint64_t at, size_t alignment) { return (at + alignment - 1) / alignment * alignment; }

// Whether every byte is a mark kind's number (a kept severity pyramid's level).
bool all_mark_kinds(const uint8_t* bytes, size_t count);

// The summary's bytes as kept in the store (its minimap left out).
std::string encode_summary(const LaneSummary& summary);

}  // namespace lane_store_format

// Where one lane's arrays lie in the store, found and checked: `at[k]` the
// byte offset of array k (aligned), `count[k]` its items, every one inside
// the lanes' bytes. Connection: the two packet arrays, then the two
// severity pyramids (count: the lane's items; levels one after the other);
// thread: spans, depth table, running periods, instants, the instants'
// pyramid; counter: samples.
struct StoredLane {
  const lane_store_format::Entry* entry = nullptr;
  uint64_t at[5] = {}, count[5] = {};
  uint64_t end = 0;  // past its last byte
};

// A store's bytes (a mapping or a buffer that outlives this), parsed.
class LaneStoreReader {
 public:
  // Checks the magic, the identity (when `identity` is given: the native
  // server knows the profile's; the page checks the summary's last row ids
  // against its profile instead), the footer, the index and the summary
  // against `size`. False with `why` when any does not hold.
  bool parse(const char* bytes, uint64_t size, const std::string* identity, std::string& why);
  // A store still being written (collector/server/partial_lane_store.h):
  // `bytes` its first `lanes_end` bytes (the head and the lanes written so
  // far), `entries` the lanes that lie whole in them; no summary, no index.
  // False with `why` when the head is not a store's or an entry lies outside.
  bool parse_being_written(const char* bytes, uint64_t lanes_end, std::vector<lane_store_format::Entry> entries,
                           std::string& why);
  // Places the entries by the model's lane indexes; false when one names no
  // lane of `model` (another profile's store).
  bool index_for(const ProfileModel& model, std::string& why);
  const LaneSummary& summary() const { return summary_; }
  const char* bytes() const { return bytes_; }
  uint64_t size() const { return size_; }
  uint64_t lanes_end() const { return lanes_end_; }

  // The lane's arrays, when its entry is the model's lane (same key, same
  // time offset) and they lie in the store; nullopt otherwise. A thread's
  // depth table is checked too (it indexes its spans, its depth count is
  // the layout's).
  std::optional<StoredLane> connection(const ProfileModel& model, uint32_t index) const;
  std::optional<StoredLane> thread(const ProfileModel& model, uint32_t index) const;
  std::optional<StoredLane> counter(const ProfileModel& model, uint32_t index) const;
  const lane_store_format::Entry* entry(lane_store_format::LaneKind kind, uint32_t index) const;

  // The items of array k of `lane` (a pointer into the bytes).
  template <typename T>
  const T* items(const StoredLane& lane, int k) const {
    return reinterpret_cast<const T*>(bytes_ + lane.at[k]);
  }
  // Array k of `lane` as a severity pyramid (copied, each value checked).
  bool pyramid(const StoredLane& lane, int k, SeverityPyramid& out) const;
  // Bytes of a pyramid of `items` items (its levels one after the other).
  static uint64_t pyramid_bytes(uint64_t items);

 private:
  // `count` items of T at `at` (aligned first, then advanced past them),
  // when inside the lanes' bytes.
  template <typename T>
  bool place(uint64_t& at, uint64_t count, StoredLane& lane, int k) const;
  bool place_pyramid(uint64_t& at, uint64_t items, StoredLane& lane, int k) const;
  bool decode_summary(uint64_t at, uint64_t length, std::string& why);
  // The magic and the identity (checked when given) at the start of `size`
  // bytes, of which `tail` must follow them; sets head_.
  bool parse_head(const char* bytes, uint64_t size, uint64_t tail, const std::string* identity, std::string& why);
  bool entries_inside(std::string& why) const;
  const char* bytes_ = nullptr;
  uint64_t size_ = 0, lanes_end_ = 0, head_ = 0;
  std::vector<lane_store_format::Entry> entries_;
  std::vector<const lane_store_format::Entry*> connections_, threads_, counters_;  // by model index
  LaneSummary summary_;
};

}  // namespace lurk::ui
