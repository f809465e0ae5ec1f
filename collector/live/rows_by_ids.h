// Rows of a batch read back by id: `SELECT ... WHERE x IN (?,?,...)` over a
// set of ids, a statement per chunk of ids, each result row handed to
// `each`. Shared by the live joiner and the live findings, which both read
// the threads and connections a batch wrote.
#pragma once

#include <algorithm>
#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include "storage/sqlite_handle.h"

namespace lurk::live {

// Ids bound per statement (SQLite's default variable limit is far above).
inline constexpr size_t kIdsPerQuery = 500;

// Runs `sql_before_ids` + "(?,...)" for each chunk of `ids`, calling
// `each(Statement&)` on every row.
template <typename Each>
void for_rows_of_ids(Database& db, const std::string& sql_before_ids, const std::set<int64_t>& ids,
                     Each each) {
  std::vector<int64_t> all(ids.begin(), ids.end());
  for (size_t from = 0; from < all.size(); from += kIdsPerQuery) {
    size_t count = std::min(kIdsPerQuery, all.size() - from);
    std::string placeholders = "?";
    for (size_t i = 1; i < count; ++i) placeholders += ",?";
    Statement s = db.prepare(sql_before_ids + "(" + placeholders + ")");
    for (size_t i = 0; i < count; ++i) s.bind(int(i + 1), all[from + i]);
    while (s.step()) each(s);
  }
}

}  // namespace lurk::live
