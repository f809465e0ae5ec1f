#include "app/help_overlay.h"

#include <imgui.h>

#include <iterator>

namespace lurk::ui {
namespace {

struct Entry {
  const char* keys;
  const char* what;
};

constexpr Entry kEntries[] = {
    {"wheel", "zoom at the pointer (shift+wheel, or over the labels: scroll)"},
    {"drag", "pan the timeline (both directions)"},
    {"w / s", "zoom in / out around the center"},
    {"a / d", "pan left / right"},
    {"0", "show the whole trace"},
    {"n / N", "next / previous ranked finding (the findings panel's order and kind filter): its place selected and fitted"},
    {"] / [", "next / previous exception or flagged packet in time, within the selected connection (all of them when none is selected), centered and selected"},
    {"/", "search names, labels and args; Enter / shift+Enter: next / previous match; Escape: back to the timeline, the query kept"},
    {"f", "fit the selection (span, thread, connection) in the window"},
    {"click", "select an item; its fields show in the details panel"},
    {"click a group header", "fold or unfold the connection's lanes"},
    {"p", "threads: packed rows (threads that do not overlap share a row) / one row per thread"},
    {"i", "hide idle rows (nothing in the visible range) / show every row"},
    {"click \"\xe2\x96\xb8 N counters\"", "fold or unfold a group's counter rows (one per counter name)"},
    {"drag on the ruler", "measure a range: its duration and what happens inside"},
    {"drag on the minimap", "move the visible window over the whole trace"},
    {"connections table", "click a header to sort, type to filter, click a row to go to it"},
    {"findings panel", "top left: what lurk findings ranks; click a kind to filter, a row to go to its place"},
    {"F", "show or hide the findings panel (shown first when there are findings)"},
    {"c", "show or hide the connections table"},
    {"Escape", "clear the selection and the measured range; close this help"},
    {"?", "show or hide this help"},
    {"L", "following a growing profile (lurk view --follow): pause / resume"},
    {"End", "following: move the view to the profile's end (\"now\") and keep it there"},
};

}  // namespace

int help_entry_count() { return int(std::size(kEntries)); }

void draw_help_overlay(bool& open) {
  if (!open) return;
  ImGuiViewport* viewport = ImGui::GetMainViewport();
  ImGui::SetNextWindowPos(viewport->GetCenter(), ImGuiCond_Always, ImVec2(0.5f, 0.5f));
  ImGui::SetNextWindowSize(ImVec2(620, 0));
  ImGui::SetNextWindowBgAlpha(0.96f);
  ImGui::Begin("Keys and gestures", &open,
               ImGuiWindowFlags_NoCollapse | ImGuiWindowFlags_AlwaysAutoResize |
                   ImGuiWindowFlags_NoSavedSettings | ImGuiWindowFlags_NoMove);
  if (ImGui::BeginTable("keys", 2, ImGuiTableFlags_RowBg)) {
    ImGui::TableSetupColumn("key", ImGuiTableColumnFlags_WidthFixed, 170);
    ImGui::TableSetupColumn("what", ImGuiTableColumnFlags_WidthStretch);
    for (const Entry& e : kEntries) {
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextColored(ImVec4(0.55f, 0.75f, 1.0f, 1.0f), "%s", e.keys);
      ImGui::TableNextColumn();
      ImGui::PushTextWrapPos(0);
      ImGui::TextUnformatted(e.what);
      ImGui::PopTextWrapPos();
    }
    ImGui::EndTable();
  }
  ImGui::End();
}

}  // namespace lurk::ui
