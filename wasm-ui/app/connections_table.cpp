#include "app/connections_table.h"

#include <imgui.h>
#include <imgui_internal.h>  // TableSetColumnSortDirection: a link's sort shown in the header

#include <cstdio>
#include <string>

#include "app/theme.h"
#include "core/ruler_ticks.h"

namespace lurk::ui {

void ConnectionsTable::reset() {
  filter_[0] = 0;
  headers_.clear();
  applied_filter_ = "\x01";
  sort_dirty_ = true;
  rows_.clear();
}

void ConnectionsTable::update_rows(const ProfileModel& model) {
  if (!sort_dirty_ && applied_filter_ == filter_) return;
  applied_filter_ = filter_;
  rows_ = connection_rows(model, applied_filter_, column_, descending_);
  row_ids_.clear();
  for (uint32_t r : rows_) row_ids_.push_back(model.connections()[r].id);
  sort_dirty_ = false;
}

void ConnectionsTable::set_filter(const std::string& text) {
  std::snprintf(filter_, sizeof filter_, "%s", text.c_str());
}

bool ConnectionsTable::set_sort(const std::string& key, bool descending) {
  std::optional<ConnectionColumn> column = connection_column_of_key(key);
  if (!column) return false;
  column_ = *column;
  descending_ = descending;
  sort_dirty_ = true;
  sort_to_header_ = true;
  return true;
}

std::optional<uint32_t> ConnectionsTable::draw(const ProfileModel& model,
                                               std::optional<int64_t> selected, float height) {
  std::optional<uint32_t> picked;
  ImGui::SetNextItemWidth(260);
  // Escape leaves the box with the filter kept, as it does the search box
  // (ImGui would restore the text the box had when it took the keyboard).
  bool escape = filter_focused_ && ImGui::IsKeyPressed(ImGui::GetKeyIndex(ImGuiKey_Escape));
  std::string before_escape = escape ? std::string(filter_) : std::string();
  ImGui::InputTextWithHint("##connection-filter", "filter connections", filter_, sizeof filter_);
  if (escape) std::snprintf(filter_, sizeof filter_, "%s", before_escape.c_str());
  filter_focused_ = ImGui::IsItemActive();
  ImGui::SameLine();
  ImGui::TextDisabled("%zu of %zu connections", rows_.size(), model.shown_connection_count());
  constexpr int kColumns = int(ConnectionColumn::Count);
  ImGuiTableFlags flags = ImGuiTableFlags_Sortable | ImGuiTableFlags_ScrollY |
                          ImGuiTableFlags_RowBg | ImGuiTableFlags_BordersInnerV |
                          ImGuiTableFlags_Resizable | ImGuiTableFlags_SizingStretchProp;
  if (!ImGui::BeginTable("connections", kColumns, flags, ImVec2(0, height))) return picked;
  ImGui::TableSetupScrollFreeze(0, 1);
  for (int c = 0; c < kColumns; ++c) {
    ImGuiTableColumnFlags f = c == 0 ? ImGuiTableColumnFlags_DefaultSort | ImGuiTableColumnFlags_WidthStretch
                                     : ImGuiTableColumnFlags_PreferSortDescending;
    ImGui::TableSetupColumn(connection_column_name(ConnectionColumn(c)), f, c == 0 ? 3.0f : 1.0f);
  }
  // The header row as TableHeadersRow draws it, each header's place kept for the snapshot.
  ImGui::TableNextRow(ImGuiTableRowFlags_Headers, ImGui::TableGetHeaderRowHeight());
  headers_.clear();
  for (int c = 0; c < kColumns; ++c) {
    if (!ImGui::TableSetColumnIndex(c)) continue;
    ImGui::PushID(c);
    ImGui::TableHeader(ImGui::TableGetColumnName(c));
    ImGui::PopID();
    ImVec2 lo = ImGui::GetItemRectMin(), hi = ImGui::GetItemRectMax();
    headers_.push_back({connection_column_key(ConnectionColumn(c)), (lo.x + hi.x) / 2, (lo.y + hi.y) / 2});
  }
  if (sort_to_header_) {
    ImGui::TableSetColumnSortDirection(int(column_), descending_ ? ImGuiSortDirection_Descending
                                                                 : ImGuiSortDirection_Ascending, false);
    sort_to_header_ = false;
  }
  if (ImGuiTableSortSpecs* specs = ImGui::TableGetSortSpecs(); specs && specs->SpecsDirty) {
    if (specs->SpecsCount > 0) {
      column_ = ConnectionColumn(specs->Specs[0].ColumnIndex);
      descending_ = specs->Specs[0].SortDirection == ImGuiSortDirection_Descending;
    }
    specs->SpecsDirty = false;
    sort_dirty_ = true;
  }
  update_rows(model);
  ImGuiListClipper clipper;
  clipper.Begin(int(rows_.size()));
  while (clipper.Step()) {
    for (int i = clipper.DisplayStart; i < clipper.DisplayEnd; ++i) {
      const ConnectionLanes& c = model.connections()[rows_[size_t(i)]];
      ImGui::TableNextRow();
      ImGui::TableNextColumn();
      ImGui::PushID(i);
      if (ImGui::Selectable(c.label.c_str(), selected == c.id, ImGuiSelectableFlags_SpanAllColumns))
        picked = rows_[size_t(i)];
      ImGui::PopID();
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(format_duration(double(c.last_ns - c.first_ns)).c_str());
      ImGui::TableNextColumn();
      ImGui::Text("%lld", (long long)c.packets);
      ImGui::TableNextColumn();
      ImGui::Text("%lld", (long long)c.bytes);
      // Zeros are dimmed, except on the selected row, whose highlight (light
      // theme) would leave dimmed text unreadable.
      bool is_selected = selected == c.id;
      auto flagged = [is_selected](int64_t n, ImU32 color) {
        ImGui::TableNextColumn();
        if (n) ImGui::TextColored(ImColor(color), "%lld", (long long)n);
        else if (is_selected) ImGui::TextUnformatted("0");
        else ImGui::TextDisabled("0");
      };
      // Darker orange and yellow on the light theme, readable on its row highlight.
      bool light = app_theme().light();
      flagged(c.retransmissions, light ? IM_COL32(200, 95, 0, 255) : IM_COL32(255, 150, 30, 255));
      flagged(c.dup_acks, light ? IM_COL32(150, 115, 0, 255) : IM_COL32(240, 220, 40, 255));
      flagged(c.exceptions, IM_COL32(235, 70, 70, 255));
      ImGui::TableNextColumn();
      ImGui::TextUnformatted(c.state.c_str());
    }
  }
  ImGui::EndTable();
  return picked;
}

void ConnectionsTable::fill_snapshot(SnapshotTable& table) const {
  table.shown = shown_;
  table.rows = int64_t(rows_.size());
  table.filter = applied_filter_ == "\x01" ? "" : applied_filter_;
  table.sort_column = connection_column_name(column_);
  table.descending = descending_;
  for (size_t i = 0; i < row_ids_.size() && i < 200; ++i) table.order.push_back(row_ids_[i]);
  if (shown_) table.headers = headers_;
}

}  // namespace lurk::ui
