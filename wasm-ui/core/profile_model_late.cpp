// ProfileModel::adopt_late_flows_and_periods (profile_model.h): a cold open
// of server-backed viewing (collector/server/background_lane_store.h) makes
// its model without reading the flows and periods (2M and 400k rows at 100M
// events, 2.5 s of CPU before the URL), which a background load of the same
// profile reads and keeps; this puts them on the model's axis, made already
// as if they had been read (finish_load, defer_flows_and_periods), so that
// from then on the model is the one a whole read makes.
#include <algorithm>

#include "core/lane_order.h"
#include "core/profile_model.h"
#include "net/time_arith.h"

namespace lurk::ui {

bool ProfileModel::adopt_late_flows_and_periods(const LaneSummary& kept) {
  if (!flows_and_periods_pending_ || !kept.flows_kept || !kept.periods_kept) return false;
  const size_t strings_before = strings_.size();
  const int64_t events_before = counts_.events;
  // adopt_kept_flows checks them against this model's lanes and counts them.
  if (!adopt_kept_flows(kept)) {
    strings_.resize(strings_before);
    flow_kinds_.clear();
    counts_.events = events_before;
    return false;
  }
  counts_.events -= deferred_flow_count_;  // counted at load (the facts' count), now the flows read
  // As shift_times moves them: each flow by its thread's display shift.
  const int64_t origin = origin_ns_;
  for (FlowRecord& f : flows_) {
    int32_t lane = f.from_thread >= 0 ? f.from_thread : f.to_thread;
    const int64_t o = saturating_sub(origin, lane >= 0 ? threads_[size_t(lane)].display_shift_ns : 0);
    f.from_ns = saturating_sub(f.from_ns, o);
    f.to_ns = saturating_sub(f.to_ns, o);
  }
  if (any_display_shift_) sort_by_time(flows_, [](const FlowRecord& f) { return f.from_ns; });
  // As add_period makes them (GC first, each kind by start: the kept order),
  // then relative to the origin; their bounds were noted at load.
  periods_.reserve(kept.periods.size());
  for (const LaneSummary::KeptPeriod& k : kept.periods) {
    PeriodRecord p;
    p.kind = k.idle ? PeriodKind::Idle : PeriodKind::Gc;
    int64_t shift = display_shift_of(k.source_id);
    p.t0_ns = saturating_sub(saturating_add(k.start_ns, shift), origin);
    p.t1_ns = saturating_sub(std::max(saturating_add(k.start_ns, shift), saturating_add(k.end_ns, shift)), origin);
    if (p.kind == PeriodKind::Gc) ++periods_split_;
    periods_.push_back(p);
  }
  flows_and_periods_pending_ = false;
  deferred_period_bounds_.clear();
  return true;
}

void ProfileModel::forgo_late_flows_and_periods() {
  if (!flows_and_periods_pending_) return;
  counts_.events -= deferred_flow_count_;  // counted at load from the facts, never read
  deferred_flow_count_ = 0;
  flows_and_periods_pending_ = false;
  deferred_period_bounds_.clear();
}

}  // namespace lurk::ui
