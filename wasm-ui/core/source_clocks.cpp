// Source clocks for display: see source_clocks.h.
#include "core/source_clocks.h"

#include <algorithm>
#include <optional>

#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

// Widens each source's [first, last] with one table's times.
void widen(Database& db, const char* sql, std::vector<SourceClock>& sources) {
  Statement s = db.prepare(sql);
  while (s.step()) {
    if (s.column_is_null(0) || s.column_is_null(1)) continue;
    int64_t id = s.column_int(0);
    auto it = std::find_if(sources.begin(), sources.end(),
                           [&](const SourceClock& c) { return c.id == id; });
    if (it == sources.end()) continue;
    int64_t lo = s.column_int(1), hi = s.column_is_null(2) ? lo : s.column_int(2);
    it->first_ns = it->has_times ? std::min(it->first_ns, lo) : lo;
    it->last_ns = it->has_times ? std::max(it->last_ns, hi) : hi;
    it->has_times = true;
  }
}

// On a clock of its own that nobody aligned: the clock pass said so, or the
// profile predates clocks (upgraded from version 1: a CTF trace, not looked at).
bool own_clock(const SourceClock& c) {
  return c.how == "not-aligned" || (c.how.empty() && c.domain == "own");
}

}  // namespace

std::vector<SourceClock> load_source_clocks(Database& db, const std::map<int64_t, int64_t>& by_hand) {
  std::vector<SourceClock> sources;
  Statement s = db.prepare(
      "SELECT id, path, format, clock_domain, clock_how, clock_evidence, clock_offset_ns "
      "FROM sources ORDER BY id");
  while (s.step()) {
    SourceClock c;
    c.id = s.column_int(0);
    c.path = s.column_text(1);
    c.format = s.column_text(2);
    c.domain = s.column_text(3);
    c.how = s.column_text(4);
    c.evidence = s.column_text(5);
    c.offset_ns = s.column_int(6);
    sources.push_back(std::move(c));
  }
  bool separate = std::any_of(sources.begin(), sources.end(),
                              [](const SourceClock& c) { return own_clock(c); });
  if ((!separate || sources.size() < 2) && by_hand.empty()) return sources;
  // Bounds per source: only needed when some source is drawn moved.
  widen(db, "SELECT source_id, min(first_ns), max(last_ns) FROM connections GROUP BY 1", sources);
  widen(db, "SELECT source_id, min(start_ns), max(coalesce(end_ns, start_ns)) FROM threads "
            "GROUP BY 1", sources);
  widen(db, "SELECT source_id, min(ts_ns), max(ts_ns) FROM instants GROUP BY 1", sources);
  widen(db, "SELECT source_id, min(ts_ns), max(ts_ns) FROM counters GROUP BY 1", sources);
  widen(db, "SELECT source_id, min(start_ns), max(end_ns) FROM periods GROUP BY 1", sources);
  // The main clock: the captures' (with every source aligned to it), else
  // the first source's with times.
  std::optional<int64_t> main_first;
  for (const SourceClock& c : sources)
    if (c.has_times && !own_clock(c))
      main_first = main_first ? std::min(*main_first, c.first_ns) : c.first_ns;
  for (SourceClock& c : sources) {
    if (!c.has_times) continue;
    if (auto hand = by_hand.find(c.id); hand != by_hand.end()) {
      c.display_shift_ns = hand->second;
      c.own_axis = c.by_hand = true;
    } else if (own_clock(c)) {
      if (!main_first) main_first = c.first_ns;  // the first such source is the main clock
      c.display_shift_ns = *main_first - c.first_ns;
      c.own_axis = c.display_shift_ns != 0;
    }
  }
  return sources;
}

}  // namespace lurk::ui
