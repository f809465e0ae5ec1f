// Arithmetic on nanosecond times that cannot overflow. Times come from
// inputs (a trace may say ts = 2^63 - 1, a capture's clock may be anything),
// so a difference or a sum of two of them may not fit in int64_t: signed
// overflow is undefined behaviour. These saturate at the ends of int64_t
// instead, which every caller reads as "very long ago / far away".
#pragma once

#include <cstdint>
#include <limits>

namespace lurk {

inline int64_t saturating_add(int64_t a, int64_t b) {
  int64_t sum;
  if (!__builtin_add_overflow(a, b, &sum)) return sum;
  return b > 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

inline int64_t saturating_sub(int64_t a, int64_t b) {
  int64_t difference;
  if (!__builtin_sub_overflow(a, b, &difference)) return difference;
  return b < 0 ? std::numeric_limits<int64_t>::max() : std::numeric_limits<int64_t>::min();
}

}  // namespace lurk
