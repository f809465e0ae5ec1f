// lane_summary_for (lane_summary_file.h): the file's format is a magic line,
// the profile's identity, then the summary's numbers, all little-endian
// fixed-size fields (it is a cache, read only by the lurk that wrote it).
#include "server/lane_summary_file.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <string_view>
#include <type_traits>
#include <vector>

#include "core/huge_pages.h"
#include "server/truncation_guard.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {
namespace {

// v3: made with a lane store beside it (lane_store.h), and the minimap's bins
// a power of two of ns wide (wasm-ui/core/minimap.h): earlier files are made
// again (the two changes came as two different "v2"s on two branches).
// v4/v5: its store (v2/v3) keeps the severity pyramids / aligns its arrays
// for the mapping: an older summary's store is of an older format, so both
// are made again. v6: the profile's flows and periods kept (lane_summary.h).
constexpr char kSummaryMagic[16] = "lurk-lanes v6\n";

struct Identity {
  int64_t size = -1, mtime_ns = -1, wal_size = -1, wal_mtime_ns = -1;
  bool operator==(const Identity&) const = default;
};

std::filesystem::path absolute_profile(const std::filesystem::path& profile) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(profile, ec);
  return ec ? std::filesystem::absolute(profile) : p;
}

std::filesystem::path cache_dir() {
  if (const char* d = std::getenv("LURK_CACHE_DIR"); d && *d) return d;
  if (const char* d = std::getenv("XDG_CACHE_HOME"); d && *d) return std::filesystem::path(d) / "lurk";
  if (const char* h = std::getenv("HOME"); h && *h) return std::filesystem::path(h) / ".cache" / "lurk";
  return std::filesystem::temp_directory_path() / "lurk-cache";
}

// FNV-1a, 64 bits: a file name per profile path (the path itself is checked inside).
uint64_t name_hash(const std::string& s) {
  uint64_t h = 1469598103934665603ull;
  for (unsigned char c : s) h = (h ^ c) * 1099511628211ull;
  return h;
}

void stat_into(const std::string& path, int64_t& size, int64_t& mtime_ns) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) return;
  size = int64_t(st.st_size);
  mtime_ns = int64_t(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
}

Identity identity_of(const std::filesystem::path& profile) {
  Identity id;
  stat_into(profile.string(), id.size, id.mtime_ns);
  stat_into(profile.string() + "-wal", id.wal_size, id.wal_mtime_ns);
  return id;
}

class Writer {
 public:
  template <typename T>
  void put(const T& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    bytes.append(reinterpret_cast<const char*>(&v), sizeof v);
  }
  std::string bytes;
};

class Reader {
 public:
  Reader(std::string_view b, size_t at) : bytes_(b), at_(at) {}
  template <typename T>
  bool get(T& v) {
    if (bytes_.size() - at_ < sizeof v) return false;
    std::memcpy(&v, bytes_.data() + at_, sizeof v);
    at_ += sizeof v;
    return true;
  }
  size_t left() const { return bytes_.size() - at_; }
  // `size` bytes, which the caller checked are left.
  void get_bytes(void* out, size_t size) {
    if (size) std::memcpy(out, bytes_.data() + at_, size);
    at_ += size;
  }
  // `n` items (the caller checked they are left) appended to `out`, each
  // copied in: a resize() would first zero every item (tens of MB at 100M).
  template <typename T>
  void get_array(std::vector<T>& out, size_t n) {
    static_assert(std::is_trivially_copyable_v<T>);
    out.reserve(n);
    ui::advise_huge_pages(out.data(), n * sizeof(T));
    for (size_t i = 0; i < n; ++i) {
      T item;
      std::memcpy(&item, bytes_.data() + at_ + i * sizeof(T), sizeof(T));
      out.push_back(item);
    }
    at_ += n * sizeof(T);
  }

 private:
  std::string_view bytes_;
  size_t at_ = 0;
};

// The file mapped read-only for one decode (tens of MB with a big
// profile's flows: read where the page cache holds them, no copy into a
// buffer first). Cut short in place by another process while it is read,
// the pages past its new end read as zeros instead of ending the process
// (truncation_guard.h), and cut_short() says to throw the decode away.
class MappedFile {
 public:
  explicit MappedFile(const std::filesystem::path& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return;
    struct stat st {};
    if (::fstat(fd, &st) == 0 && st.st_size > 0) {
      void* map = ::mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_SHARED | MAP_POPULATE, fd, 0);
      if (map != MAP_FAILED) {
        map_ = static_cast<const char*>(map);
        size_ = size_t(st.st_size);
        guard_ = std::make_unique<TruncationGuard>(map_, size_);
        if (!guard_->guarded()) read_instead(fd);
      }
    }
    ::close(fd);
  }
  ~MappedFile() {
    guard_.reset();
    if (map_) ::munmap(const_cast<char*>(map_), size_);
  }
  MappedFile(const MappedFile&) = delete;
  MappedFile& operator=(const MappedFile&) = delete;
  bool ok() const { return map_ != nullptr || !copy_.empty(); }
  std::string_view bytes() const { return map_ ? std::string_view(map_, size_) : std::string_view(copy_); }
  bool cut_short() const { return map_ && guard_->faulted(); }

 private:
  // Every guard slot taken: read into memory instead (a cut is then a short read).
  void read_instead(int fd) {
    guard_.reset();
    copy_.resize(size_);
    ssize_t got = ::pread(fd, copy_.data(), size_, 0);
    copy_.resize(got > 0 ? size_t(got) : 0);
    ::munmap(const_cast<char*>(map_), size_);
    map_ = nullptr;
  }
  std::string copy_;
  const char* map_ = nullptr;
  size_t size_ = 0;
  std::unique_ptr<TruncationGuard> guard_;
};

std::string encode(const ui::LaneSummary& s, const Identity& id, const std::string& path) {
  Writer w;
  w.bytes.append(kSummaryMagic, sizeof kSummaryMagic);
  w.put(uint64_t(path.size()));
  w.bytes += path;
  w.put(id);
  w.put(s.first_ns), w.put(s.last_ns), w.put(s.packets), w.put(s.events), w.put(s.last_ids);
  w.put(uint64_t(s.depths.size()));
  for (const auto& [thread, depths] : s.depths) w.put(thread), w.put(depths);
  w.put(uint64_t(s.counters.size()));
  for (const ui::LaneSummary::CounterRange& c : s.counters)
    w.put(c.name), w.put(c.key), w.put(c.min), w.put(c.max), w.put(c.samples);
  w.put(uint64_t(s.minimap.size()));
  for (const auto& [events, worst] : s.minimap) w.put(events), w.put(worst);
  w.put(uint8_t(s.flows_kept));
  w.put(uint64_t(s.flow_kinds.size()));
  for (const std::string& kind : s.flow_kinds) w.put(uint64_t(kind.size())), w.bytes += kind;
  w.put(uint64_t(s.flows.size()));
  w.bytes.append(reinterpret_cast<const char*>(s.flows.data()), s.flows.size() * sizeof(ui::FlowRecord));
  w.put(uint8_t(s.periods_kept));
  w.put(uint64_t(s.periods.size()));
  w.bytes.append(reinterpret_cast<const char*>(s.periods.data()),
                 s.periods.size() * sizeof(ui::LaneSummary::KeptPeriod));
  return std::move(w.bytes);
}

// The summary in `bytes` when it is one for a profile of identity `id`.
bool decode(std::string_view bytes, const Identity& id, const std::string& path, ui::LaneSummary& s,
            std::string& why) {
  if (bytes.size() < sizeof kSummaryMagic || std::memcmp(bytes.data(), kSummaryMagic, sizeof kSummaryMagic) != 0) {
    why = "not a lane summary of this lurk";
    return false;
  }
  uint64_t path_size = 0;
  std::memcpy(&path_size, bytes.data() + sizeof kSummaryMagic, std::min(sizeof path_size, bytes.size() - sizeof kSummaryMagic));
  size_t head = sizeof kSummaryMagic + sizeof path_size;
  if (bytes.size() < head || path_size > bytes.size() - head) return why = "truncated", false;
  if (bytes.compare(head, path_size, path) != 0) return why = "made for another profile", false;
  Reader r(bytes, head + path_size);
  Identity stored;
  if (!r.get(stored)) return why = "truncated", false;
  if (!(stored == id)) return why = "the profile changed since it was made", false;
  uint64_t n = 0;
  if (!r.get(s.first_ns) || !r.get(s.last_ns) || !r.get(s.packets) || !r.get(s.events) || !r.get(s.last_ids) ||
      !r.get(n) || n > r.left() / 10)
    return why = "truncated", false;
  s.depths.resize(n);
  for (auto& [thread, depths] : s.depths)
    if (!r.get(thread) || !r.get(depths)) return why = "truncated", false;
  if (!r.get(n) || n > r.left() / 40) return why = "truncated", false;
  s.counters.resize(n);
  for (ui::LaneSummary::CounterRange& c : s.counters)
    if (!r.get(c.name) || !r.get(c.key) || !r.get(c.min) || !r.get(c.max) || !r.get(c.samples))
      return why = "truncated", false;
  if (!r.get(n) || n > r.left() / 5) return why = "truncated", false;
  s.minimap.resize(n);
  for (auto& [events, worst] : s.minimap)
    if (!r.get(events) || !r.get(worst)) return why = "truncated", false;
  // The flows' and periods' values are checked when the model takes them
  // (ProfileModel::adopt_kept_flows, finish_load).
  uint8_t kept = 0;
  if (!r.get(kept) || kept > 1 || !r.get(n) || n > r.left() / 8) return why = "truncated", false;
  s.flows_kept = kept == 1;
  s.flow_kinds.resize(n);
  for (std::string& kind : s.flow_kinds) {
    uint64_t size = 0;
    if (!r.get(size) || size > r.left()) return why = "truncated", false;
    kind.resize(size);
    r.get_bytes(kind.data(), size);
  }
  if (!r.get(n) || n > r.left() / sizeof(ui::FlowRecord)) return why = "truncated", false;
  r.get_array(s.flows, size_t(n));
  if (!r.get(kept) || kept > 1 || !r.get(n) || n > r.left() / sizeof(ui::LaneSummary::KeptPeriod))
    return why = "truncated", false;
  s.periods_kept = kept == 1;
  r.get_array(s.periods, size_t(n));
  if (r.left() != 0) return why = "bytes after its end", false;
  return true;
}

}  // namespace

// Written beside it, then renamed over: a reader never sees half a file.
std::string save_cache_file(const std::filesystem::path& path, const std::string& bytes) {
  std::error_code made;
  std::filesystem::create_directories(path.parent_path(), made);
  if (made) return "cannot make " + path.parent_path().string() + ": " + made.message();
  std::filesystem::permissions(path.parent_path(), std::filesystem::perms::owner_all, made);
  std::filesystem::path part = path.string() + ".part" + std::to_string(::getpid());
  {
    std::ofstream out(part, std::ios::binary | std::ios::trunc);
    if (!out) return "cannot write " + part.string() + ": " + std::strerror(errno);
    out.write(bytes.data(), std::streamsize(bytes.size()));
    if (!out.flush()) return "cannot write " + part.string();
  }
  std::error_code ec;
  std::filesystem::rename(part, path, ec);
  if (ec) {
    std::filesystem::remove(part, ec);
    return "cannot write " + path.string();
  }
  return "";
}

std::filesystem::path lane_summary_path(const std::filesystem::path& profile) {
  std::string path = absolute_profile(profile).string();
  char name[40];
  std::snprintf(name, sizeof name, "lanes-%016llx.bin", (unsigned long long)name_hash(path));
  return cache_dir() / name;
}

std::string profile_identity(const std::filesystem::path& profile) {
  Writer w;
  std::string path = absolute_profile(profile).string();
  w.put(uint64_t(path.size()));
  w.bytes += path;
  w.put(identity_of(profile));
  return std::move(w.bytes);
}

std::string keep_lane_summary(const std::filesystem::path& profile, const std::string& identity,
                              const ui::LaneSummary& summary) {
  Identity id;
  if (identity.size() < sizeof id) return "no identity of the profile";
  std::memcpy(&id, identity.data() + identity.size() - sizeof id, sizeof id);
  return save_cache_file(lane_summary_path(profile), encode(summary, id, absolute_profile(profile).string()));
}

LaneSummaryOutcome lane_summary_for(Database& db, const std::filesystem::path& profile,
                                    const std::function<void(ui::LaneSummary&)>& complete, bool facts_first) {
  auto start = std::chrono::steady_clock::now();
  LaneSummaryOutcome out;
  out.identity = profile_identity(profile);
  Identity id = identity_of(profile);
  std::string profile_path = absolute_profile(profile).string();
  std::filesystem::path path = lane_summary_path(profile);
  if (MappedFile kept(path); kept.ok()) {
    std::string why;
    bool decoded = decode(kept.bytes(), id, profile_path, out.summary, why);
    if (decoded && kept.cut_short()) decoded = false, why = "cut short while it was read";
    if (decoded) {
      out.from_file = true;
    } else {
      out.summary = {};
      out.note = path.string() + ": " + why + "; made again";
    }
  }
  if (!out.from_file && facts_first) {
    std::string why;
    if (std::optional<ui::LaneSummary> facts = ui::lane_summary_from_facts(db, why)) {
      out.summary = std::move(*facts);
      out.from_facts = true;
    } else {
      out.note += std::string(out.note.empty() ? "" : "; ") + why + ": every event is read";
    }
  }
  if (!out.from_file && !out.from_facts) {
    out.summary = ui::scan_lane_summary(db);
    if (complete) complete(out.summary);
    std::string problem = save_cache_file(path, encode(out.summary, id, profile_path));
    if (!problem.empty()) out.note = problem + " (the next view reads every event again)";
  }
  out.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return out;
}

}  // namespace lurk::server
