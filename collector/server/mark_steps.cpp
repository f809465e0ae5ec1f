// step_mark and mark_key_of (mark_steps.h): each lane's first mark past the
// cursor, by a binary search of its array and a scan from there that stops
// at its first mark (or as soon as it is past the best found so far).
#include "server/mark_steps.h"

#include <climits>
#include <cmath>

#include "core/mark_merging.h"
#include "core/mark_style.h"

namespace lurk::server {
namespace {

using ui::FindingMark;
using ui::ItemKind;
using ui::MarkKey;

bool flagged(const ui::PacketMark& p) { return ui::mark_kind(p.analysis, p.tcp_flags) > ui::MarkKind::WindowUpdate; }

bool in_scope(int32_t lane_group, int32_t group) { return group < 0 || lane_group == group; }

// The least key after the cursor (forward), or the greatest before it.
struct Best {
  bool forward = true;
  std::optional<FindingMark> mark;
  MarkKey key;
  // Whether `k` is on the cursor's far side of the best so far (nothing
  // further along its lane can be better).
  bool beaten_by_best(const MarkKey& k) const { return mark && (forward ? key < k : k < key); }
  void offer(const MarkKey& k, const FindingMark& m) {
    if (!mark || (forward ? k < key : key < k)) mark = m, key = k;
  }
};

// The first mark of one sorted lane past `cursor`: `key_at(i)` its items'
// keys (increasing), `marked(i)` whether item i is a mark.
template <typename KeyAt, typename Marked, typename MarkAt>
void step_lane(size_t n, const MarkKey& cursor, Best& best, KeyAt key_at, Marked marked, MarkAt mark_at) {
  auto time_at = [&](size_t i) { return key_at(i).t; };
  if (best.forward) {
    for (size_t i = ui::lod_detail::first_at_or_after(n, double(cursor.t), time_at); i < n; ++i) {
      MarkKey k = key_at(i);
      if (!(cursor < k)) continue;
      if (best.beaten_by_best(k)) return;
      if (marked(i)) return best.offer(k, mark_at(i));
    }
  } else {
    for (size_t i = ui::lod_detail::first_after(0, n, double(cursor.t), time_at); i-- > 0;) {
      MarkKey k = key_at(i);
      if (!(k < cursor)) continue;
      if (best.beaten_by_best(k)) return;
      if (marked(i)) return best.offer(k, mark_at(i));
    }
  }
}

bool has_exception(const LaneStore::Items<ui::InstantRecord>& instants) {
  for (size_t i = 0; i < instants.size; ++i)
    if (instants.data[i].kind == ui::InstantKind::Exception) return true;
  return false;
}

// One pass over every lane in scope; false when a lane cannot be read.
bool step_from(const LaneStore& store, const ui::ProfileModel& model, const MarkKey& cursor, int32_t group,
               Best& best) {
  for (uint32_t c = 0; c < model.connections().size(); ++c) {
    const ui::ConnectionLanes& connection = model.connections()[c];
    if (!connection.shown() || !in_scope(connection.group, group)) continue;
    for (int dir = 0; dir < 2; ++dir) {
      std::optional<LaneStore::Items<ui::PacketMark>> items = store.packets_of(model, c, dir);
      if (!items) return false;
      const ui::PacketMark* p = items->data;
      uint32_t lane = c * 2 + uint32_t(dir);
      step_lane(
          items->size, cursor, best, [&](size_t i) { return MarkKey{p[i].t_ns, 0, lane, uint32_t(i)}; },
          [&](size_t i) { return flagged(p[i]); },
          [&](size_t i) {
            return FindingMark{p[i].t_ns, ui::mark_kind(p[i].analysis, p[i].tcp_flags), uint32_t(connection.group),
                               {ItemKind::Packet, lane, uint32_t(i)}};
          });
    }
  }
  for (uint32_t t = 0; t < model.threads().size(); ++t) {
    const ui::ThreadLane& thread = model.threads()[t];
    if (!in_scope(thread.group, group)) continue;
    std::optional<LaneStore::Items<ui::InstantRecord>> items = store.instants_of(model, t);
    if (!items) return false;
    const ui::InstantRecord* in = items->data;
    step_lane(
        items->size, cursor, best, [&](size_t i) { return MarkKey{in[i].t_ns, 1, t, uint32_t(i)}; },
        [&](size_t i) { return in[i].kind == ui::InstantKind::Exception; },
        [&](size_t i) {
          return FindingMark{in[i].t_ns, ui::MarkKind::Exception, uint32_t(thread.group), {ItemKind::Instant, t, uint32_t(i)}};
        });
    if (thread.failed && !has_exception(*items)) {
      FindingMark m{thread.end_ns, ui::MarkKind::Exception, uint32_t(thread.group), {ItemKind::Thread, t, 0}};
      MarkKey k = MarkKey::of(m);
      if (best.forward ? cursor < k : k < cursor) best.offer(k, m);
    }
  }
  return true;
}

int64_t clamped(double t) { return t <= -9.2e18 ? INT64_MIN : t >= 9.2e18 ? INT64_MAX : int64_t(t); }

}  // namespace

std::optional<FindingMark> step_mark(const LaneStore& store, const ui::ProfileModel& model, const MarkCursor& cursor,
                                     bool forward, int32_t group, bool& none) {
  none = false;
  // From a time: forward, the first mark strictly after it; backward, the
  // last strictly before it (FindingMarks::next / previous).
  MarkKey from = cursor.current ? *cursor.current
                 : forward      ? MarkKey{clamped(std::floor(cursor.t_ns)), INT_MAX, UINT32_MAX, UINT32_MAX}
                                : MarkKey{clamped(std::ceil(cursor.t_ns)), INT_MIN, 0, 0};
  Best best;
  best.forward = forward;
  if (!step_from(store, model, from, group, best)) return std::nullopt;
  if (!best.mark) {  // around: from the start (or the end)
    MarkKey end = forward ? MarkKey{INT64_MIN, INT_MIN, 0, 0} : MarkKey{INT64_MAX, INT_MAX, UINT32_MAX, UINT32_MAX};
    if (!step_from(store, model, end, group, best)) return std::nullopt;
  }
  none = !best.mark;
  return best.mark;
}

std::optional<FindingMark> mark_of(const LaneStore& store, const ui::ProfileModel& model, const ui::ItemRef& item) {
  if (item.kind == ItemKind::Packet) {
    uint32_t c = item.lane / 2;
    if (c >= model.connections().size() || !model.connections()[c].shown()) return std::nullopt;
    std::optional<LaneStore::Items<ui::PacketMark>> items = store.packets_of(model, c, int(item.lane % 2));
    if (!items || item.index >= items->size || !flagged(items->data[item.index])) return std::nullopt;
    const ui::PacketMark& p = items->data[item.index];
    return FindingMark{p.t_ns, ui::mark_kind(p.analysis, p.tcp_flags), uint32_t(model.connections()[c].group),
                       {ItemKind::Packet, item.lane, item.index}};
  }
  if ((item.kind != ItemKind::Instant && item.kind != ItemKind::Thread) || item.lane >= model.threads().size())
    return std::nullopt;
  const ui::ThreadLane& thread = model.threads()[item.lane];
  std::optional<LaneStore::Items<ui::InstantRecord>> items = store.instants_of(model, item.lane);
  if (!items) return std::nullopt;
  if (item.kind == ItemKind::Instant) {
    if (item.index >= items->size || items->data[item.index].kind != ui::InstantKind::Exception) return std::nullopt;
    return FindingMark{items->data[item.index].t_ns, ui::MarkKind::Exception, uint32_t(thread.group),
                       {ItemKind::Instant, item.lane, item.index}};
  }
  if (!thread.failed || has_exception(*items)) return std::nullopt;
  return FindingMark{thread.end_ns, ui::MarkKind::Exception, uint32_t(thread.group), {ItemKind::Thread, item.lane, 0}};
}

}  // namespace lurk::server
