// LaneStoreReader and the store's summary block (lane_store_format.h).
#include "core/lane_store_format.h"

#include <cstring>
#include <type_traits>

#include "core/mark_style.h"
#include "core/profile_model.h"
#include "core/severity_pyramid.h"
#include "net/time_arith.h"

namespace lurk::ui {

using lane_store_format::Entry;
using lane_store_format::Footer;
using lane_store_format::LaneKind;
using lane_store_format::aligned_up;

namespace lane_store_format {

// Eight bytes at a time: a byte b <= 0x7f is above 9 exactly when b + 0x76
// sets its top bit (no carry into the next byte); one with its top bit set
// is caught by `word` itself.
bool all_mark_kinds(const uint8_t* bytes, size_t count) {
  static_assert(uint8_t(MarkKind::Count) == 10, "the constant below is 0x80 - 10");
  constexpr uint64_t kOnes = 0x0101010101010101ull;
  uint64_t bad = 0;
  size_t i = 0;
  for (; i + 8 <= count; i += 8) {
    uint64_t word;
    std::memcpy(&word, bytes + i, 8);
    bad |= word | (word + 0x76 * kOnes);
  }
  for (; i < count; ++i) bad |= uint64_t(bytes[i] >= uint8_t(MarkKind::Count)) << 7;
  return (bad & (0x80 * kOnes)) == 0;
}

namespace {
void put64(std::string& out, const void* value) { out.append(static_cast<const char*>(value), 8); }
}  // namespace

// Eight-byte fields: the bounds, the counts, the last row ids, then the
// depths (thread id, depth count) and the counter ranges (name, key, min,
// max, samples), each list after its length.
std::string encode_summary(const LaneSummary& s) {
  std::string out;
  for (const int64_t* v : {&s.first_ns, &s.last_ns, &s.packets, &s.events, &s.last_ids.packets,
                           &s.last_ids.spans, &s.last_ids.instants, &s.last_ids.counters})
    put64(out, v);
  uint64_t n = s.depths.size();
  put64(out, &n);
  for (const auto& [id, depths] : s.depths) {
    int64_t d = depths;
    put64(out, &id);
    put64(out, &d);
  }
  n = s.counters.size();
  put64(out, &n);
  for (const LaneSummary::CounterRange& c : s.counters) {
    put64(out, &c.name);
    put64(out, &c.key);
    put64(out, &c.min);
    put64(out, &c.max);
    put64(out, &c.samples);
  }
  return out;
}

}  // namespace lane_store_format

bool LaneStoreReader::decode_summary(uint64_t at, uint64_t length, std::string& why) {
  const char* p = bytes_ + at;
  uint64_t left = length / 8;
  auto take = [&](void* value) {
    if (left == 0) return false;
    std::memcpy(value, p, 8);
    p += 8;
    --left;
    return true;
  };
  LaneSummary s;
  uint64_t depths = 0, counters = 0;
  bool ok = length % 8 == 0 && take(&s.first_ns) && take(&s.last_ns) && take(&s.packets) && take(&s.events) &&
            take(&s.last_ids.packets) && take(&s.last_ids.spans) && take(&s.last_ids.instants) &&
            take(&s.last_ids.counters) && take(&depths) && depths <= left / 2;
  for (uint64_t i = 0; ok && i < depths; ++i) {
    int64_t id = 0, d = 0;
    ok = take(&id) && take(&d) && d >= 0 && d <= 0xffff && (s.depths.empty() || s.depths.back().first < id);
    if (ok) s.depths.emplace_back(id, uint16_t(d));
  }
  ok = ok && take(&counters) && counters <= left / 5 && left == counters * 5;
  for (uint64_t i = 0; ok && i < counters; ++i) {
    LaneSummary::CounterRange c;
    ok = take(&c.name) && take(&c.key) && take(&c.min) && take(&c.max) && take(&c.samples);
    s.counters.push_back(c);
  }
  if (!ok) {
    why = "its lane summary is damaged";
    return false;
  }
  summary_ = std::move(s);
  return true;
}

bool LaneStoreReader::parse_head(const char* bytes, uint64_t size, uint64_t tail, const std::string* identity,
                                 std::string& why) {
  bytes_ = bytes;
  size_ = size;
  constexpr uint64_t kHead = sizeof lane_store_format::kMagic + sizeof(uint64_t);
  if (size < kHead + tail) return why = "truncated", false;
  uint64_t identity_size = 0;
  std::memcpy(&identity_size, bytes + sizeof lane_store_format::kMagic, sizeof identity_size);
  if (std::memcmp(bytes, lane_store_format::kMagic, sizeof lane_store_format::kMagic) != 0 ||
      identity_size > size - kHead - tail)
    return why = "not a lane store of this lurk", false;
  head_ = kHead + identity_size;
  if (identity && (identity->size() != identity_size || std::memcmp(bytes + kHead, identity->data(), identity_size) != 0))
    return why = "the profile changed since it was made", false;
  return true;
}

bool LaneStoreReader::entries_inside(std::string& why) const {
  for (const Entry& e : entries_)
    if (e.at < head_ || e.at > lanes_end_) return why = "damaged (an entry lies outside its lanes)", false;
  return true;
}

bool LaneStoreReader::parse(const char* bytes, uint64_t size, const std::string* identity, std::string& why) {
  if (!parse_head(bytes, size, sizeof(Footer), identity, why)) return false;
  Footer footer;
  std::memcpy(&footer, bytes + size - sizeof footer, sizeof footer);
  uint64_t index_room = size - sizeof footer;
  if (std::memcmp(footer.end, lane_store_format::kEnd, sizeof footer.end) != 0 || footer.index_at < head_ + 8 ||
      footer.index_at > index_room || footer.index_at % alignof(Entry) != 0 ||
      (index_room - footer.index_at) % sizeof(Entry) != 0 ||
      footer.entries != (index_room - footer.index_at) / sizeof(Entry))
    return why = "truncated or damaged (its index)", false;
  uint64_t summary_size = 0;
  std::memcpy(&summary_size, bytes + footer.index_at - 8, 8);
  if (summary_size > footer.index_at - 8 - head_) return why = "truncated or damaged (its lane summary)", false;
  lanes_end_ = footer.index_at - 8 - summary_size;
  if (!decode_summary(lanes_end_, summary_size, why)) return false;
  entries_.resize(size_t(footer.entries));
  if (!entries_.empty()) std::memcpy(entries_.data(), bytes + footer.index_at, entries_.size() * sizeof(Entry));
  return entries_inside(why);
}

bool LaneStoreReader::parse_being_written(const char* bytes, uint64_t lanes_end, std::vector<Entry> entries,
                                          std::string& why) {
  if (!parse_head(bytes, lanes_end, 0, nullptr, why)) return false;
  lanes_end_ = lanes_end;
  summary_ = LaneSummary();
  entries_ = std::move(entries);
  return entries_inside(why);
}

bool LaneStoreReader::index_for(const ProfileModel& model, std::string& why) {
  connections_.assign(model.connections().size(), nullptr);
  threads_.assign(model.threads().size(), nullptr);
  counters_.assign(model.counters().size(), nullptr);
  for (const Entry& e : entries_) {
    auto* by_index = e.kind == LaneKind::Connection ? &connections_
                     : e.kind == LaneKind::Thread   ? &threads_
                     : e.kind == LaneKind::Counter  ? &counters_
                                                    : nullptr;
    if (!by_index || e.index >= by_index->size())
      return why = "damaged (an entry names no lane of this profile)", false;
    (*by_index)[e.index] = &e;
  }
  return true;
}

const Entry* LaneStoreReader::entry(LaneKind kind, uint32_t index) const {
  const auto& by_index = kind == LaneKind::Connection ? connections_ : kind == LaneKind::Thread ? threads_ : counters_;
  return index < by_index.size() ? by_index[index] : nullptr;
}

template <typename T>
bool LaneStoreReader::place(uint64_t& at, uint64_t count, StoredLane& lane, int k) const {
  static_assert(std::is_trivially_copyable_v<T>);
  at = aligned_up(at, alignof(T));
  if (at > lanes_end_ || count > (lanes_end_ - at) / sizeof(T)) return false;
  lane.at[k] = at;
  lane.count[k] = count;
  at += count * sizeof(T);
  return true;
}

uint64_t LaneStoreReader::pyramid_bytes(uint64_t items) {
  uint64_t bytes = 0;
  for (size_t level : SeverityPyramid::level_sizes(size_t(items))) bytes += level;
  return bytes;
}

bool LaneStoreReader::place_pyramid(uint64_t& at, uint64_t items, StoredLane& lane, int k) const {
  uint64_t bytes = pyramid_bytes(items);
  if (at > lanes_end_ || bytes > lanes_end_ - at) return false;
  lane.at[k] = at;
  lane.count[k] = items;
  at += bytes;
  return true;
}

bool LaneStoreReader::pyramid(const StoredLane& lane, int k, SeverityPyramid& out) const {
  std::vector<size_t> sizes = SeverityPyramid::level_sizes(size_t(lane.count[k]));
  std::vector<std::vector<uint8_t>> levels(sizes.size());
  const uint8_t* at = reinterpret_cast<const uint8_t*>(bytes_ + lane.at[k]);
  for (size_t i = 0; i < sizes.size(); ++i) {
    if (!lane_store_format::all_mark_kinds(at, sizes[i])) return false;
    levels[i].assign(at, at + sizes[i]);
    at += sizes[i];
  }
  return out.adopt(std::move(levels));
}

namespace {
int64_t offset_of(const ProfileModel& model, int64_t display_shift_ns) {
  return saturating_sub(model.origin_ns(), display_shift_ns);
}
}  // namespace

std::optional<StoredLane> LaneStoreReader::connection(const ProfileModel& model, uint32_t index) const {
  StoredLane lane;
  lane.entry = entry(LaneKind::Connection, index);
  if (!lane.entry || index >= model.connections().size()) return std::nullopt;
  const Entry& e = *lane.entry;
  const ConnectionLanes& c = model.connections()[index];
  if (e.key0 != c.id || e.offset_ns != offset_of(model, c.display_shift_ns)) return std::nullopt;
  uint64_t at = e.at;
  if (!place<PacketMark>(at, e.counts[0], lane, 0) || !place<PacketMark>(at, e.counts[1], lane, 1) ||
      !place_pyramid(at, e.counts[0], lane, 2) || !place_pyramid(at, e.counts[1], lane, 3))
    return std::nullopt;
  lane.end = at;
  return lane;
}

std::optional<StoredLane> LaneStoreReader::thread(const ProfileModel& model, uint32_t index) const {
  StoredLane lane;
  lane.entry = entry(LaneKind::Thread, index);
  if (!lane.entry || index >= model.threads().size()) return std::nullopt;
  const Entry& e = *lane.entry;
  const ThreadLane& t = model.threads()[index];
  if (e.key0 != t.id || e.offset_ns != offset_of(model, t.display_shift_ns)) return std::nullopt;
  uint64_t at = e.at;
  if (!place<SpanRecord>(at, e.counts[0], lane, 0) || !place<uint32_t>(at, e.counts[1], lane, 1) ||
      !place<SpanRecord>(at, e.counts[2], lane, 2) || !place<InstantRecord>(at, e.counts[3], lane, 3) ||
      !place_pyramid(at, e.counts[3], lane, 4))
    return std::nullopt;
  lane.end = at;
  // The layout already counts this thread's depths (from the summary): a
  // depth table that disagrees, or does not index its spans, is not this lane.
  uint64_t entries = e.counts[1];
  int depths = entries == 0 ? 0 : int(entries) - 1;
  if (entries > 0x10001 || depths != t.depth_count()) return std::nullopt;
  if (entries == 0) return e.counts[0] == 0 ? std::optional<StoredLane>(lane) : std::nullopt;
  const uint32_t* table = items<uint32_t>(lane, 1);
  if (table[0] != 0 || table[entries - 1] != e.counts[0]) return std::nullopt;
  for (uint64_t d = 1; d < entries; ++d)
    if (table[d] < table[d - 1]) return std::nullopt;
  return lane;
}

std::optional<StoredLane> LaneStoreReader::counter(const ProfileModel& model, uint32_t index) const {
  StoredLane lane;
  lane.entry = entry(LaneKind::Counter, index);
  if (!lane.entry || index >= model.counters().size()) return std::nullopt;
  const Entry& e = *lane.entry;
  const CounterLane& c = model.counters()[index];
  if (e.key0 != int64_t(c.name) || e.key1 != c.key || e.offset_ns != offset_of(model, c.display_shift_ns))
    return std::nullopt;
  uint64_t at = e.at;
  if (!place<CounterSample>(at, e.counts[0], lane, 0)) return std::nullopt;
  lane.end = at;
  return lane;
}

}  // namespace lurk::ui
