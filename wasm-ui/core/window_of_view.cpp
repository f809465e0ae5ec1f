// The stored times of a timeline window (window_of_view.h).
#include "core/window_of_view.h"

#include <cmath>

#include "net/time_arith.h"

namespace lurk::ui {

CutWindow stored_window(const ProfileModel& model, double from_ns, double to_ns) {
  // In integers: a Unix time in ns is past a double's whole numbers.
  auto at = [&](double relative, int64_t shift, bool end) {
    double whole = end ? std::ceil(relative) : std::floor(relative);
    int64_t r = whole <= -9.2e18 ? INT64_MIN : whole >= 9.2e18 ? INT64_MAX : int64_t(whole);
    return saturating_sub(saturating_add(model.origin_ns(), r), shift);
  };
  CutWindow cut;
  cut.all = {at(from_ns, 0, false), at(to_ns, 0, true)};
  for (const SourceClock& s : model.sources())
    if (s.display_shift_ns != 0)
      cut.by_source[s.id] = {at(from_ns, s.display_shift_ns, false), at(to_ns, s.display_shift_ns, true)};
  return cut;
}

}  // namespace lurk::ui
