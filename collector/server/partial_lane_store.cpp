// PartialLaneStore (partial_lane_store.h): published entries, the part
// file mapped as it grows, its lanes placed and checked by the store's own
// reader (core/lane_store_format.h) and given as the finished store gives them.
#include "server/partial_lane_store.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>

#include "server/stored_lane_adopt.h"

namespace lurk::server {
namespace {

using ui::lane_store_format::aligned_up;
using ui::lane_store_format::Entry;

LaneOf lane_of(ui::lane_store_format::LaneKind kind) {
  return kind == ui::lane_store_format::LaneKind::Connection ? LaneOf::Connection
         : kind == ui::lane_store_format::LaneKind::Thread   ? LaneOf::Thread
                                                             : LaneOf::Counter;
}

uint64_t page_size() { return uint64_t(::sysconf(_SC_PAGESIZE)); }

}  // namespace

PartialLaneStore::PartialLaneStore(uint64_t reserve_bytes) : reserved_(reserve_bytes) {}

PartialLaneStore::~PartialLaneStore() {
  guard_.reset();  // before the pages it guards go
  if (base_) ::munmap(base_, size_t(reserved_));
  if (fd_ >= 0) ::close(fd_);
}

void PartialLaneStore::publish(const Entry& entry, const std::string& part, uint64_t flushed) {
  std::lock_guard<std::mutex> lock(mutex_);
  path_ = part;
  flushed_ = std::max(flushed_, flushed);
  keys_[key_of({lane_of(entry.kind), entry.index})] = published_.size();
  published_.push_back(entry);
}

bool PartialLaneStore::has(LaneKey lane) {
  std::lock_guard<std::mutex> lock(mutex_);
  return keys_.count(key_of(lane)) != 0;
}

bool PartialLaneStore::catch_up(const ui::ProfileModel& model) {
  if (broken_) return false;
  std::vector<Entry> entries;
  uint64_t flushed = 0;
  std::string path;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (published_.size() == placed_) return placed_ > 0;
    entries = published_;
    flushed = flushed_;
    path = path_;
  }
  broken_ = true;  // until the end below
  if (fd_ < 0 && (fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC)) < 0) return false;
  if (!base_) {
    // Address space only (no memory, no file): the file is mapped over it
    // as it grows, at the same addresses, so views already given stay.
    void* reserved = ::mmap(nullptr, size_t(reserved_), PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
    if (reserved == MAP_FAILED) return false;
    base_ = static_cast<char*>(reserved);
    guard_ = std::make_unique<TruncationGuard>(base_, size_t(reserved_));
  }
  uint64_t wanted = std::min(flushed, reserved_);
  if (wanted > mapped_) {
    // From the page holding the end mapped so far (mapped again: it may
    // have been the file's last, part empty then) to the page holding the end.
    const uint64_t page = page_size();
    uint64_t from = mapped_ / page * page, to = std::min(aligned_up(wanted, page), reserved_);
    if (::mmap(base_ + from, size_t(to - from), PROT_READ, MAP_SHARED | MAP_FIXED, fd_, off_t(from)) == MAP_FAILED)
      return false;
    mapped_ = wanted;
  }
  size_t count = entries.size();
  std::string why;
  if (!reader_.parse_being_written(base_, mapped_, std::move(entries), why) || !reader_.index_for(model, why))
    return false;
  placed_ = count;
  broken_ = false;
  return true;
}

bool PartialLaneStore::depth_table(const ui::StoredLane& stored, std::vector<uint32_t>& out) {
  const uint32_t* table = reader_.items<uint32_t>(stored, 1);
  out.assign(table, table + stored.count[1]);
  return true;
}

bool PartialLaneStore::load(ui::ProfileModel& model, LaneKey lane, size_t& bytes) {
  if (!has(lane) || !catch_up(model) || changed()) return false;
  std::optional<ui::StoredLane> stored;
  bool given = false;
  switch (lane.kind) {
    case LaneOf::Connection:
      if (lane.index >= model.connections().size()) return false;
      if (model.connections()[lane.index].lanes_loaded) return bytes = 0, true;
      stored = reader_.connection(model, lane.index);
      given = stored && adopt_stored_connection(*this, *stored, model, lane.index, bytes);
      break;
    case LaneOf::Thread:
      if (lane.index >= model.threads().size()) return false;
      if (model.threads()[lane.index].events_loaded) return bytes = 0, true;
      stored = reader_.thread(model, lane.index);
      given = stored && adopt_stored_thread(*this, *stored, model, lane.index, bytes);
      break;
    case LaneOf::Counter:
      if (lane.index >= model.counters().size()) return false;
      if (model.counters()[lane.index].samples_loaded) return bytes = 0, true;
      stored = reader_.counter(model, lane.index);
      given = stored && adopt_stored_counter(*this, *stored, model, lane.index, bytes);
      break;
  }
  if (given) given_[key_of(lane)] = {stored->entry->at, stored->end};
  return given;
}

// Whole pages inside the lane only: a page it shares with a neighbour that
// is still viewed stays (unmapping it would only cost a fault).
void PartialLaneStore::release(LaneKey lane) {
  auto it = given_.find(key_of(lane));
  if (it == given_.end()) return;
  const uint64_t page = page_size();
  uintptr_t begin = aligned_up(uintptr_t(base_) + it->second.first, size_t(page));
  uintptr_t end = (uintptr_t(base_) + it->second.second) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), size_t(end - begin), MADV_DONTNEED);
  given_.erase(it);
}

}  // namespace lurk::server
