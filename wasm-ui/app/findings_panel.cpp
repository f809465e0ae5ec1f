#include "app/findings_panel.h"

#include <imgui.h>

#include <algorithm>
#include <string>

#include "core/ruler_ticks.h"

namespace lurk::ui {
namespace {

// A small square in the row's colour, like the timeline's marks.
void swatch(uint32_t color) {
  float h = ImGui::GetTextLineHeight();
  ImVec2 p = ImGui::GetCursorScreenPos();
  ImGui::GetWindowDrawList()->AddRectFilled(ImVec2(p.x, p.y + h * 0.2f),
                                            ImVec2(p.x + h * 0.6f, p.y + h * 0.8f), color);
  ImGui::Dummy(ImVec2(h * 0.6f, h));
}

void row_tooltip(const FindingRow& f, uint32_t color) {
  ImGui::BeginTooltip();
  ImGui::PushTextWrapPos(ImGui::GetFontSize() * 36);
  ImGui::TextColored(ImColor(color), "%s  (severity %lld)", f.kind.c_str(), (long long)f.severity);
  ImGui::TextUnformatted(f.title.c_str());
  if (!f.detail.empty()) ImGui::TextDisabled("%s", f.detail.c_str());
  if (f.duration_ns) ImGui::Text("lasting %s", format_duration(double(*f.duration_ns)).c_str());
  ImGui::TextDisabled("click: go to it; n / N: next / previous finding");
  ImGui::PopTextWrapPos();
  ImGui::EndTooltip();
}

}  // namespace

void FindingsPanel::draw_kind_filters(const FindingList& list, bool light) {
  auto chip = [&](const char* label, const std::string& kind, int64_t count, uint32_t color) {
    std::string text = std::string(label) + " " + std::to_string(count) + "##" + kind;
    bool active = view_.filter() == kind;
    float width = ImGui::CalcTextSize(text.c_str(), nullptr, true).x + ImGui::GetFontSize();
    if (ImGui::GetContentRegionAvail().x < width) ImGui::NewLine();
    if (active) ImGui::PushStyleColor(ImGuiCol_Button, ImGui::GetStyleColorVec4(ImGuiCol_ButtonActive));
    ImGui::PushStyleColor(ImGuiCol_Text, ImGui::ColorConvertU32ToFloat4(color));
    // A second click on the active kind shows every kind again.
    if (ImGui::SmallButton(text.c_str())) view_.set_filter(list, active ? std::string() : kind);
    ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
    drawn_kinds_.push_back({kind, (min.x + max.x) / 2, (min.y + max.y) / 2});
    ImGui::PopStyleColor(active ? 2 : 1);
    ImGui::SameLine();
  };
  ImGui::TextUnformatted("Findings");
  ImGui::SameLine();
  chip("all", "", int64_t(list.size()), ImGui::GetColorU32(ImGuiCol_Text));
  for (const FindingKindCount& k : list.kinds())
    chip(k.kind.c_str(), k.kind, k.count, mark_color(k.mark, light));
  ImGui::NewLine();
}

std::optional<uint32_t> FindingsPanel::draw_rows(const FindingList& list, float height, bool light) {
  std::optional<uint32_t> clicked;
  ImGuiTableFlags flags = ImGuiTableFlags_ScrollY | ImGuiTableFlags_RowBg |
                          ImGuiTableFlags_BordersInnerV | ImGuiTableFlags_Resizable |
                          ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("findings", 4, flags, ImVec2(0, height))) return clicked;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("#", ImGuiTableColumnFlags_WidthFixed, ImGui::GetFontSize() * 2.6f);
  // The title is what a user reads first: it gets most of the width; the
  // kind's colour is already on the swatch.
  ImGui::TableSetupColumn("finding", ImGuiTableColumnFlags_WidthStretch, 4.0f);
  ImGui::TableSetupColumn("kind", ImGuiTableColumnFlags_WidthStretch, 1.1f);
  ImGui::TableSetupColumn("detail", ImGuiTableColumnFlags_WidthStretch, 1.8f);
  ImGui::TableHeadersRow();
  const std::vector<uint32_t>& visible = view_.visible();
  int64_t current_at = view_.current_position();
  ImGuiListClipper clipper;
  clipper.Begin(int(visible.size()));
  if (scroll_to_current_ && current_at >= 0)
    clipper.ForceDisplayRangeByIndices(int(current_at), int(current_at) + 1);
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      uint32_t row = visible[size_t(i)];
      const FindingRow& f = list.rows()[row];
      uint32_t color = mark_color(f.mark, light);
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(int(row));
      swatch(color);
      ImGui::SameLine(0, 4);
      // The rank is the row's place in `lurk findings`, whatever the filter.
      std::string rank = std::to_string(row + 1);
      if (ImGui::Selectable(rank.c_str(), int64_t(row) == view_.current(),
                            ImGuiSelectableFlags_SpanAllColumns))
        clicked = row;
      if (ImGui::IsItemHovered()) row_tooltip(f, color);
      if (ImGui::IsItemVisible()) {
        ImVec2 min = ImGui::GetItemRectMin(), max = ImGui::GetItemRectMax();
        drawn_rows_.push_back({rank, min.x + 2 * ImGui::GetFontSize(), (min.y + max.y) / 2});
      }
      if (scroll_to_current_ && i == current_at) {
        ImGui::SetScrollHereY(0.3f);
        scroll_to_current_ = false;
      }
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(f.title.c_str());
      ImGui::TableNextColumn();
      ImGui::TextColored(ImColor(color), "%s", f.kind.c_str());
      ImGui::TableNextColumn();
      ImGui::TextDisabled("%s", f.detail.c_str());
    }
  }
  ImGui::EndTable();
  if (current_at < 0) scroll_to_current_ = false;
  return clicked;
}

std::optional<uint32_t> FindingsPanel::draw(const FindingList& list, float height, bool light) {
  drawn_rows_.clear();
  drawn_kinds_.clear();
  if (list.empty()) {
    ImGui::TextUnformatted("Findings");
    ImGui::TextDisabled("None: the detector ranked nothing in this profile (docs/findings.md).");
    return std::nullopt;
  }
  float top = ImGui::GetCursorPosY();
  draw_kind_filters(list, light);  // one line, or more when the kinds wrap
  float rows_height = height - (ImGui::GetCursorPosY() - top);
  return draw_rows(list, std::max(rows_height, ImGui::GetFrameHeight() * 3), light);
}

void FindingsPanel::fill_snapshot(const FindingList& list, SnapshotFindingsPanel& out) const {
  out.shown = view_.shown();
  out.filter = view_.filter();
  out.count = int64_t(list.size());
  out.current = view_.current_position();
  out.current_rank = view_.current() >= 0 ? view_.current() + 1 : -1;
  for (const FindingKindCount& k : list.kinds()) out.kinds[k.kind] = k.count;
  if (view_.shown()) {  // the positions of a hidden panel are stale
    out.drawn_rows = drawn_rows_;
    out.drawn_kinds = drawn_kinds_;
  }
  for (size_t i = 0; i < view_.visible().size() && i < 200; ++i) {
    const FindingRow& f = list.rows()[view_.visible()[i]];
    out.rows.push_back({int64_t(view_.visible()[i]) + 1, f.kind, f.severity, f.title, f.detail,
                        f.connection_id, f.thread_id, f.ts_ns});
  }
}

}  // namespace lurk::ui
