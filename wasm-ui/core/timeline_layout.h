// Where each lane of the timeline sits vertically: a header row per group,
// then (unless the group is collapsed) its packet lanes, its thread rows and
// its counter rows. Threads are packed (core/thread_packer: threads that do
// not overlap in time share a row) or given one row each; counters get one
// row per family (name), folded under a row of their own when a group has
// many. With "hide idle", rows with nothing in the visible range (and groups
// with nothing at all there) fold away. The highlighted group (a selected
// connection) is fitted to the screen: when its compact thread rows would not
// fit in the rows area, they become thin lines (mirage-trace-viewer's way),
// down to a few px each. Pure: rebuilt when groups fold, the options change,
// a profile loads, the rows area changes height, or (hiding idle rows) the
// window moves; searched by binary search for the rows on screen and under
// the pointer.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "core/profile_model.h"

namespace lurk::ui {

// CounterFold: the "▸ N counters" row a group's counter families fold under.
enum class RowKind : uint8_t { GroupHeader = 0, Packets, Thread, Counter, CounterFold };

struct LayoutRow {
  RowKind kind = RowKind::GroupHeader;
  uint32_t group = 0;
  uint32_t index = 0;   // Packets: direction; Thread: thread slot; Counter: counter family
  float y = 0;          // top, in content coordinates (0 = first row)
  float height = 0;
};

struct LayoutMetrics {
  float header = 24;
  float packet_lane = 18;
  float thread_line = 20;    // a thread row without spans: name text over the lifetime line
  float thread_dense = 8;    // the same, when a group shows more than dense_over of them
  size_t dense_over = 48;
  float thread_thin_min = 2; // thinnest line a fitted group's rows get (1 px line, 1 px gap)
  float thread_marks = 9;    // strip on top of a thread row with spans: instants, running periods
  float span_row = 18;       // one nesting depth
  float counter_lane = 30;
  float counter_fold = 20;
  float gap = 3;             // after each group
  int max_depth_rows = 12;   // deeper spans are not given rows of their own
  size_t fold_counters_over = 6;  // more families than this start folded
};

struct LayoutOptions {
  bool packed = true;        // false: one row per thread
  bool hide_idle = false;    // drop rows with nothing in [t0, t1]
  double t0 = 0, t1 = 0;     // the visible range (relative ns), for hide_idle
  std::optional<uint32_t> keep_group;  // shown even when idle (the highlighted one)
  // The rows area's height: the highlighted group (keep_group) is fitted in it
  // with thin thread rows when its rows would not fit (0: never).
  float fit_height = 0;
  std::vector<bool> counters_open;     // per group: families unfolded (default: few families)
};

// One thread row: its threads sorted by start (disjoint when packed).
struct ThreadSlot {
  std::vector<uint32_t> threads;
  int depths = 0;            // most span depths of its threads (capped)
  std::vector<uint32_t> failed_before;  // failed threads among threads[0, i)
};

// One counter row: the lanes of one counter name in a group.
struct CounterFamily {
  uint32_t name = 0;
  std::vector<uint32_t> counters;  // counter lane indices
  double min = 0, max = 0;
};

class TimelineLayout {
 public:
  void build(const ProfileModel& model, const std::vector<bool>& collapsed,
             const LayoutMetrics& metrics = {}, const LayoutOptions& options = {});
  // Forgets the packing (a new profile was loaded at the same address).
  void invalidate() { packed_threads_ = SIZE_MAX; }
  const std::vector<LayoutRow>& rows() const { return rows_; }
  float total_height() const { return total_height_; }
  const LayoutMetrics& metrics() const { return metrics_; }
  const ThreadSlot& slot(uint32_t index) const { return slots_[index]; }
  const CounterFamily& family(uint32_t index) const { return families_[index]; }
  // Thread rows of a group once packed (whether shown or not), and all of them.
  size_t group_thread_rows(uint32_t group) const;
  size_t thread_row_count() const { return slots_.size(); }
  size_t counter_family_count(uint32_t group) const;
  bool counters_folded(uint32_t group) const;
  // The fitted group and its thin rows' height, when the highlighted group's
  // rows did not fit and were thinned (see LayoutOptions::fit_height).
  std::optional<uint32_t> thin_group() const { return thin_group_; }
  float thin_row_height() const { return thin_height_; }
  // A group's extent in content coordinates (header top to its last row's bottom).
  std::optional<std::pair<float, float>> group_extent(uint32_t group) const;

  // Rows overlapping [y0, y1) in content coordinates: [first, last).
  std::pair<size_t, size_t> visible(float y0, float y1) const;
  // The row at content y, if any.
  std::optional<size_t> row_at(float y) const;
  // Row of a group's header, of a thread, of a packet lane.
  std::optional<size_t> group_row(uint32_t group) const;
  std::optional<size_t> thread_row(uint32_t thread) const;
  std::optional<size_t> packet_row(uint32_t group, int dir) const;

 private:
  void pack(const ProfileModel& model, bool packed);
  bool group_active(const ProfileModel& model, uint32_t group, const LayoutOptions& o) const;
  float add_group(const ProfileModel& model, uint32_t group, const std::vector<uint32_t>& shown,
                  bool folded, float line, const LayoutOptions& options, float y);

  std::vector<LayoutRow> rows_;
  std::vector<int32_t> group_rows_;   // group -> row index
  std::vector<int32_t> thread_rows_;  // thread -> row index, -1 when not shown
  std::vector<ThreadSlot> slots_;
  std::vector<std::vector<uint32_t>> group_slots_;     // group -> its slots, top to bottom
  std::vector<uint32_t> thread_slot_;                  // thread -> slot
  std::vector<CounterFamily> families_;
  std::vector<std::vector<uint32_t>> group_families_;  // group -> its families
  size_t packed_threads_ = SIZE_MAX;  // thread count the packing was made for
  bool packed_mode_ = true;
  std::vector<bool> counters_open_;
  LayoutMetrics metrics_;
  float total_height_ = 0;
  std::optional<uint32_t> thin_group_;
  float thin_height_ = 0;
};

// Whether a thread, a slot, a packet lane or a counter lane has something in [t0, t1].
bool slot_active(const ProfileModel& model, const ThreadSlot& slot, double t0, double t1);

}  // namespace lurk::ui
