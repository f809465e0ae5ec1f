// `lurk export --window`: the window a user names, as the timeline shows
// it, turned into the stored times a cut takes (export/window_cut.h).
#pragma once

#include <string>

#include "export/window_cut.h"

namespace lurk {
class Database;
}

namespace lurk::cli {

struct NamedWindow {
  double from_ns = 0, to_ns = 0;  // on the timeline's axis: ns from the profile's start
  std::string problem;            // "": read
};

// "FROM,TO" (durations from the profile's start: "12.5s,14.5s", "1500ms,2s",
// bare ns), or a lurk link or its hash ("...#v=1&t=T0,T1&..."), whose
// window it takes (its clock offsets set by hand come with it: `link`).
NamedWindow read_named_window(const std::string& text, std::string& link_hash);

// The stored times of `window` in `db`'s profile: its start (the timeline's
// 0) and each source's display shift (a clock aligned by hand in the link,
// or one nobody aligned) as the UI works them out (ProfileModel's outline).
CutWindow stored_window(Database& db, const NamedWindow& window, const std::string& link_hash);

}  // namespace lurk::cli
