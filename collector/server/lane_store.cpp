// LaneStoreWriter and LaneStore (lane_store.h): the store's file, written
// lane by lane; read back from a read-only mapping of the file, one lane at
// a time.
#include "server/lane_store.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <type_traits>

#include "core/mark_merging.h"
#include "core/mark_style.h"
#include "net/time_arith.h"
#include "server/lane_summary_file.h"
#include "server/partial_lane_store.h"
#include "server/stored_lane_adopt.h"

namespace lurk::server {
namespace {

using lane_store_detail::Entry;
using lane_store_detail::LaneKind;

using ui::lane_store_format::Footer;
using ui::lane_store_format::aligned_up;
using ui::lane_store_format::all_mark_kinds;

// A store being written is `NAME.partPID`; one left by a process that is
// gone (killed during its first view) would hold gigabytes for nothing.
void remove_abandoned_parts(const std::filesystem::path& path) {
  std::string prefix = path.filename().string() + ".part";
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(path.parent_path(), ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0 || name.size() == prefix.size()) continue;
    char* end = nullptr;
    long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
    if (*end != '\0' || pid <= 0) continue;
    if (::kill(pid_t(pid), 0) != 0 && errno == ESRCH) std::filesystem::remove(entry.path(), ec);
  }
}

// Before a big copy out of the mapping: its source pages mapped and its
// destination's allocated in one system call each, the destination in huge
// pages where the kernel gives them (transparent huge pages on request), not
// one page fault per 4 KB page as the copy touches them (perf at 100M: page
// faults were a quarter of a frame's CPU, on this paravirtualized VM each
// costly). Advice only: whatever the kernel refuses, the copy still faults
// the pages in as before.
void prefault(const char* source, void* destination, size_t bytes) {
  constexpr size_t kWorthIt = size_t(256) << 10;
  if (bytes < kWorthIt) return;
  const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  auto advise = [&](const void* at, size_t size, int advice) {
    uintptr_t begin = uintptr_t(at) / page * page, end = (uintptr_t(at) + size + page - 1) / page * page;
    ::madvise(reinterpret_cast<void*>(begin), end - begin, advice);
  };
  advise(source, bytes, MADV_POPULATE_READ);
  // Only whole pages inside the destination: its edges may share a page
  // with other allocations (advising those is harmless, but not ours).
  uintptr_t d0 = (uintptr_t(destination) + page - 1) / page * page;
  uintptr_t d1 = (uintptr_t(destination) + bytes) / page * page;
  if (d1 <= d0) return;
  advise(reinterpret_cast<void*>(d0), d1 - d0, MADV_HUGEPAGE);
  advise(reinterpret_cast<void*>(d0), d1 - d0, MADV_POPULATE_WRITE);
}

// After a big copy: its source pages unmapped from this process again (they
// stay in the page cache, clean, the kernel's to keep or evict), so that the
// process's memory stays the lanes it holds: left mapped, a 100M session's
// store pages added ~1 GB to its RSS.
void release_source(const char* source, size_t bytes) {
  constexpr size_t kWorthIt = size_t(256) << 10;
  if (bytes < kWorthIt) return;
  const uintptr_t page = uintptr_t(::sysconf(_SC_PAGESIZE));
  uintptr_t begin = uintptr_t(source) / page * page, end = (uintptr_t(source) + bytes + page - 1) / page * page;
  ::madvise(reinterpret_cast<void*>(begin), end - begin, MADV_DONTNEED);
}

int64_t offset_of(const ui::ProfileModel& model, int64_t display_shift_ns) {
  return saturating_sub(model.origin_ns(), display_shift_ns);
}

}  // namespace

std::filesystem::path lane_store_path(const std::filesystem::path& profile) {
  std::filesystem::path p = lane_summary_path(profile);
  p.replace_extension(".store");
  return p;
}

// ---- writing ----

std::string lane_store_unwritable(const std::filesystem::path& profile) {
  std::filesystem::path path = lane_store_path(profile);
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) return "";
  if (std::filesystem::create_directories(path.parent_path(), ec))  // made 0700, as the writer makes it
    std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all, ec);
  // A name of this process's own: what the writer makes (with its .part name).
  std::filesystem::path probe = path.string() + ".probe" + std::to_string(::getpid());
  int fd = ::open(probe.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return "cannot write in " + path.parent_path().string() + ": " + std::strerror(errno);
  ::close(fd);
  std::filesystem::remove(probe, ec);
  return "";
}

LaneStoreWriter::LaneStoreWriter(const std::filesystem::path& profile, const ui::ProfileModel& model,
                                 const std::string& state)
    : model_(model), path_(lane_store_path(profile)) {
  std::error_code ec;
  std::filesystem::create_directories(path_.parent_path(), ec);
  std::filesystem::permissions(path_.parent_path(), std::filesystem::perms::owner_all, ec);  // as the summary's
  remove_abandoned_parts(path_);
  part_ = path_.string() + ".part" + std::to_string(::getpid());
  out_ = std::fopen(part_.c_str(), "wb");
  if (!out_) {
    problem_ = "cannot write " + part_.string() + ": " + std::strerror(errno);
    return;
  }
  std::string identity = state.empty() ? profile_identity(profile) : state;
  put_bytes(ui::lane_store_format::kMagic, sizeof ui::lane_store_format::kMagic);
  uint64_t n = identity.size();
  put_bytes(&n, sizeof n);
  put_bytes(identity.data(), identity.size());
}

LaneStoreWriter::~LaneStoreWriter() {
  if (out_) {
    std::fclose(out_);
    std::error_code ec;
    std::filesystem::remove(part_, ec);
  }
}

void LaneStoreWriter::put_bytes(const void* data, size_t size) {
  if (!out_ || !problem_.empty() || size == 0) return;
  if (std::fwrite(data, 1, size, out_) != size) problem_ = "cannot write " + part_.string() + ": " + std::strerror(errno);
  at_ += size;
}

// Each array starts at an offset that is a multiple of its items' alignment
// (zero bytes before it): the reader copies it straight from the mapping.
template <typename T>
void LaneStoreWriter::put(const T* items, size_t count) {
  static_assert(std::is_trivially_copyable_v<T>);
  static const char kZeros[alignof(T)] = {};
  put_bytes(kZeros, size_t(aligned_up(at_, alignof(T)) - at_));
  put_bytes(items, count * sizeof(T));
}

void LaneStoreWriter::put(const ui::SeverityPyramid& pyramid) {
  for (const std::vector<uint8_t>& level : pyramid.levels()) put(level);
}

void LaneStoreWriter::add_connection(uint32_t index) {
  const ui::ConnectionLanes& c = model_.connections()[index];
  Entry e{LaneKind::Connection, index, c.id, 0, offset_of(model_, c.display_shift_ns), at_,
          {c.lanes[0].size(), c.lanes[1].size(), uint64_t(c.retransmissions), uint64_t(c.dup_acks)}};
  put(c.lanes[0]);
  put(c.lanes[1]);
  put(c.severity[0]);
  put(c.severity[1]);
  added(e);
}

void LaneStoreWriter::add_thread(uint32_t index) {
  const ui::ThreadLane& t = model_.threads()[index];
  Entry e{LaneKind::Thread, index, t.id, 0, offset_of(model_, t.display_shift_ns), at_,
          {t.spans.size(), t.depth_begin.size(), t.running.size(), t.instants.size()}};
  put(t.spans);
  put(t.depth_begin);
  put(t.running);
  put(t.instants);
  put(t.instant_severity);
  added(e);
}

void LaneStoreWriter::add_counter(uint32_t index) {
  const ui::CounterLane& c = model_.counters()[index];
  Entry e{LaneKind::Counter, index, int64_t(c.name), c.key, offset_of(model_, c.display_shift_ns), at_,
          {c.samples.size(), 0, 0, 0}};
  put(c.samples);
  added(e);
}

void LaneStoreWriter::added(const Entry& e) {
  entries_.push_back(e);
  if (!partial_ || !out_ || !problem_.empty()) return;
  if (std::fflush(out_) != 0) return;  // (finish() says why)
  partial_->publish(e, part_.string(), at_);
}

std::string LaneStoreWriter::finish() {
  if (!out_) return problem_;
  // The summary the model was made from, then its length, then the index.
  std::string summary = ui::lane_store_format::encode_summary(model_.outline_summary());
  static const char kZeros[8] = {};
  put_bytes(kZeros, size_t(aligned_up(at_, 8) - at_));
  put_bytes(summary.data(), summary.size());
  uint64_t summary_size = summary.size();
  put_bytes(&summary_size, sizeof summary_size);
  Footer footer{aligned_up(at_, alignof(Entry)), entries_.size(), {}};
  std::memcpy(footer.end, ui::lane_store_format::kEnd, sizeof footer.end);
  put(entries_);  // at footer.index_at: put() aligns it
  put_bytes(&footer, sizeof footer);
  if (std::fflush(out_) != 0 && problem_.empty()) problem_ = "cannot write " + part_.string() + ": " + std::strerror(errno);
  std::fclose(out_);
  out_ = nullptr;
  std::error_code ec;
  if (problem_.empty()) {
    std::filesystem::rename(part_, path_, ec);
    if (ec) problem_ = "cannot write " + path_.string() + ": " + ec.message();
  }
  if (!problem_.empty()) std::filesystem::remove(part_, ec);
  return problem_;
}

// ---- reading ----

static int64_t modification_ns(const struct stat& st) {
  return int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

LaneStore::~LaneStore() {
  guard_.reset();  // before the pages it guards go
  if (map_) ::munmap(const_cast<char*>(map_), size_t(size_));
  if (fd_ >= 0) ::close(fd_);
}

// Asked after each lane's copy too: a file unchanged after the copy was
// unchanged during it, so the lane is the store's; one cut short meanwhile
// may have given zeros where it ended (in its last page, without a fault).
bool LaneStore::changed() const {
  if (guard_ && guard_->faulted()) return true;
  struct stat st {};
  if (fd_ < 0 || ::fstat(fd_, &st) != 0) return true;
  return uint64_t(st.st_size) != size_ || modification_ns(st) != mtime_ns_;
}

std::unique_ptr<LaneStore> LaneStore::open(const std::filesystem::path& profile, const ui::ProfileModel& model,
                                           std::string& why, const std::string& state) {
  why.clear();
  std::filesystem::path path = lane_store_path(profile);
  std::unique_ptr<LaneStore> store(new LaneStore());
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno != ENOENT) why = path.string() + ": " + std::strerror(errno);
    return nullptr;
  }
  auto fail = [&](const std::string& what) {
    why = path.string() + ": " + what + "; lanes are read from the profile";
    return nullptr;
  };
  store->fd_ = fd;  // closed with the store
  struct stat st {};
  if (::fstat(fd, &st) != 0) return fail("cannot stat");
  store->size_ = uint64_t(st.st_size);
  store->mtime_ns_ = modification_ns(st);
  if (store->size_ < sizeof ui::lane_store_format::kMagic + sizeof(uint64_t) + sizeof(Footer))
    return fail("truncated");
  // The whole file, read-only: its pages are the page cache's, a lane read
  // is one copy out of them (no read into a buffer first). Every size and
  // offset is checked against this length (core/lane_store_format.h) before
  // anything is read at it. lurk only ever replaces the store by a rename,
  // never rewrites it in place; another process cutting it short while it
  // is mapped is caught by changed() before each frame and, within a frame,
  // by the guard.
  void* map = ::mmap(nullptr, size_t(store->size_), PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return fail(std::string("cannot map it: ") + std::strerror(errno));
  store->map_ = static_cast<const char*>(map);
  store->guard_ = std::make_unique<TruncationGuard>(map, size_t(store->size_));
  std::string identity = state.empty() ? profile_identity(profile) : state, problem;
  if (!store->reader_.parse(store->map_, store->size_, &identity, problem)) {
    if (problem == "not a lane store of this lurk") problem += " for this profile";
    return fail(problem);
  }
  if (store->changed()) return fail("truncated or damaged (its index)");
  if (!store->reader_.index_for(model, problem)) return fail(problem);
  return store;
}

// Copies `count` items at `at` (first aligned for them, as the writer put
// them; then advanced past them) when they lie inside the lanes' bytes:
// appended in bulk from the mapping (resize() would first construct, zero,
// every item; callgrind showed that costing more than the copy itself).
template <typename T>
bool LaneStore::read(uint64_t& at, uint64_t count, std::vector<T>& out) {
  static_assert(std::is_trivially_copyable_v<T>);
  uint64_t limit = reader_.lanes_end();
  at = aligned_up(at, alignof(T));
  if (at > limit || count > (limit - at) / sizeof(T)) return false;
  const T* first = reinterpret_cast<const T*>(map_ + at);
  out.clear();
  out.reserve(size_t(count));
  prefault(map_ + at, out.data(), size_t(count) * sizeof(T));
  out.insert(out.end(), first, first + count);
  release_source(map_ + at, size_t(count) * sizeof(T));
  at += count * sizeof(T);
  // Cut short under the copy (truncation_guard.h): what was copied holds
  // zeros where the file ended; the lane is read from the profile instead.
  if (guard_->faulted()) {
    out.clear();
    return false;
  }
  return true;
}

template <typename T>
bool LaneStore::array(const ui::StoredLane& stored, int k, ui::LaneArray<T>& out) {
  if (copying_) {
    std::vector<T> copy;
    uint64_t at = stored.at[k];
    if (!read(at, stored.count[k], copy)) return false;
    out = std::move(copy);
    return true;
  }
  out = ui::LaneArray<T>::view(reader_.items<T>(stored, k), size_t(stored.count[k]));
  return true;
}

namespace {
// ProfileModel's any_in (profile_model_lanes.cpp) on an array of the store,
// its ends looked at first: a window holding an end (the whole trace, as the
// first frame asks of every lane) is answered by two reads, not a search
// whose pages would each be faulted in (the same answer: the items are sorted).
template <typename T>
bool any_in(const T* items, size_t n, double t0, double t1) {
  if (n == 0) return false;
  double first = double(items[0].t_ns), last = double(items[n - 1].t_ns);
  if (t1 < first || t0 > last) return false;
  if (t0 <= first || t1 >= last) return true;
  size_t i = ui::lod_detail::first_at_or_after(n, t0, [&](size_t k) { return items[k].t_ns; });
  return i < n && double(items[i].t_ns) <= t1;
}
}  // namespace

std::optional<bool> LaneStore::packets_in(const ui::ProfileModel& model, uint32_t index, int dir, double t0,
                                          double t1) const {
  std::optional<ui::StoredLane> stored = reader_.connection(model, index);
  if (!stored) return std::nullopt;
  int k = dir ? 1 : 0;
  return any_in(reader_.items<ui::PacketMark>(*stored, k), size_t(stored->count[k]), t0, t1);
}

std::optional<bool> LaneStore::samples_in(const ui::ProfileModel& model, uint32_t index, double t0,
                                          double t1) const {
  std::optional<ui::StoredLane> stored = reader_.counter(model, index);
  if (!stored) return std::nullopt;
  return any_in(reader_.items<ui::CounterSample>(*stored, 0), size_t(stored->count[0]), t0, t1);
}

std::optional<ui::RangeCounts> LaneStore::count_range(const ui::ProfileModel& model, double t0, double t1) const {
  ui::RangeCounts c;
  auto at = [](const auto& item) { return item.t_ns; };
  for (uint32_t i = 0; i < model.connections().size(); ++i) {
    const ui::ConnectionLanes& lanes = model.connections()[i];
    std::optional<ui::StoredLane> stored = reader_.connection(model, i);
    if (!stored && !lanes.lanes_loaded) return std::nullopt;
    for (int k = 0; k < 2; ++k) {
      const ui::PacketMark* items = stored ? reader_.items<ui::PacketMark>(*stored, k) : lanes.lanes[k].data();
      size_t n = stored ? size_t(stored->count[k]) : lanes.lanes[k].size();
      c.packets += ui::count_between(items, n, t0, t1, at);
      ui::count_packet_marks(lanes, items, n, t0, t1, c);
    }
    // The pages the marks' scan touched go again unless the model views them.
    if (stored && !lanes.lanes_loaded) release_bytes(stored->entry->at, stored->end);
  }
  for (uint32_t i = 0; i < model.threads().size(); ++i) {
    const ui::ThreadLane& t = model.threads()[i];
    std::optional<ui::StoredLane> stored = reader_.thread(model, i);
    if (stored) {
      c.spans += ui::count_spans_starting(reader_.items<ui::SpanRecord>(*stored, 0),
                                          reader_.items<uint32_t>(*stored, 1), size_t(stored->count[1]), t0, t1);
      const ui::InstantRecord* instants = reader_.items<ui::InstantRecord>(*stored, 3);
      c.instants += ui::count_between(instants, size_t(stored->count[3]), t0, t1, at);
      ui::count_thread_marks(t, instants, size_t(stored->count[3]), t0, t1, c);
      if (!t.events_loaded) release_bytes(stored->entry->at, stored->end);
    } else if (t.events_loaded) {
      c.spans += ui::count_spans_starting(t.spans.data(), t.depth_begin.data(), t.depth_begin.size(), t0, t1);
      c.instants += ui::count_between(t.instants.data(), t.instants.size(), t0, t1, at);
      ui::count_thread_marks(t, t.instants.data(), t.instants.size(), t0, t1, c);
    } else {
      return std::nullopt;
    }
  }
  return c;
}

std::optional<LaneStore::Items<ui::PacketMark>> LaneStore::packets_of(const ui::ProfileModel& model,
                                                                     uint32_t connection, int dir) const {
  const ui::ConnectionLanes& lanes = model.connections()[connection];
  if (std::optional<ui::StoredLane> stored = reader_.connection(model, connection))
    return Items<ui::PacketMark>{reader_.items<ui::PacketMark>(*stored, dir), size_t(stored->count[dir])};
  if (!lanes.lanes_loaded) return std::nullopt;
  return Items<ui::PacketMark>{lanes.lanes[dir].data(), lanes.lanes[dir].size()};
}

// Array k of a thread's stored lane, else `held` (the model's copy) when its events are loaded.
template <typename T, typename Held>
std::optional<LaneStore::Items<T>> LaneStore::thread_items(const ui::ProfileModel& model, uint32_t thread, int k,
                                                          const Held& held) const {
  if (std::optional<ui::StoredLane> stored = reader_.thread(model, thread))
    return Items<T>{reader_.items<T>(*stored, k), size_t(stored->count[k])};
  if (!model.threads()[thread].events_loaded) return std::nullopt;
  return Items<T>{held.data(), held.size()};
}

std::optional<LaneStore::Items<ui::InstantRecord>> LaneStore::instants_of(const ui::ProfileModel& model,
                                                                        uint32_t thread) const {
  return thread_items<ui::InstantRecord>(model, thread, 3, model.threads()[thread].instants);
}

std::optional<LaneStore::Items<ui::SpanRecord>> LaneStore::spans_of(const ui::ProfileModel& model,
                                                                  uint32_t thread) const {
  return thread_items<ui::SpanRecord>(model, thread, 0, model.threads()[thread].spans);
}

std::optional<LaneStore::Items<uint32_t>> LaneStore::depth_table_of(const ui::ProfileModel& model,
                                                                  uint32_t thread) const {
  return thread_items<uint32_t>(model, thread, 1, model.threads()[thread].depth_begin);
}

void LaneStore::scanned_thread(const ui::ProfileModel& model, uint32_t thread) const {
  if (model.threads()[thread].events_loaded) return;
  if (std::optional<ui::StoredLane> stored = reader_.thread(model, thread))
    release_bytes(stored->entry->at, stored->end);
}

void LaneStore::release_lane(LaneKindOf kind, uint32_t index) {
  const Entry* e = reader_.entry(kind, index);
  const std::vector<uint64_t>& ends = kind == LaneKind::Connection ? connection_ends_
                                      : kind == LaneKind::Thread   ? thread_ends_
                                                                   : counter_ends_;
  if (!e || copying_ || index >= ends.size() || ends[index] <= e->at) return;
  release_bytes(e->at, ends[index]);
}

// Whole pages inside [at, end) only: a page shared with a neighbour that is
// still viewed stays (unmapping it would only cost a fault).
void LaneStore::release_bytes(uint64_t at, uint64_t end_at) const {
  const uint64_t page = uint64_t(::sysconf(_SC_PAGESIZE));
  uint64_t begin = aligned_up(uintptr_t(map_) + at, size_t(page)), end = (uintptr_t(map_) + end_at) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), size_t(end - begin), MADV_DONTNEED);
}

// The lane's end, once read (what release_lane() unmaps).
static void note_end(std::vector<uint64_t>& ends, size_t lanes, uint32_t index, uint64_t end) {
  if (ends.size() < lanes) ends.resize(lanes);
  ends[index] = end;
}

bool LaneStore::pyramid(const ui::StoredLane& stored, int k, ui::SeverityPyramid& out) {
  std::vector<size_t> sizes = ui::SeverityPyramid::level_sizes(size_t(stored.count[k]));
  std::vector<std::vector<uint8_t>> levels(sizes.size());
  uint64_t at = stored.at[k];
  for (size_t i = 0; i < sizes.size(); ++i)
    if (!read(at, sizes[i], levels[i]) || !all_mark_kinds(levels[i].data(), levels[i].size())) return false;
  return out.adopt(std::move(levels));
}

bool LaneStore::depth_table(const ui::StoredLane& stored, std::vector<uint32_t>& out) {
  uint64_t at = stored.at[1];
  return read(at, stored.count[1], out);
}

bool LaneStore::load_connection(ui::ProfileModel& model, uint32_t index, size_t& bytes) {
  if (model.connections()[index].lanes_loaded) return bytes = 0, true;
  std::optional<ui::StoredLane> stored = reader_.connection(model, index);
  if (!stored || !adopt_stored_connection(*this, *stored, model, index, bytes)) return false;
  note_end(connection_ends_, model.connections().size(), index, stored->end);
  return true;
}

bool LaneStore::load_thread(ui::ProfileModel& model, uint32_t index, size_t& bytes) {
  if (model.threads()[index].events_loaded) return bytes = 0, true;
  std::optional<ui::StoredLane> stored = reader_.thread(model, index);
  if (!stored || !adopt_stored_thread(*this, *stored, model, index, bytes)) return false;
  note_end(thread_ends_, model.threads().size(), index, stored->end);
  return true;
}

bool LaneStore::load_counter(ui::ProfileModel& model, uint32_t index, size_t& bytes) {
  if (model.counters()[index].samples_loaded) return bytes = 0, true;
  std::optional<ui::StoredLane> stored = reader_.counter(model, index);
  if (!stored || !adopt_stored_counter(*this, *stored, model, index, bytes)) return false;
  note_end(counter_ends_, model.counters().size(), index, stored->end);
  return true;
}

}  // namespace lurk::server
