// FollowState (follow_state.h): the event rate and the pin rule.
#include "core/follow_state.h"

#include <algorithm>

namespace lurk::ui {
namespace {

// The sliver of the window's span by which its right edge may fall short of
// the end and still count as "at the end" (a window fitted to the whole
// profile ends 2% past it; a few pixels of drag should not unpin).
constexpr double kPinSliver = 0.01;
constexpr double kPinMargin = 0.02;

}  // namespace

void FollowState::note_poll(double now_ms, int64_t events) {
  last_poll_ms_ = now_ms;
  problem_.clear();
  samples_.emplace_back(now_ms, events);
  // Keep one sample older than the window, so the rate spans all of it.
  while (samples_.size() > 2 && samples_[1].first < now_ms - kRateWindowMs) samples_.pop_front();
}

void FollowState::note_problem(double now_ms, std::string problem) {
  (void)now_ms;
  problem_ = std::move(problem);
}

double FollowState::events_per_second(double now_ms) const {
  if (samples_.size() < 2 || !live(now_ms)) return 0;
  const auto& [first_ms, first_events] = samples_.front();
  const auto& [last_ms, last_events] = samples_.back();
  if (last_ms <= first_ms) return 0;
  return double(std::max<int64_t>(0, last_events - first_events)) * 1000.0 / (last_ms - first_ms);
}

bool FollowState::is_pinned(double t0_ns, double t1_ns, double end_ns) {
  return t1_ns >= end_ns - kPinSliver * (t1_ns - t0_ns);
}

std::pair<double, double> FollowState::pinned_window(double t0_ns, double t1_ns, double end_ns) {
  double span = t1_ns - t0_ns;
  double t1 = end_ns + kPinMargin * span;
  return {t1 - span, t1};
}

}  // namespace lurk::ui
