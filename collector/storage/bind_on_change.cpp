// BindOnChange: skips a bind when the parameter already holds the value.
#include "storage/bind_on_change.h"

#include <cstring>

namespace lurk {

void BindOnChange::grow(int index) { slots_.resize(static_cast<size_t>(index) + 1); }

BindOnChange& BindOnChange::bind_changed(Slot& s, int index, int64_t value) {
  statement_.bind(index, value);
  s.kind = Kind::Integer;
  s.bits = value;
  return *this;
}

// Compared by bits: NaN equals itself and -0.0 differs from 0.0, so the
// stored value is always exactly the one bound.
BindOnChange& BindOnChange::bind(int index, double value) {
  int64_t bits = 0;
  std::memcpy(&bits, &value, sizeof bits);
  Slot& s = slot(index);
  if (s.kind == Kind::Real && s.bits == bits) return *this;
  statement_.bind(index, value);
  s.kind = Kind::Real;
  s.bits = bits;
  return *this;
}

BindOnChange& BindOnChange::bind_null(Slot& s, int index) {
  statement_.bind(index, std::nullopt);
  s.kind = Kind::Null;
  return *this;
}

// Short texts repeat (kinds, names); long ones (arguments) rarely do, and
// keeping a second copy of each would only add a copy per row.
BindOnChange& BindOnChange::bind(int index, std::string_view text) {
  constexpr size_t kLongestKept = 64;
  Slot& s = slot(index);
  if (s.kind == Kind::Text && s.text == text) return *this;
  statement_.bind(index, text);  // SQLite copies it (SQLITE_TRANSIENT)
  s.kind = text.size() <= kLongestKept ? Kind::Text : Kind::Unknown;
  if (s.kind == Kind::Text) s.text.assign(text);
  return *this;
}

}  // namespace lurk
