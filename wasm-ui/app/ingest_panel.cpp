// The "Ingest problems" band: see ingest_panel.h.
#include "app/ingest_panel.h"

#include <imgui.h>

#include <algorithm>
#include <string>

namespace lurk::ui {
namespace {

const ImVec4 kWarningColor(1.0f, 0.75f, 0.3f, 1.0f);

std::string optional_text(const std::optional<int64_t>& v) {
  return v ? std::to_string(*v) : std::string("-");
}

}  // namespace

void IngestPanel::reset(IngestProblems problems, bool open) {
  problems_ = std::move(problems);
  shown_ = open && problems_.any();
}

void IngestPanel::fill_snapshot(SnapshotIngestProblems& out) const {
  out.shown = shown();
  out.warnings = problems_.warnings;
  out.total = problems_.total_rows;
  size_t n = std::min<size_t>(problems_.rows.size(), SnapshotIngestProblems::kMaxRows);
  out.rows.assign(problems_.rows.begin(), problems_.rows.begin() + std::ptrdiff_t(n));
}

void IngestPanel::draw_button() {
  if (!problems_.any()) return;
  int64_t count = std::max<int64_t>(problems_.total_rows, int64_t(problems_.warnings.size()));
  // "!" rather than U+26A0: the UI's font (DejaVu Sans subset) has no warning sign.
  std::string label = "! " + std::to_string(count) + " ingest problem" +
                      (count == 1 ? "" : "s") + "##ingest-problems";
  ImGui::PushStyleColor(ImGuiCol_Text, kWarningColor);
  if (ImGui::SmallButton(label.c_str())) shown_ = !shown_;
  ImGui::PopStyleColor();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("Damage and warnings from reading the sources (table ingest_errors)");
}

void IngestPanel::draw_band(float height) {
  if (!shown()) return;
  ImGui::BeginChild("ingest-problems", ImVec2(0, height), true);
  ImGui::TextColored(kWarningColor, "Ingest problems");
  ImGui::SameLine();
  ImGui::TextDisabled("(%lld rows in ingest_errors)", (long long)problems_.total_rows);
  ImGui::SameLine(ImGui::GetContentRegionAvail().x + ImGui::GetCursorPosX() - 60);
  if (ImGui::SmallButton("Close##ingest")) shown_ = false;
  ImGui::PushTextWrapPos(0);
  for (const std::string& w : problems_.warnings) ImGui::TextColored(kWarningColor, "%s", w.c_str());
  ImGui::PopTextWrapPos();
  if (!problems_.rows.empty()) draw_rows(ImGui::GetContentRegionAvail().y);
  ImGui::EndChild();
}

void IngestPanel::draw_rows(float height) {
  const ImGuiTableFlags flags = ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                                ImGuiTableFlags_ScrollY | ImGuiTableFlags_Resizable;
  if (!ImGui::BeginTable("ingest-errors", 5, flags, ImVec2(0, std::max(height, 40.0f)))) return;
  ImGui::TableSetupScrollFreeze(0, 1);
  ImGui::TableSetupColumn("File", ImGuiTableColumnFlags_WidthFixed, 180);
  ImGui::TableSetupColumn("Byte offset", ImGuiTableColumnFlags_WidthFixed, 90);
  ImGui::TableSetupColumn("Line", ImGuiTableColumnFlags_WidthFixed, 50);
  ImGui::TableSetupColumn("Kind", ImGuiTableColumnFlags_WidthFixed, 130);
  ImGui::TableSetupColumn("Message", ImGuiTableColumnFlags_WidthStretch);
  ImGui::TableHeadersRow();
  ImGuiListClipper clipper;
  clipper.Begin(int(problems_.rows.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const IngestProblemRow& r = problems_.rows[size_t(i)];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.file.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(optional_text(r.byte_offset).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(optional_text(r.line).c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.kind.c_str());
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(r.message.c_str());
    }
  }
  if (problems_.total_rows > int64_t(problems_.rows.size())) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("... %lld more", (long long)(problems_.total_rows - int64_t(problems_.rows.size())));
  }
  ImGui::EndTable();
}

}  // namespace lurk::ui
