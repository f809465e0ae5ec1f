// The window of `lurk export --window` (export_window.h).
#include "cli/export_window.h"

#include "cli/duration_arg.h"
#include "core/lane_summary.h"
#include "core/profile_model.h"
#include "core/view_state.h"
#include "core/window_of_view.h"

namespace lurk::cli {

NamedWindow read_named_window(const std::string& text, std::string& link_hash) {
  NamedWindow w;
  link_hash.clear();
  if (text.find("t=") != std::string::npos) {
    size_t hash = text.find('#');
    link_hash = hash == std::string::npos ? text : text.substr(hash + 1);
    ui::ParsedView parsed = ui::view_from_hash(link_hash, ui::ViewState{});
    if (!parsed.state.window) {
      w.problem = "the link names no time window (t=FROM,TO)";
      for (const std::string& p : parsed.problems) w.problem += "; " + p;
      return w;
    }
    w.from_ns = parsed.state.window->first;
    w.to_ns = parsed.state.window->second;
    return w;
  }
  size_t comma = text.find(',');
  std::optional<int64_t> from = comma == std::string::npos ? std::nullopt : parse_duration_ns(text.substr(0, comma));
  std::optional<int64_t> to = comma == std::string::npos ? std::nullopt : parse_duration_ns(text.substr(comma + 1));
  if (!from || !to || *to <= *from) {
    w.problem = "'" + text + "' is not FROM,TO (two increasing durations from the profile's start, e.g. "
                "12.5s,14.5s) nor a lurk link with a window (t=)";
    return w;
  }
  w.from_ns = double(*from);
  w.to_ns = double(*to);
  return w;
}

CutWindow stored_window(Database& db, const NamedWindow& window, const std::string& link_hash) {
  std::map<int64_t, int64_t> by_hand;
  if (!link_hash.empty()) by_hand = ui::view_from_hash(link_hash, ui::ViewState{}).state.clock_by_hand;
  std::string why;
  std::optional<ui::LaneSummary> summary = ui::lane_summary_from_facts(db, why);
  // (From the lane facts the flows and periods need not be read: the time
  // axis is known without them.)
  ui::ProfileModel outline = summary ? ui::ProfileModel::load_outline(db, *summary, by_hand, nullptr, true)
                                     : ui::ProfileModel::load_outline(db, ui::scan_lane_summary(db), by_hand);
  return ui::stored_window(outline, window.from_ns, window.to_ns);
}

}  // namespace lurk::cli
