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

namespace lurk::server {
namespace {

using lane_store_detail::Entry;
using lane_store_detail::LaneKind;

// v2: the severity pyramids and the connections' counts kept; v3: each
// array at an offset aligned for its items (copied straight from the
// mapping). Older stores are not read: the summary's v5 makes both again.
constexpr char kStoreMagic[16] = "lurk-store v3\n";
constexpr char kEnd[16] = "lurk-store end\n";

struct Footer {
  uint64_t index_at = 0, entries = 0;
  char end[16] = {};
};

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

// Whether every byte is a mark kind's number (below MarkKind::Count), eight
// at a time: a byte b <= 0x7f is above 9 exactly when b + 0x76 sets its top
// bit (no carry into the next byte); one with its top bit set is caught by
// `word` itself (whatever its sum carries, the answer is already no).
bool all_mark_kinds(const std::vector<uint8_t>& bytes) {
  static_assert(uint8_t(ui::MarkKind::Count) == 10, "the constant below is 0x80 - 10");
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  uint64_t bad = 0;
  size_t i = 0;
  for (; i + 8 <= bytes.size(); i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes.data() + i, 8);
    bad |= word | (word + 0x76 * kOnes);
  }
  for (; i < bytes.size(); ++i) bad |= uint64_t(bytes[i] >= uint8_t(ui::MarkKind::Count)) << 7;
  return (bad & (0x80 * kOnes)) == 0;
}

uint64_t aligned_up(uint64_t at, size_t alignment) {
  return (at + alignment - 1) / alignment * alignment;
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

LaneStoreWriter::LaneStoreWriter(const std::filesystem::path& profile, const ui::ProfileModel& model)
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
  std::string identity = profile_identity(profile);
  put_bytes(kStoreMagic, sizeof kStoreMagic);
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
  entries_.push_back(e);
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
  entries_.push_back(e);
}

void LaneStoreWriter::add_counter(uint32_t index) {
  const ui::CounterLane& c = model_.counters()[index];
  Entry e{LaneKind::Counter, index, int64_t(c.name), c.key, offset_of(model_, c.display_shift_ns), at_,
          {c.samples.size(), 0, 0, 0}};
  put(c.samples);
  entries_.push_back(e);
}

std::string LaneStoreWriter::finish() {
  if (!out_) return problem_;
  Footer footer{aligned_up(at_, alignof(Entry)), entries_.size(), {}};
  std::memcpy(footer.end, kEnd, sizeof kEnd);
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
                                           std::string& why) {
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
  std::string identity = profile_identity(profile);
  std::string head(sizeof kStoreMagic + sizeof(uint64_t) + identity.size(), '\0');
  Footer footer;
  if (store->size_ < head.size() + sizeof footer) return fail("truncated");
  // The whole file, read-only: its pages are the page cache's, a lane read
  // is one copy out of them (no read into a buffer first). Every size and
  // offset below is checked against this length before anything is read at
  // it. lurk only ever replaces the store by a rename, never rewrites it in
  // place; another process cutting it short while it is mapped is caught
  // by changed() before each frame and, within a frame, by the guard.
  void* map = ::mmap(nullptr, size_t(store->size_), PROT_READ, MAP_SHARED, fd, 0);
  if (map == MAP_FAILED) return fail(std::string("cannot map it: ") + std::strerror(errno));
  store->map_ = static_cast<const char*>(map);
  store->guard_ = std::make_unique<TruncationGuard>(map, size_t(store->size_));
  std::memcpy(head.data(), store->map_, head.size());
  std::memcpy(&footer, store->map_ + store->size_ - sizeof footer, sizeof footer);
  uint64_t identity_size = identity.size();
  if (std::memcmp(head.data(), kStoreMagic, sizeof kStoreMagic) != 0 ||
      std::memcmp(head.data() + sizeof kStoreMagic, &identity_size, sizeof identity_size) != 0)
    return fail("not a lane store of this lurk for this profile");
  if (head.compare(sizeof kStoreMagic + sizeof identity_size, identity.size(), identity) != 0)
    return fail("the profile changed since it was made");
  uint64_t index_room = store->size_ - sizeof footer;
  if (std::memcmp(footer.end, kEnd, sizeof kEnd) != 0 || footer.index_at < head.size() ||
      footer.index_at > index_room || footer.index_at % alignof(Entry) != 0 ||
      footer.entries != (index_room - footer.index_at) / sizeof(Entry) ||
      (index_room - footer.index_at) % sizeof(Entry) != 0)
    return fail("truncated or damaged (its index)");
  std::vector<Entry> entries(footer.entries);
  uint64_t at = footer.index_at;
  if (!store->read(at, footer.entries, entries) || store->changed())
    return fail("truncated or damaged (its index)");
  store->connections_.resize(model.connections().size());
  store->threads_.resize(model.threads().size());
  store->counters_.resize(model.counters().size());
  store->data_end_ = footer.index_at;
  for (const Entry& e : entries) {
    std::vector<Entry>* by_index = e.kind == LaneKind::Connection ? &store->connections_
                                   : e.kind == LaneKind::Thread   ? &store->threads_
                                   : e.kind == LaneKind::Counter  ? &store->counters_
                                                                  : nullptr;
    if (!by_index || e.index >= by_index->size() || e.at < head.size() || e.at >= footer.index_at)
      return fail("damaged (an entry names no lane of this profile)");
    (*by_index)[e.index] = e;
  }
  return store;
}

// Copies `count` items at `at` (first aligned for them, as the writer put
// them; then advanced past them) when they lie inside the file: appended in
// bulk from the mapping (resize() would first construct, zero, every item;
// callgrind showed that costing more than the copy itself).
template <typename T>
bool LaneStore::read(uint64_t& at, uint64_t count, std::vector<T>& out) {
  static_assert(std::is_trivially_copyable_v<T>);
  uint64_t limit = std::is_same_v<T, Entry> ? size_ : data_end_;
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
bool LaneStore::lane(uint64_t& at, uint64_t count, ui::LaneArray<T>& out) {
  if (copying_) {
    std::vector<T> copy;
    if (!read(at, count, copy)) return false;
    out = std::move(copy);
    return true;
  }
  at = aligned_up(at, alignof(T));
  if (at > data_end_ || count > (data_end_ - at) / sizeof(T)) return false;
  out = ui::LaneArray<T>::view(reinterpret_cast<const T*>(map_ + at), size_t(count));
  at += count * sizeof(T);
  return true;
}

template <typename T>
const T* LaneStore::array_at(uint64_t& at, uint64_t count) const {
  at = aligned_up(at, alignof(T));
  if (at > data_end_ || count > (data_end_ - at) / sizeof(T)) return nullptr;
  const T* items = reinterpret_cast<const T*>(map_ + at);
  at += count * sizeof(T);
  return items;
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
  const Entry* e = entry(LaneKind::Connection, index);
  if (!e || index >= model.connections().size()) return std::nullopt;
  const ui::ConnectionLanes& c = model.connections()[index];
  if (e->key0 != c.id || e->offset_ns != offset_of(model, c.display_shift_ns)) return std::nullopt;
  uint64_t at = e->at;
  const ui::PacketMark* a_to_b = array_at<ui::PacketMark>(at, e->counts[0]);
  const ui::PacketMark* b_to_a = a_to_b ? array_at<ui::PacketMark>(at, e->counts[1]) : nullptr;
  if (!b_to_a) return std::nullopt;
  return dir ? any_in(b_to_a, size_t(e->counts[1]), t0, t1) : any_in(a_to_b, size_t(e->counts[0]), t0, t1);
}

std::optional<bool> LaneStore::samples_in(const ui::ProfileModel& model, uint32_t index, double t0,
                                          double t1) const {
  const Entry* e = entry(LaneKind::Counter, index);
  if (!e || index >= model.counters().size()) return std::nullopt;
  const ui::CounterLane& c = model.counters()[index];
  if (e->key0 != int64_t(c.name) || e->key1 != c.key || e->offset_ns != offset_of(model, c.display_shift_ns))
    return std::nullopt;
  uint64_t at = e->at;
  const ui::CounterSample* samples = array_at<ui::CounterSample>(at, e->counts[0]);
  if (!samples) return std::nullopt;
  return any_in(samples, size_t(e->counts[0]), t0, t1);
}

void LaneStore::release_lane(LaneKindOf kind, uint32_t index) {
  const Entry* e = entry(kind, index);
  const std::vector<uint64_t>& ends = kind == LaneKind::Connection ? connection_ends_
                                      : kind == LaneKind::Thread   ? thread_ends_
                                                                   : counter_ends_;
  if (!e || copying_ || index >= ends.size() || ends[index] <= e->at) return;
  // Whole pages inside the lane only: a page it shares with a neighbour
  // that is still viewed stays (unmapping it would only cost a fault).
  const uint64_t page = uint64_t(::sysconf(_SC_PAGESIZE));
  uint64_t begin = aligned_up(uintptr_t(map_) + e->at, size_t(page)), end = (uintptr_t(map_) + ends[index]) / page * page;
  if (end > begin) ::madvise(reinterpret_cast<void*>(begin), size_t(end - begin), MADV_DONTNEED);
}

// The lane's end, once read (what release_lane() unmaps).
static void note_end(std::vector<uint64_t>& ends, size_t lanes, uint32_t index, uint64_t end) {
  if (ends.size() < lanes) ends.resize(lanes);
  ends[index] = end;
}

bool LaneStore::read(uint64_t& at, uint64_t items, ui::SeverityPyramid& out) {
  std::vector<size_t> sizes = ui::SeverityPyramid::level_sizes(size_t(items));
  std::vector<std::vector<uint8_t>> levels(sizes.size());
  for (size_t i = 0; i < sizes.size(); ++i)
    if (!read(at, sizes[i], levels[i]) || !all_mark_kinds(levels[i])) return false;
  return out.adopt(std::move(levels));
}

const Entry* LaneStore::entry(LaneKind kind, uint32_t index) const {
  const std::vector<Entry>& by_index = kind == LaneKind::Connection ? connections_
                                       : kind == LaneKind::Thread   ? threads_
                                                                    : counters_;
  if (index >= by_index.size() || by_index[index].at == 0 || by_index[index].kind != kind) return nullptr;
  return &by_index[index];
}

bool LaneStore::load_connection(ui::ProfileModel& model, uint32_t index, size_t& bytes) {
  const Entry* e = entry(LaneKind::Connection, index);
  const ui::ConnectionLanes& c = model.connections()[index];
  if (c.lanes_loaded) return bytes = 0, true;
  if (!e || e->key0 != c.id || e->offset_ns != offset_of(model, c.display_shift_ns)) return false;
  ui::LaneArray<ui::PacketMark> lanes[2];
  ui::SeverityPyramid severity[2];
  uint64_t at = e->at;
  if (!lane(at, e->counts[0], lanes[0]) || !lane(at, e->counts[1], lanes[1]) ||
      !read(at, e->counts[0], severity[0]) || !read(at, e->counts[1], severity[1]) || changed())
    return false;
  note_end(connection_ends_, connections_.size(), index, at);
  bytes = model.adopt_connection_lanes(index, std::move(lanes[0]), std::move(lanes[1]), severity,
                                       int64_t(e->counts[2]), int64_t(e->counts[3]));
  return true;
}

bool LaneStore::load_thread(ui::ProfileModel& model, uint32_t index, size_t& bytes) {
  const Entry* e = entry(LaneKind::Thread, index);
  const ui::ThreadLane& t = model.threads()[index];
  if (t.events_loaded) return bytes = 0, true;
  if (!e || e->key0 != t.id || e->offset_ns != offset_of(model, t.display_shift_ns)) return false;
  ui::LaneArray<ui::SpanRecord> spans, running;
  std::vector<uint32_t> depth_begin;
  ui::LaneArray<ui::InstantRecord> instants;
  ui::SeverityPyramid instant_severity;
  uint64_t at = e->at;
  if (!lane(at, e->counts[0], spans) || !read(at, e->counts[1], depth_begin) || !lane(at, e->counts[2], running) ||
      !lane(at, e->counts[3], instants) || !read(at, e->counts[3], instant_severity) || changed())
    return false;
  note_end(thread_ends_, threads_.size(), index, at);
  // The layout already counts this thread's depths (from the summary): a
  // depth table that disagrees, or does not index its spans, is not this lane.
  int depths = depth_begin.empty() ? 0 : int(depth_begin.size()) - 1;
  if (depths != t.depth_count() || (!depth_begin.empty() && (depth_begin.front() != 0 || depth_begin.back() != spans.size())))
    return false;
  for (size_t d = 1; d < depth_begin.size(); ++d)
    if (depth_begin[d] < depth_begin[d - 1]) return false;
  bytes = model.adopt_thread_events(index, std::move(spans), std::move(depth_begin), std::move(running),
                                    std::move(instants), std::move(instant_severity));
  return true;
}

bool LaneStore::load_counter(ui::ProfileModel& model, uint32_t index, size_t& bytes) {
  const Entry* e = entry(LaneKind::Counter, index);
  const ui::CounterLane& c = model.counters()[index];
  if (c.samples_loaded) return bytes = 0, true;
  if (!e || e->key0 != int64_t(c.name) || e->key1 != c.key || e->offset_ns != offset_of(model, c.display_shift_ns))
    return false;
  ui::LaneArray<ui::CounterSample> samples;
  uint64_t at = e->at;
  if (!lane(at, e->counts[0], samples) || changed()) return false;
  note_end(counter_ends_, counters_.size(), index, at);
  bytes = model.adopt_counter_samples(index, std::move(samples));
  return true;
}

}  // namespace lurk::server
