#include "app/clocks_panel.h"

#include <imgui.h>

#include <cstdio>
#include <string>

namespace lurk::ui {
namespace {

std::string describe(const SourceClock& c) {
  char offset[48];
  std::snprintf(offset, sizeof offset, "%+.6f s", double(c.offset_ns) / 1e9);
  if (c.how == "reference") return "the captures' clock (Unix time)";
  if (c.how == "unix-clock") return "Unix time: " + c.evidence;
  if (c.how == "not-aligned") return "a clock of its own, not aligned: " + c.evidence;
  if (c.how.empty())
    return c.domain == "own" ? "a clock of its own, not yet aligned (the profile predates clocks)"
                             : "Unix time (the profile predates clocks)";
  return "aligned by " + c.how + " (" + offset + "): " + c.evidence;
}

std::string file_name(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

std::optional<std::map<int64_t, int64_t>> ClocksPanel::draw(const std::vector<SourceClock>& sources) {
  int own = 0;
  for (const SourceClock& c : sources) own += c.own_axis ? 1 : 0;
  if (sources.size() < 2 && own == 0) return std::nullopt;
  char label[64];
  if (own) std::snprintf(label, sizeof label, "clocks: %d of %zu moved", own, sources.size());
  else std::snprintf(label, sizeof label, "clocks: %zu aligned", sources.size());
  if (own) ImGui::PushStyleColor(ImGuiCol_Text, IM_COL32(255, 190, 90, 255));
  bool open = ImGui::SmallButton(label);
  if (own) ImGui::PopStyleColor();
  if (ImGui::IsItemHovered())
    ImGui::SetTooltip("%s", own ? "Some sources are on a clock of their own: drawn from the "
                                  "profile's start. Click for how each source was aligned."
                                : "Every source is on the captures' clock. Click for how.");
  if (open) ImGui::OpenPopup("clocks");
  std::optional<std::map<int64_t, int64_t>> changed;
  if (!ImGui::BeginPopup("clocks")) return changed;
  ImGui::TextUnformatted("Sources and their clocks (lurk ingest --clock-offset SOURCE=DURATION "
                         "stores an offset in the profile)");
  ImGui::Separator();
  for (const SourceClock& c : sources) {
    ImGui::PushID(int(c.id));
    ImGui::Text("%lld  %s  (%s)", (long long)c.id, file_name(c.path).c_str(), c.format.c_str());
    ImGui::Indent();
    ImGui::PushTextWrapPos(ImGui::GetCursorPosX() + 560);
    ImGui::TextUnformatted(describe(c).c_str());
    if (c.own_axis)
      ImGui::TextColored(ImVec4(1.0f, 0.75f, 0.35f, 1.0f), "drawn moved by %+.6f s%s",
                         double(c.display_shift_ns) / 1e9, c.by_hand ? " (by hand)" : "");
    ImGui::PopTextWrapPos();
    if (c.how != "reference") {
      auto [typed, fresh] = typed_seconds_.try_emplace(c.id, double(c.display_shift_ns) / 1e9);
      ImGui::SetNextItemWidth(220);
      ImGui::InputDouble("display offset (s)", &typed->second, 0, 0, "%.6f");
      ImGui::SameLine();
      if (ImGui::SmallButton("apply")) {
        by_hand_[c.id] = int64_t(typed->second * 1e9);
        changed = by_hand_;
      }
      if (c.by_hand) {
        ImGui::SameLine();
        if (ImGui::SmallButton("undo")) {
          by_hand_.erase(c.id);
          typed_seconds_.erase(c.id);
          changed = by_hand_;
        }
      }
    }
    ImGui::Unindent();
    ImGui::PopID();
  }
  ImGui::EndPopup();
  return changed;
}

}  // namespace lurk::ui
