// Following a growing profile in the UI (docs/live.md, "Following a profile
// as it grows"): the page (web/lurk-follow.js) polls the server with the open
// copy's cursor and hands each delta here; it is applied to the copy in the
// module's memory (storage/follow_delta.h: only the new rows travel), the
// model takes the new rows (ProfileModel::append: the cost of the delta, not
// of the profile; loaded whole from the copy only when the profile changed
// in a way appending cannot follow), and the view is kept: the window, the
// selection, folds, the scroll, the findings' filter and the table's filter.
// A window pinned to "now" (its right edge at the end) moves with the end.
// In the header: the live indicator with the event rate, the follow toggle
// (L) and "now" (End) when the view is not pinned.
#include <imgui.h>
#include <sqlite3.h>

#include <cstdio>

#include "app/theme.h"
#include "app/ui_app.h"
#include "storage/follow_delta.h"
#include "storage/sqlite_handle.h"

namespace lurk::ui {
namespace {

// What the rate counts: trace events and packets (the header's counts).
int64_t rows_shown(const ProfileModel& model) {
  return model.counts().events + model.counts().packets;
}

}  // namespace

const std::string& UiApp::follow_cursor() {
  if (follow_cursor_.empty() && db_) follow_cursor_ = FollowCursor::of(*db_).to_text();
  return follow_cursor_;
}

std::string UiApp::follow_apply(const std::string& path, double now_ms) {
  if (!model_ || !db_) return "no profile is open";
  follow_now_ms_ = now_ms;
  try {
    // The copy was opened read-only (a profile is not changed by viewing
    // it); following writes the server's rows into it, in memory.
    if (sqlite3_db_readonly(db_->raw(), "main") == 1)
      db_ = std::make_unique<Database>(db_->path(), Database::Mode::ReadWriteCreate);
    FollowApplied applied = apply_follow_delta(*db_, path);
    if (applied.reset) return "reset";
    follow_cursor_ = applied.cursor;
    // A cut delta is followed at once by the next: the model is rebuilt
    // when the copy has caught up.
    if (applied.more) return "more";
    reload_keeping_view();
    follow_.note_update();
    follow_.note_poll(now_ms, rows_shown(*model_));
    return "";
  } catch (const std::exception& e) {
    follow_.note_problem(now_ms, e.what());
    return std::string("follow: ") + e.what();
  }
}

std::string UiApp::follow_reopen(const std::string& path, double now_ms) {
  follow_now_ms_ = now_ms;
  if (!model_) return open_file(path, name_);
  ViewState view = current_view();
  bool pinned = FollowState::is_pinned(timeline_.window().t0(), timeline_.window().t1(),
                                       double(model_->duration_ns()));
  int64_t origin = model_->origin_ns();
  float scroll = timeline_.scroll_y();
  std::string name = name_;
  if (std::string error = open_file(path, name); !error.empty()) return error;
  if (view.window) {
    double moved = double(origin - model_->origin_ns());
    view.window = std::make_pair(view.window->first + moved, view.window->second + moved);
  }
  std::vector<std::string> problems;
  timeline_.restore_view(*model_, view, problems);
  timeline_.set_scroll_y(scroll);
  table_.set_shown(view.table_shown);
  table_.set_filter(view.table_filter);
  findings_panel_.view().set_shown(view.findings_shown);
  if (pinned) pin_to_now();
  start_view_history();
  follow_.note_update();
  follow_.note_poll(now_ms, rows_shown(*model_));
  return "";
}

void UiApp::follow_polled(double now_ms) {
  follow_now_ms_ = now_ms;
  if (model_) follow_.note_poll(now_ms, rows_shown(*model_));
}

void UiApp::follow_problem(double now_ms, const std::string& problem) {
  follow_now_ms_ = now_ms;
  follow_.note_problem(now_ms, problem);
}

// The model grown by the copy's new rows (or, when they cannot simply be
// appended, loaded again from the copy), and everything the user set put
// back as it was (not a history entry: a follow update is not a move).
void UiApp::reload_keeping_view() {
  ViewState view = current_view();
  bool pinned = FollowState::is_pinned(timeline_.window().t0(), timeline_.window().t1(),
                                       double(model_->duration_ns()));
  int64_t origin = model_->origin_ns();
  float scroll = timeline_.scroll_y();
  bool had_findings = !findings_.rows().empty();
  // A source moved by hand draws with a shift appending does not apply.
  bool appended = false;
  if (clocks_.by_hand().empty()) {
    try {
      appended = model_->append(*db_);
    } catch (const std::exception&) {
      appended = false;  // a half-appended model: load() below says what is wrong
    }
  }
  if (!appended) {
    model_ = ProfileModel::load(*db_, clocks_.by_hand());
    lanes_from_ = "profile";
    ++follow_model_loads_;
  }
  findings_ = FindingList::load(*db_);
  ingest_panel_.reset(IngestProblems::load(*db_), ingest_panel_.shown());
  // Times in the view are from the origin: new data before it moves the origin.
  if (view.window) {
    double moved = double(origin - model_->origin_ns());
    view.window = std::make_pair(view.window->first + moved, view.window->second + moved);
  }
  timeline_.reset(*model_, appended);
  std::vector<std::string> problems;  // a view of this profile fits it: nothing to say
  timeline_.restore_view(*model_, view, problems);
  timeline_.set_scroll_y(scroll);
  if (!view.search.empty()) timeline_.search().run(*model_, view.search.c_str());
  FindingsView& findings = findings_panel_.view();
  findings_panel_.reset(findings_);
  // The first findings (written when a collection stops) open the panel, as
  // opening a profile with findings does; after that it stays as the user set it.
  if (had_findings) findings.set_shown(view.findings_shown);
  findings.set_filter(findings_, view.finding_kind);
  if (view.finding_rank > 0 && view.finding_rank <= int64_t(findings_.rows().size()))
    findings.set_current(view.finding_rank - 1);
  table_.reset();
  table_.set_filter(view.table_filter);
  table_.update_rows(*model_);
  graphs_.reset();
  if (pinned) pin_to_now();
  published_view_ = current_view();
  published_steps_ = timeline_.view_steps();
}

void UiApp::pin_to_now() {
  auto [t0, t1] = FollowState::pinned_window(timeline_.window().t0(), timeline_.window().t1(),
                                             double(model_->duration_ns()));
  timeline_.set_window(t0, t1);
}

// L: follow on/off; End: back to "now" (the window moved to the end).
void UiApp::handle_follow_keys() {
  if (!follow_.available() || ImGui::GetIO().WantTextInput) return;
  for (ImWchar c : ImGui::GetIO().InputQueueCharacters)
    if (c == 'L') follow_.set_on(!follow_.on());
  if (ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_End), false)) pin_to_now();
}

// After the header's counts: "● live 1,234 events/s" (or paused, or the
// problem), the toggle, and "⇥ now" while the view is not at the end.
void UiApp::draw_follow_controls() {
  if (!follow_.available()) return;
  double rate = follow_.events_per_second(follow_now_ms_);
  char text[96];
  ImU32 color;
  if (!follow_.on()) {
    std::snprintf(text, sizeof text, "\xe2\x97\x8f paused");
    color = app_theme().light() ? IM_COL32(110, 110, 110, 255) : IM_COL32(150, 150, 150, 255);
  } else if (!follow_.problem().empty() || !follow_.live(follow_now_ms_)) {
    std::snprintf(text, sizeof text, "\xe2\x97\x8f live: waiting for the server");
    color = app_theme().light() ? IM_COL32(170, 100, 0, 255) : IM_COL32(255, 190, 70, 255);
  } else {
    std::snprintf(text, sizeof text, "\xe2\x97\x8f live  %.0f events/s", rate);
    color = app_theme().light() ? IM_COL32(0, 140, 60, 255) : IM_COL32(80, 220, 120, 255);
  }
  same_line_if_fits(ImGui::CalcTextSize(text).x + 8);
  ImGui::PushStyleColor(ImGuiCol_Text, color);
  ImGui::TextUnformatted(text);
  ImGui::PopStyleColor();
  if (ImGui::IsItemHovered() && !follow_.problem().empty()) ImGui::SetTooltip("%s", follow_.problem().c_str());
  const char* toggle = follow_.on() ? "follow: on (L)" : "follow: off (L)";
  same_line_if_fits(ImGui::CalcTextSize(toggle).x + 8);
  if (ImGui::SmallButton(toggle)) follow_.set_on(!follow_.on());
  bool pinned = FollowState::is_pinned(timeline_.window().t0(), timeline_.window().t1(),
                                       double(model_->duration_ns()));
  if (!pinned) {
    same_line_if_fits(ImGui::CalcTextSize("\xe2\x87\xa5 now (End)").x + 8);
    if (ImGui::SmallButton("\xe2\x87\xa5 now (End)")) pin_to_now();
  }
}

}  // namespace lurk::ui
