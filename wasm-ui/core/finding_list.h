// The ranked findings of a profile (the `findings` table, docs/findings.md)
// as the UI's findings panel lists them: the same rows, in the same order, as
// `lurk findings FILE` prints, each with the timeline mark kind whose colour
// it wears, and the count of each kind. Portable (no ImGui): unit-tested
// natively.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/mark_style.h"

namespace lurk {
class Database;
}

namespace lurk::ui {

struct FindingRow {
  int64_t id = 0;
  std::string kind;                    // "rst-established", "exception", ...
  int64_t severity = 0;                // higher is worse
  std::string title, detail;
  std::optional<int64_t> connection_id, thread_id;
  std::optional<int64_t> ts_ns;        // absolute, as stored
  std::optional<int64_t> duration_ns;
  MarkKind mark = MarkKind::Normal;    // colour on the timeline's palette
};

// The timeline mark kind a finding kind is drawn with (exception red, RST
// magenta, stalls orange, dup ACK yellow, spurious purple, zero window grey);
// Normal for a kind this UI does not know.
MarkKind finding_mark_kind(const std::string& kind);

struct FindingKindCount {
  std::string kind;
  int64_t count = 0;
  MarkKind mark = MarkKind::Normal;
};

class FindingList {
 public:
  // Reads the findings table in rank order (the order `lurk findings` uses);
  // a profile without the table has no findings.
  static FindingList load(Database& db);
  static FindingList from_rows(std::vector<FindingRow> rows);  // rows already ranked

  const std::vector<FindingRow>& rows() const { return rows_; }
  bool empty() const { return rows_.empty(); }
  size_t size() const { return rows_.size(); }
  // Each kind once, in the order of its first (highest ranked) row.
  const std::vector<FindingKindCount>& kinds() const { return kinds_; }

 private:
  void count_kinds();
  std::vector<FindingRow> rows_;
  std::vector<FindingKindCount> kinds_;
};

}  // namespace lurk::ui
