// The timeline panel's part of a shared link (core/view_state.h): what it
// puts in a view (range, vertical scroll, selection, folded groups, row
// layout) and how it
// takes one back, opening what still applies to this profile and naming
// what does not.
#include <algorithm>
#include <cmath>

#include "app/timeline_panel.h"
#include "core/view_selection.h"

namespace lurk::ui {

void TimelinePanel::capture_view(const ProfileModel& model, ViewState& v) const {
  v.window = std::make_pair(window_.t0(), window_.t1());
  v.selection = selection_token(model, selected_);
  // Folded groups: listed, or (when most are) "all but" the unfolded ones.
  size_t folded = size_t(std::count(collapsed_.begin(), collapsed_.end(), true));
  v.fold_all = folded > 0 && folded * 2 > collapsed_.size();
  v.fold.clear();
  for (uint32_t g = 0; g < collapsed_.size() && g < model.groups().size(); ++g)
    if (collapsed_[g] != v.fold_all) v.fold.push_back(group_key(model, g));
  v.packed = packed_;
  v.hide_idle = hide_idle_;
  v.scroll_y = std::round(scroll_y_);  // whole pixels: links stay short
}

void TimelinePanel::restore_view(const ProfileModel& model, const ViewState& v,
                                 std::vector<std::string>& problems) {
  packed_ = v.packed;
  hide_idle_ = v.hide_idle;
  collapsed_.assign(model.groups().size(), v.fold_all);
  std::vector<std::string> unknown;
  for (const std::string& key : v.fold) {
    if (std::optional<uint32_t> g = group_of_key(model, key)) collapsed_[*g] = !v.fold_all;
    else unknown.push_back(key);
  }
  if (!unknown.empty()) {
    std::string list;
    for (const std::string& key : unknown) list += (list.empty() ? "" : ", ") + key;
    problems.push_back("folded group" + std::string(unknown.size() > 1 ? "s " : " ") + list +
                       (unknown.size() > 1 ? " are" : " is") + " not in this profile");
  }
  relayout(model);

  ResolvedSelection picked = resolve_selection(model, v.selection);
  if (!picked.problem.empty()) problems.push_back(picked.problem);
  selected_ = {};
  highlighted_group_.reset();
  measure_.reset();
  if (picked.item) {
    select(model, picked.item, false);
    // A selected item inside a folded group unfolds it (as selecting does).
    if (picked.item.kind != ItemKind::Group) ensure_visible_row(model, picked.item);
  } else {
    finding_current_ = -1;
    update_selection_ids(model);
  }
  // Laid out again with the link's highlighted group (its rows fitted), so
  // that the next frame does not take it for a new click and reveal the
  // selected row over the link's scroll.
  relayout(model);

  // Last: the link's scroll is where the user had it with that selection
  // (drawing clamps it to the rows), so it wins over revealing the selected
  // item's row; a link without one (scrolled to the top, or older) reveals it.
  scroll_y_ = float(v.scroll_y);
  if (v.scroll_y > 0) item_to_reveal_.reset();

  double duration = double(model.duration_ns());
  window_.fit(duration);
  if (v.window) {
    auto [t0, t1] = *v.window;
    if (t1 <= 0 || t0 >= std::max(duration, 1.0))
      problems.push_back("the time range of the link lies outside this trace: showing the whole trace");
    else
      window_.set(t0, t1);
  }
}

}  // namespace lurk::ui
