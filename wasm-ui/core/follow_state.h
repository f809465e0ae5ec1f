// Following a growing profile in the UI (docs/live.md, "Following a profile
// as it grows"): whether the server offers it and the user wants it, the
// event rate the live indicator shows, and the log-tail rule for the view:
// pinned to "now" while the window's right edge is at the profile's end
// (then it moves with the end as data arrives), left where it is otherwise.
// Portable: the page's polling is in web/lurk-follow.js, the drawing in
// app/ui_app_follow.cpp.
#pragma once

#include <cstdint>
#include <deque>
#include <string>
#include <utility>

namespace lurk::ui {

class FollowState {
 public:
  // The rate is measured over this much wall time.
  static constexpr double kRateWindowMs = 2000;
  // A poll answered within this long keeps the indicator "live".
  static constexpr double kStaleMs = 3000;

  void set_available(bool available) { available_ = available; on_ = available; }
  bool available() const { return available_; }
  bool on() const { return available_ && on_; }
  void set_on(bool on) { on_ = on; }

  // After each answered poll (new rows or not): the profile's event count then.
  void note_poll(double now_ms, int64_t events);
  // The page could not poll (network, server busy): said by the indicator.
  void note_problem(double now_ms, std::string problem);
  void note_update() { ++updates_; }
  double events_per_second(double now_ms) const;
  bool live(double now_ms) const { return on() && last_poll_ms_ >= 0 && now_ms - last_poll_ms_ < kStaleMs; }
  const std::string& problem() const { return problem_; }
  uint64_t updates() const { return updates_; }

  // True when a window [t0, t1] (ns from the origin) shows the end of a
  // profile `end_ns` long: its right edge at or past the end, less a sliver.
  static bool is_pinned(double t0_ns, double t1_ns, double end_ns);
  // The window of the same span, moved so that it shows the end (with the
  // margin TimeWindow::fit leaves).
  static std::pair<double, double> pinned_window(double t0_ns, double t1_ns, double end_ns);

 private:
  bool available_ = false, on_ = false;
  std::deque<std::pair<double, int64_t>> samples_;  // (wall ms, events), last kRateWindowMs
  double last_poll_ms_ = -1;
  std::string problem_;
  uint64_t updates_ = 0;
};

}  // namespace lurk::ui
