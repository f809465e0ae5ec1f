// Byte-equal record arrays, for the UI model tests that compare a model's
// records made two ways (lanes read from rows, from the store, remotely).
#pragma once

#include <cstring>

namespace lurk::test {

// memcmp of two empty arrays' null data() is undefined (UBSan's nonnull
// check), so empty arrays are compared by size alone.
template <typename RecordsA, typename RecordsB>
bool same_records(const RecordsA& a, const RecordsB& b) {
  static_assert(sizeof(a[0]) == sizeof(b[0]));
  return a.size() == b.size() &&
         (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0);
}

}  // namespace lurk::test
