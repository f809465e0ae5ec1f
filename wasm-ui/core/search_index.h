// `/` search: which names, labels and args contain the query (case
// insensitive), and every span, instant and thread that matches, in time
// order, for counting, highlighting and stepping through matches. Run once
// per query change; the frame only asks the per-string bitmaps, and for a
// merged block the per-lane sorted lists of matching indices (two binary
// searches), so a block holding a match shows as matched at any zoom.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/item_ref.h"
#include "core/profile_model.h"

namespace lurk::ui {

struct SearchHit {
  int64_t t_ns = 0;
  ItemRef item;
};

class SearchIndex {
 public:
  void run(const ProfileModel& model, std::string_view query);
  void clear();
  const std::string& query() const { return query_; }
  bool active() const { return !query_.empty(); }
  bool name_matches(uint32_t string_index) const {
    return string_index < names_.size() && names_[string_index];
  }
  bool args_match(uint32_t args_index) const {
    return args_index < args_.size() && args_[args_index];
  }
  // True for a span, instant or thread that matches, and for a merged block
  // holding at least one match.
  bool item_matches(const ProfileModel& model, const ItemRef& item) const;
  // Matching items inside a merged block (or 1/0 for a single item).
  uint32_t matches_in(const ProfileModel& model, const ItemRef& item) const;
  const std::vector<SearchHit>& hits() const { return hits_; }
  // Index of the first hit after / before time t (wrapping), -1 when none.
  int64_t next_after(int64_t t_ns, int64_t current) const;
  int64_t previous_before(int64_t t_ns, int64_t current) const;

 private:
  std::string query_;
  std::vector<uint8_t> names_;  // per string index
  std::vector<uint8_t> args_;   // per args index
  std::vector<SearchHit> hits_;
  // Per thread lane: indices of matching spans and instants, ascending.
  struct LaneMatches {
    std::vector<uint32_t> spans, instants;
  };
  std::vector<LaneMatches> lanes_;
};

// Case-insensitive (ASCII) substring test.
bool contains_folded(std::string_view text, std::string_view folded_query);

}  // namespace lurk::ui
