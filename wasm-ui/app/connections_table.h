// The connections table above the timeline: endpoints, duration, packets,
// bytes, retransmissions, dup ACKs, exceptions, final state; sortable by any
// column (click a header), filterable by text; long lists are clipped so only
// visible rows are built. Returns the connection the user picked, if any.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/connection_rows.h"
#include "core/profile_model.h"
#include "core/snapshot.h"

namespace lurk::ui {

class ConnectionsTable {
 public:
  void reset();
  // The rows for `model` under the filter and sort now set (draw does it
  // too): after a reset outside a frame (a follow delta applied from the
  // page), so that the snapshot says what the next frame draws, not 0 rows.
  void update_rows(const ProfileModel& model);
  // Draws the table `height` pixels tall; returns the index (in
  // model.connections()) of a row the user clicked this frame.
  std::optional<uint32_t> draw(const ProfileModel& model, std::optional<int64_t> selected,
                               float height);
  void fill_snapshot(SnapshotTable& table) const;
  bool shown() const { return shown_; }
  void toggle() { shown_ = !shown_; }
  void set_shown(bool shown) { shown_ = shown; }
  // The filter text (a link carries it: core/view_state.h).
  std::string filter() const { return filter_; }
  void set_filter(const std::string& text);
  // The sort column's link key and direction (core/connection_rows.h).
  std::string sort_key() const { return connection_column_key(column_); }
  bool sort_descending() const { return descending_; }
  // Sorts by the column of `key` (false: no such column); ImGui's header
  // shows it from the next frame.
  bool set_sort(const std::string& key, bool descending);

 private:
  char filter_[128] = {};
  bool filter_focused_ = false;  // the filter box had the keyboard last frame
  std::string applied_filter_ = "\x01";  // forces the first computation
  ConnectionColumn column_ = ConnectionColumn::Endpoints;
  bool descending_ = false;
  bool sort_dirty_ = true;
  bool sort_to_header_ = false;  // set_sort's column still to be shown in ImGui's header
  std::vector<uint32_t> rows_;
  std::vector<int64_t> row_ids_;
  std::vector<SnapshotTable::Header> headers_;  // where each column header was drawn last
  bool shown_ = true;
};

}  // namespace lurk::ui
