// PartialLaneStore (partial_lane_store.h): published entries, and lanes
// read back by pread at the offsets LaneStoreWriter put their arrays at.
#include "server/partial_lane_store.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <optional>
#include <type_traits>
#include <vector>

#include "net/time_arith.h"

namespace lurk::server {
namespace {

using ui::lane_store_format::aligned_up;
using ui::lane_store_format::Entry;

// `count` items at `at` (aligned for them first, as the writer put them;
// then advanced past them), read whole or not at all.
template <typename T>
bool read_array(int fd, uint64_t& at, uint64_t count, std::vector<T>& out) {
  static_assert(std::is_trivially_copyable_v<T>);
  at = aligned_up(at, alignof(T));
  if (count > (uint64_t(1) << 40) / sizeof(T)) return false;
  out.resize(size_t(count));
  char* to = reinterpret_cast<char*>(out.data());
  size_t left = size_t(count) * sizeof(T);
  uint64_t from = at;
  while (left > 0) {
    ssize_t n = ::pread(fd, to, left, off_t(from));
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    to += n, from += uint64_t(n), left -= size_t(n);
  }
  at += count * sizeof(T);
  return true;
}

// The time a lane's stored times count from, as LaneStoreWriter keeps it.
int64_t stored_offset_of(const ui::ProfileModel& model, int64_t display_shift_ns) {
  return saturating_sub(model.origin_ns(), display_shift_ns);
}

}  // namespace

PartialLaneStore::~PartialLaneStore() {
  if (fd_ >= 0) ::close(fd_);
}

void PartialLaneStore::publish(const Entry& entry, const std::string& part) {
  std::lock_guard<std::mutex> lock(mutex_);
  path_ = part;
  LaneOf kind = entry.kind == ui::lane_store_format::LaneKind::Connection ? LaneOf::Connection
                : entry.kind == ui::lane_store_format::LaneKind::Thread   ? LaneOf::Thread
                                                                          : LaneOf::Counter;
  entries_[key_of({kind, entry.index})] = entry;
}

bool PartialLaneStore::has(LaneKey lane) {
  std::lock_guard<std::mutex> lock(mutex_);
  return entries_.count(key_of(lane)) != 0;
}

bool PartialLaneStore::load(ui::ProfileModel& model, LaneKey lane, size_t& bytes) {
  Entry e;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = entries_.find(key_of(lane));
    if (it == entries_.end()) return false;
    e = it->second;
    // Opened once: the part file renamed into place, or removed, stays
    // readable through it.
    if (fd_ < 0) fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
  }
  if (fd_ < 0) return false;
  uint64_t at = e.at;
  switch (lane.kind) {
    case LaneOf::Connection: {
      if (lane.index >= model.connections().size()) return false;
      const ui::ConnectionLanes& c = model.connections()[lane.index];
      if (c.lanes_loaded) return bytes = 0, true;
      if (e.key0 != c.id || e.offset_ns != stored_offset_of(model, c.display_shift_ns)) return false;
      std::vector<ui::PacketMark> a_to_b, b_to_a;
      if (!read_array(fd_, at, e.counts[0], a_to_b) || !read_array(fd_, at, e.counts[1], b_to_a)) return false;
      bytes = model.adopt_connection_lanes(lane.index, std::move(a_to_b), std::move(b_to_a));
      return true;
    }
    case LaneOf::Thread: {
      if (lane.index >= model.threads().size()) return false;
      const ui::ThreadLane& t = model.threads()[lane.index];
      if (t.events_loaded) return bytes = 0, true;
      if (e.key0 != t.id || e.offset_ns != stored_offset_of(model, t.display_shift_ns)) return false;
      std::vector<ui::SpanRecord> spans, running;
      std::vector<uint32_t> depth_begin;
      std::vector<ui::InstantRecord> instants;
      if (!read_array(fd_, at, e.counts[0], spans) || !read_array(fd_, at, e.counts[1], depth_begin) ||
          !read_array(fd_, at, e.counts[2], running) || !read_array(fd_, at, e.counts[3], instants))
        return false;
      // The layout counts this thread's depths already: a table that
      // disagrees, or does not index its spans, is not this lane.
      int depths = depth_begin.empty() ? 0 : int(depth_begin.size()) - 1;
      if (depths != t.depth_count()) return false;
      if (!depth_begin.empty() && (depth_begin.front() != 0 || depth_begin.back() != spans.size())) return false;
      for (size_t d = 1; d < depth_begin.size(); ++d)
        if (depth_begin[d] < depth_begin[d - 1]) return false;
      if (depth_begin.empty() && !spans.empty()) return false;
      bytes = model.adopt_thread_events(lane.index, std::move(spans), std::move(depth_begin), std::move(running),
                                        std::move(instants));
      return true;
    }
    case LaneOf::Counter: {
      if (lane.index >= model.counters().size()) return false;
      const ui::CounterLane& c = model.counters()[lane.index];
      if (c.samples_loaded) return bytes = 0, true;
      if (e.key0 != int64_t(c.name) || e.key1 != c.key || e.offset_ns != stored_offset_of(model, c.display_shift_ns))
        return false;
      std::vector<ui::CounterSample> samples;
      if (!read_array(fd_, at, e.counts[0], samples)) return false;
      bytes = model.adopt_counter_samples(lane.index, std::move(samples));
      return true;
    }
  }
  return false;
}

}  // namespace lurk::server
