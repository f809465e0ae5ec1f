// What `]` / `[` step through (finding_marks.h): built from every lane, or
// grown by a follow update's new rows (ProfileModel::last_append()).
#include "core/finding_marks.h"

#include <algorithm>
#include <tuple>

namespace lurk::ui {
namespace {

// Where build() meets a mark: packet lanes first (connection * 2 +
// direction, then index), then threads (instants by index, then the thread's
// failure mark).
bool meets_before(const FindingMark& a, const FindingMark& b) { return MarkKey::of(a) < MarkKey::of(b); }

}  // namespace

MarkKey MarkKey::of(const FindingMark& m) {
  bool packet = m.item.kind == ItemKind::Packet;
  return {m.t_ns, packet ? 0 : 1, m.item.lane, m.item.kind == ItemKind::Thread ? UINT32_MAX : m.item.index};
}

bool MarkKey::operator<(const MarkKey& o) const {
  return std::tie(t, rank, lane, index) < std::tie(o.t, o.rank, o.lane, o.index);
}

void FindingMarks::add_packet_marks(const ProfileModel& model, size_t c, int dir, size_t from,
                                    std::vector<FindingMark>& into) const {
  const ConnectionLanes& connection = model.connections()[c];
  if (!connection.shown()) return;
  const auto& lane = connection.lanes[dir];
  for (size_t i = from; i < lane.size(); ++i) {
    MarkKind kind = mark_kind(lane[i].analysis, lane[i].tcp_flags);
    if (kind <= MarkKind::WindowUpdate) continue;
    into.push_back({lane[i].t_ns, kind, uint32_t(connection.group),
                    {ItemKind::Packet, uint32_t(c * 2 + size_t(dir)), uint32_t(i)}});
  }
}

bool FindingMarks::add_thread_marks(const ProfileModel& model, size_t t, size_t from,
                                    std::vector<FindingMark>& into) const {
  const ThreadLane& thread = model.threads()[t];
  bool any = false;
  for (size_t i = from; i < thread.instants.size(); ++i)
    if (thread.instants[i].kind == InstantKind::Exception) {
      any = true;
      into.push_back({thread.instants[i].t_ns, MarkKind::Exception, uint32_t(thread.group),
                      {ItemKind::Instant, uint32_t(t), uint32_t(i)}});
    }
  return any;
}

// A failed thread with no exception instant is marked at its end.
void FindingMarks::place_failure(const ProfileModel& model, size_t t, std::vector<FindingMark>& into) {
  const ThreadLane& thread = model.threads()[t];
  failure_[t] = thread.failed && !has_exception_[t] ? std::optional<int64_t>(thread.end_ns)
                                                     : std::nullopt;
  if (failure_[t])
    into.push_back({*failure_[t], MarkKind::Exception, uint32_t(thread.group),
                    {ItemKind::Thread, uint32_t(t), 0}});
}

void FindingMarks::build(const ProfileModel& model) {
  marks_.clear();
  const auto& connections = model.connections();
  for (size_t c = 0; c < connections.size(); ++c)
    for (int dir = 0; dir < 2; ++dir) add_packet_marks(model, c, dir, 0, marks_);
  const size_t threads = model.threads().size();
  has_exception_.assign(threads, false);
  failure_.assign(threads, std::nullopt);
  for (size_t t = 0; t < threads; ++t) {
    has_exception_[t] = add_thread_marks(model, t, 0, marks_);
    place_failure(model, t, marks_);
  }
  std::sort(marks_.begin(), marks_.end(), meets_before);
  regroup(model);
}

void FindingMarks::append(const ProfileModel& model) {
  const AppendDelta& delta = model.last_append();
  const size_t lanes = model.connections().size() * 2, threads = model.threads().size();
  if (failure_.size() > threads || connection_group_.size() * 2 > lanes) return build(model);
  // Marks that must go: those of lanes whose new items fell among the old
  // ones (their indices moved; marked again whole), and failure marks that
  // moved (a failed thread still open ends at the profile's end).
  std::vector<bool> redo_packets(lanes, false), redo_instants(threads, false),
      redo_failure(threads, false);
  bool drop = false;
  std::vector<FindingMark> added;
  for (size_t k = 0; k < lanes; ++k) {
    size_t from = k < delta.packets_before.size() ? delta.packets_before[k] : 0;
    if (k < delta.packets_merged.size() && delta.packets_merged[k]) drop = redo_packets[k] = true, from = 0;
    add_packet_marks(model, k / 2, int(k % 2), from, added);
  }
  has_exception_.resize(threads, false);
  failure_.resize(threads, std::nullopt);
  for (size_t t = 0; t < threads; ++t) {
    size_t from = t < delta.instants_before.size() ? delta.instants_before[t] : 0;
    bool merged = t < delta.instants_merged.size() && delta.instants_merged[t];
    if (merged) from = 0;
    std::vector<FindingMark> thread_marks;
    bool exception = add_thread_marks(model, t, from, thread_marks);
    has_exception_[t] = has_exception_[t] || exception;
    std::optional<int64_t> was = failure_[t];
    place_failure(model, t, thread_marks);
    if (merged) drop = redo_instants[t] = true;
    if (was && (merged || was != failure_[t])) drop = redo_failure[t] = true;
    else if (was) thread_marks.pop_back();  // the same mark: kept where it is
    added.insert(added.end(), thread_marks.begin(), thread_marks.end());
  }
  if (drop)
    std::erase_if(marks_, [&](const FindingMark& m) {
      switch (m.item.kind) {
        case ItemKind::Packet: return bool(redo_packets[m.item.lane]);
        case ItemKind::Instant: return bool(redo_instants[m.item.lane]);
        default: return bool(redo_failure[m.item.lane]);
      }
    });
  merge_in(added);
  regroup(model);
}

// `added`, in any order, merged into the marks: only the marks after the
// first added one move (a live profile's new marks come last).
void FindingMarks::merge_in(std::vector<FindingMark>& added) {
  if (added.empty()) return;
  std::sort(added.begin(), added.end(), meets_before);
  auto first = std::upper_bound(marks_.begin(), marks_.end(), added.front(), meets_before);
  size_t from = size_t(first - marks_.begin()), old_size = marks_.size();
  marks_.insert(marks_.end(), added.begin(), added.end());
  std::inplace_merge(marks_.begin() + ptrdiff_t(from), marks_.begin() + ptrdiff_t(old_size),
                     marks_.end(), meets_before);
}

// The marks' groups follow their lanes' (a thread the joiner put under a
// connection, the group of threads on none moving past new connections):
// one pass over the marks when any lane's group changed.
bool FindingMarks::regroup(const ProfileModel& model) {
  const auto& connections = model.connections();
  const auto& threads = model.threads();
  bool changed = connection_group_.size() != connections.size() || thread_group_.size() != threads.size();
  for (size_t c = 0; c < connections.size() && !changed; ++c)
    changed = connection_group_[c] != connections[c].group;
  for (size_t t = 0; t < threads.size() && !changed; ++t) changed = thread_group_[t] != threads[t].group;
  if (!changed) return false;
  connection_group_.resize(connections.size());
  thread_group_.resize(threads.size());
  for (size_t c = 0; c < connections.size(); ++c) connection_group_[c] = connections[c].group;
  for (size_t t = 0; t < threads.size(); ++t) thread_group_[t] = threads[t].group;
  for (FindingMark& m : marks_)
    m.group = uint32_t(m.item.kind == ItemKind::Packet ? connection_group_[m.item.lane / 2]
                                                       : thread_group_[m.item.lane]);
  return true;
}

bool FindingMarks::in_scope(size_t i, int32_t group) const {
  return group < 0 || marks_[i].group == uint32_t(group);
}

int64_t FindingMarks::next(int64_t current, double t_ns, int32_t group) const {
  size_t n = marks_.size();
  size_t start;
  if (current >= 0 && size_t(current) < n && in_scope(size_t(current), group)) {
    start = size_t(current) + 1;
  } else {
    auto it = std::upper_bound(marks_.begin(), marks_.end(), t_ns,
                               [](double t, const FindingMark& m) { return t < double(m.t_ns); });
    start = size_t(it - marks_.begin());
  }
  for (size_t k = 0; k < n; ++k)
    if (size_t i = (start + k) % n; in_scope(i, group)) return int64_t(i);
  return -1;
}

int64_t FindingMarks::previous(int64_t current, double t_ns, int32_t group) const {
  int64_t n = int64_t(marks_.size());
  int64_t start;
  if (current >= 0 && current < n && in_scope(size_t(current), group)) {
    start = current - 1;
  } else {
    auto it = std::lower_bound(marks_.begin(), marks_.end(), t_ns,
                               [](const FindingMark& m, double t) { return double(m.t_ns) < t; });
    start = int64_t(it - marks_.begin()) - 1;
  }
  for (int64_t k = 0; k < n; ++k)
    if (int64_t i = ((start - k) % n + n) % n; in_scope(size_t(i), group)) return i;
  return -1;
}

int64_t FindingMarks::find(const ItemRef& item) const {
  for (size_t i = 0; i < marks_.size(); ++i)
    if (marks_[i].item == item) return int64_t(i);
  return -1;
}

std::vector<int64_t> FindingMarks::count_by_kind(double t0_ns, double t1_ns) const {
  std::vector<int64_t> counts(size_t(MarkKind::Count), 0);
  auto it = std::lower_bound(marks_.begin(), marks_.end(), t0_ns,
                             [](const FindingMark& m, double t) { return double(m.t_ns) < t; });
  for (; it != marks_.end() && double(it->t_ns) <= t1_ns; ++it) ++counts[size_t(it->kind)];
  return counts;
}

}  // namespace lurk::ui
