#include "core/finding_target.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <optional>

#include "net/time_arith.h"

namespace lurk::ui {
namespace {

bool is_thread_kind(const std::string& kind) {
  return kind == "exception" || kind == "connection-end-exception" || kind == "never-resolved";
}

// The connection a finding names, as the timeline shows it: a trace's copy of
// a captured connection is shown as the capture's.
int32_t shown_connection(const ProfileModel& model, const FindingRow& f) {
  if (!f.connection_id) return -1;
  int32_t c = model.connection_index(*f.connection_id);
  if (c >= 0 && !model.connections()[size_t(c)].shown()) c = model.connections()[size_t(c)].same_as;
  return c;
}

// The packet of connection `c` at `t` (relative): an exact time match, one
// wearing the finding's colour first; else the nearest packet.
std::optional<ItemRef> packet_at(const ProfileModel& model, int32_t c, int64_t t, MarkKind mark) {
  const ConnectionLanes& conn = model.connections()[size_t(c)];
  std::optional<ItemRef> exact, nearest;
  int64_t nearest_gap = INT64_MAX;
  for (int dir = 0; dir < 2; ++dir) {
    const auto& lane = conn.lanes[dir];
    auto it = std::lower_bound(lane.begin(), lane.end(), t,
                               [](const PacketMark& p, int64_t v) { return p.t_ns < v; });
    for (auto at = it; at != lane.end() && at->t_ns == t; ++at) {
      ItemRef ref{ItemKind::Packet, uint32_t(c) * 2 + uint32_t(dir), uint32_t(at - lane.begin())};
      if (mark_kind(at->analysis, at->tcp_flags) == mark) return ref;
      if (!exact) exact = ref;
    }
    for (auto at : {it, it == lane.begin() ? lane.end() : it - 1}) {
      if (at == lane.end()) continue;
      int64_t gap = std::llabs(at->t_ns - t);
      if (gap < nearest_gap) {
        nearest_gap = gap;
        nearest = ItemRef{ItemKind::Packet, uint32_t(c) * 2 + uint32_t(dir), uint32_t(at - lane.begin())};
      }
    }
  }
  return exact ? exact : nearest;
}

// The thread's exception instant at `t`; else its last one before `t` (a
// failed thread's finding is at its end, which the exception that killed it
// precedes); else the thread itself. The instant carries the message and stack.
ItemRef exception_item(const ProfileModel& model, int32_t thread, std::optional<int64_t> t) {
  const ThreadLane& lane = model.threads()[size_t(thread)];
  std::optional<uint32_t> before;
  for (size_t i = 0; t && i < lane.instants.size() && lane.instants[i].t_ns <= *t; ++i) {
    if (lane.instants[i].kind != InstantKind::Exception) continue;
    if (lane.instants[i].t_ns == *t) return {ItemKind::Instant, uint32_t(thread), uint32_t(i)};
    before = uint32_t(i);
  }
  if (before) return {ItemKind::Instant, uint32_t(thread), *before};
  return {ItemKind::Thread, uint32_t(thread), 0};
}

void fit(FindingTarget& target, double t0, double t1) {
  double d = std::max(t1 - t0, kPointWindowMinNs);
  target.has_window = true;
  target.t0_ns = t0 - kFindingMargin * d;
  target.t1_ns = t1 + kFindingMargin * d;
}

void fit_point(FindingTarget& target, double t, double context_ns) {
  double w = std::clamp(context_ns / 50, kPointWindowMinNs, kPointWindowMaxNs);
  target.has_window = true;
  target.t0_ns = t - w / 2;
  target.t1_ns = t + w / 2;
}

}  // namespace

FindingLane finding_lane(const ProfileModel& model, const FindingRow& f) {
  int32_t thread = f.thread_id ? model.thread_index(*f.thread_id) : -1;
  int32_t c = shown_connection(model, f);
  if (thread >= 0 && (is_thread_kind(f.kind) || c < 0)) return {thread, -1};
  return {-1, c};
}

FindingTarget finding_target(const ProfileModel& model, const FindingRow& f) {
  FindingTarget target;
  std::optional<int64_t> ts;
  if (f.ts_ns) ts = saturating_sub(*f.ts_ns, model.origin_ns());  // a hostile ts may be ±2^63
  int64_t duration = std::max<int64_t>(0, f.duration_ns.value_or(0));
  auto [thread, c] = finding_lane(model, f);

  if (thread >= 0) {
    const ThreadLane& lane = model.threads()[size_t(thread)];
    target.item = f.kind == "never-resolved" ? ItemRef{ItemKind::Thread, uint32_t(thread), 0}
                                             : exception_item(model, thread, ts);
    double t0 = double(lane.start_ns), t1 = double(lane.end_ns);
    if (ts && duration > 0) t0 = double(*ts), t1 = double(saturating_add(*ts, duration));
    if (ts) t0 = std::min(t0, double(*ts)), t1 = std::max(t1, double(*ts));
    fit(target, t0, t1);
  } else if (c >= 0) {
    const ConnectionLanes& conn = model.connections()[size_t(c)];
    std::optional<ItemRef> packet;
    if (ts) packet = packet_at(model, c, *ts, f.mark);
    target.item = packet ? *packet : ItemRef{ItemKind::Group, uint32_t(conn.group), 0};
    if (ts && duration > 0) fit(target, double(*ts), double(saturating_add(*ts, duration)));
    else if (ts) fit_point(target, double(*ts), double(saturating_sub(conn.last_ns, conn.first_ns)));
    else fit(target, double(conn.first_ns), double(conn.last_ns));
  } else if (ts) {
    if (duration > 0) fit(target, double(*ts), double(saturating_add(*ts, duration)));
    else fit_point(target, double(*ts), double(model.duration_ns()));
  }
  return target;
}

}  // namespace lurk::ui
