#include "app/details_panel.h"

#include <imgui.h>

namespace lurk::ui {

void DetailsPanel::draw(const ProfileModel& model, Database* db, const ItemRef& selected) {
  if (!(selected == shown_) || selected.count != shown_.count) {
    shown_ = selected;
    details_ = selected ? describe_item(model, selected, db) : ItemDetails();
  }
  draw_fields(selected);
}

void DetailsPanel::draw(const ItemRef& selected, const ItemDetails& details) {
  shown_ = {};  // a later in-browser draw() describes its item afresh
  details_ = details;
  draw_fields(selected);
}

void DetailsPanel::draw_fields(const ItemRef& selected) const {
  if (!selected) {
    ImGui::TextDisabled("Click an item; n: the next ranked finding; ]: the next flagged packet or exception.");
    return;
  }
  ImGui::PushTextWrapPos(0);
  ImGui::TextUnformatted(details_.title.c_str());
  ImGui::PopTextWrapPos();
  ImGui::Separator();
  if (!ImGui::BeginTable("details", 2, ImGuiTableFlags_SizingStretchProp | ImGuiTableFlags_RowBg)) return;
  ImGui::TableSetupColumn("field", ImGuiTableColumnFlags_WidthFixed, 96);
  ImGui::TableSetupColumn("value", ImGuiTableColumnFlags_WidthStretch);
  for (const DetailField& f : details_.fields) {
    ImGui::TableNextRow();
    ImGui::TableNextColumn();
    ImGui::TextDisabled("%s", f.name.c_str());
    ImGui::TableNextColumn();
    ImGui::PushTextWrapPos(0);
    ImGui::TextUnformatted(f.value.c_str());
    ImGui::PopTextWrapPos();
  }
  ImGui::EndTable();
}

}  // namespace lurk::ui
