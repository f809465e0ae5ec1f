// Sharing the open profile (docs/sharing.md): the whole view as a link's
// hash and back, what the page's history is told when it changes, the notice
// naming what of a link did not apply, and the profile written out as a
// .lurk for the Download and Export HTML buttons, plain or anonymised.
#include <imgui.h>
#include <sqlite3.h>

#include <cstdio>

#include "app/theme.h"
#include "app/ui_app.h"
#include "export/profile_export.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {

ViewState UiApp::current_view() const {
  ViewState v;
  if (!model_) return v;
  timeline_.capture_view(*model_, v);
  const FindingsView& findings = findings_panel_.view();
  v.findings_shown = findings.shown();
  v.finding_kind = findings.filter();
  v.finding_rank = findings.current() >= 0 ? findings.current() + 1 : 0;
  v.table_shown = table_.shown();
  v.table_filter = table_.filter();
  v.table_sort = table_.sort_key();
  v.table_descending = table_.sort_descending();
  v.clock_by_hand = clocks_.by_hand();
  v.search = search_buf_;
  v.help = help_;
  v.theme = app_theme().name();
  return v;
}

std::string UiApp::apply_view_hash(const std::string& hash) {
  if (!model_) return "no profile is open";
  ParsedView parsed = view_from_hash(hash, opening_view_);
  const ViewState& v = parsed.state;
  std::vector<std::string>& problems = parsed.problems;
  apply_clock_shifts(v.clock_by_hand, problems);
  app_theme().apply(v.theme == "light" ? ThemeKind::Light : ThemeKind::Dark);
  FindingsView& findings = findings_panel_.view();
  findings.set_shown(v.findings_shown);
  bool known_kind = v.finding_kind.empty();
  for (const FindingKindCount& k : findings_.kinds()) known_kind = known_kind || k.kind == v.finding_kind;
  if (!known_kind) problems.push_back("this profile has no findings of kind '" + v.finding_kind + "'");
  findings.set_filter(findings_, known_kind ? v.finding_kind : "");
  if (v.finding_rank > int64_t(findings_.rows().size())) {
    problems.push_back("finding " + std::to_string(v.finding_rank) + " is past the end (this profile has " +
                       std::to_string(findings_.rows().size()) + ")");
    findings.set_current(-1);
  } else {
    findings.set_current(v.finding_rank - 1);
    if (v.finding_rank > 0) findings_panel_.reveal_current();
  }
  table_.set_shown(v.table_shown);
  table_.set_filter(v.table_filter);
  if (!table_.set_sort(v.table_sort, v.table_descending))
    problems.push_back("the connections table has no column '" + v.table_sort + "'");
  std::snprintf(search_buf_, sizeof search_buf_, "%s", v.search.c_str());
  read_args_for_search(search_buf_);
  timeline_.search().run(*model_, search_buf_);
  help_ = v.help;
  timeline_.restore_view(*model_, v, problems);
  notice_.clear();
  for (const std::string& p : problems) notice_ += (notice_.empty() ? "" : "; ") + p;
  if (!notice_.empty()) notice_ = "This link's view did not all apply: " + notice_ + ".";
  // What was opened is where history stands: no entry is made for it.
  published_view_ = current_view();
  published_steps_ = timeline_.view_steps();
  return notice_;
}

void UiApp::apply_clock_shifts(const std::map<int64_t, int64_t>& wanted,
                               std::vector<std::string>& problems) {
  std::map<int64_t, int64_t> shifts;
  for (const auto& [id, ns] : wanted) {
    const SourceClock* source = nullptr;
    for (const SourceClock& c : model_->sources()) source = c.id == id ? &c : source;
    if (!source) problems.push_back("source " + std::to_string(id) + " (clock offset) is not in this profile");
    else if (source->how == "reference") problems.push_back("source " + std::to_string(id) + " is the reference clock: it is not moved");
    else shifts[id] = ns;
  }
  if (shifts == clocks_.by_hand()) return;
  clocks_.set_by_hand(shifts);
  // As the clocks panel's "apply": the lanes are rebuilt with the new shifts.
  model_ = ProfileModel::load(*db_, shifts);
  lanes_from_ = "profile";
  timeline_.reset(*model_);
  graphs_.reset();
}

void UiApp::start_view_history() {
  opening_view_ = current_view();
  published_view_ = opening_view_;
  published_steps_ = timeline_.view_steps();
  notice_.clear();
}

std::optional<UiApp::ViewUpdate> UiApp::take_view_update() {
  if (!model_ || error_) return std::nullopt;
  ViewState now = current_view();
  bool stepped = timeline_.view_steps() != published_steps_;
  if (now == published_view_ && !stepped) return std::nullopt;
  ViewUpdate update{view_to_hash(now, opening_view_), stepped || is_chosen_change(published_view_, now)};
  published_view_ = now;
  published_steps_ = timeline_.view_steps();
  return update;
}

void UiApp::draw_notice() {
  if (notice_.empty()) return;
  ImGui::PushStyleColor(ImGuiCol_Text, app_theme().light() ? IM_COL32(150, 90, 0, 255)
                                                           : IM_COL32(255, 200, 90, 255));
  ImGui::PushTextWrapPos(ImGui::GetContentRegionMax().x - 90);
  ImGui::TextUnformatted(notice_.c_str());
  ImGui::PopTextWrapPos();
  ImGui::PopStyleColor();
  ImGui::SameLine();
  if (ImGui::SmallButton("dismiss")) notice_.clear();
}

std::string UiApp::save_profile(const std::string& path) const {
  if (!db_) return "no profile is open";
  // Server-backed: the page holds the profile's outline only, never to be
  // taken for the profile.
  if (timeline_.remote())
    return "this profile is kept by lurk view (server-backed viewing): the page holds only its outline; "
           "the .lurk file is on the machine running lurk view";
  sqlite3_int64 size = 0;
  unsigned char* bytes = sqlite3_serialize(db_->raw(), "main", &size, 0);
  if (!bytes) return "the profile could not be serialized (out of memory?)";
  std::FILE* out = std::fopen(path.c_str(), "wb");
  bool written = out && std::fwrite(bytes, 1, size_t(size), out) == size_t(size);
  if (out) written = std::fclose(out) == 0 && written;
  sqlite3_free(bytes);
  return written ? "" : "could not write " + path;
}

std::string UiApp::save_anonymized_profile(const std::string& path,
                                           const AnonymizeOptions& options) const {
  if (!db_) return "no profile is open";
  // Server-backed: the page holds the profile's outline only, never to be
  // taken for the profile.
  if (timeline_.remote())
    return "this profile is kept by lurk view (server-backed viewing): the page holds only its outline; "
           "the .lurk file is on the machine running lurk view";
  try {
    std::unique_ptr<Database> copy = copy_profile_to_memory(*db_, name_);
    write_exported_copy(*copy, path, ExportOptions{options});
    return "";
  } catch (const std::exception& e) {
    return e.what();
  }
}

}  // namespace lurk::ui
