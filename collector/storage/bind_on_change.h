// A prepared statement for rows written in bulk that binds a parameter only
// when its value changes. SQLite keeps a statement's bindings across resets,
// so a parameter that already holds the value (a packet row's source id,
// the NULLs of analysis columns most packets lack, a span's kind) need not
// be bound again: each bind costs ~90 instructions in SQLite (vdbeUnbind,
// sqlite3_bind_*), a sixth of writing a packet row (bench/RESULTS.md).
//
// The rule that keeps it right: nothing else binds or clears this
// statement's parameters (TraceWriter keeps these statements apart from the
// ones it binds by hand).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <type_traits>
#include <vector>

#include "storage/sqlite_handle.h"

namespace lurk {

class BindOnChange {
 public:
  explicit BindOnChange(Statement statement) : statement_(std::move(statement)) {}

  // The check is inline, the bind out of line: a packet row makes 18 of
  // these calls, and half its parameters keep their value from the row
  // before (bench/RESULTS.md, pcap10: the out-of-line check cost as much as
  // SQLite's own bind).
  BindOnChange& bind(int index, int64_t value) {
    Slot& s = slot(index);
    if (s.kind == Kind::Integer && s.bits == value) return *this;
    return bind_changed(s, index, value);
  }
  BindOnChange& bind(int index, double value);
  BindOnChange& bind(int index, std::nullopt_t) {
    Slot& s = slot(index);
    if (s.kind == Kind::Null) return *this;
    return bind_null(s, index);
  }
  BindOnChange& bind(int index, std::string_view text);
  BindOnChange& bind(int index, std::optional<int64_t> value) {
    return value ? bind(index, *value) : bind(index, std::nullopt);
  }
  BindOnChange& bind(int index, const std::optional<std::string>& text) {
    return text ? bind(index, std::string_view(*text)) : bind(index, std::nullopt);
  }
  BindOnChange& bind(int index, const std::string& text) {
    return bind(index, std::string_view(text));
  }
  template <typename T>
  BindOnChange& bind(int index, T value)
    requires std::is_integral_v<T>
  {
    return bind(index, static_cast<int64_t>(value));
  }

  // Steps the statement and resets it; the bindings stay (see above).
  void run() { statement_.run(); }

 private:
  enum class Kind : uint8_t { Unknown, Null, Integer, Real, Text };
  struct Slot {
    Kind kind = Kind::Unknown;
    int64_t bits = 0;  // the integer, or the double's bits
    std::string text;
  };
  Slot& slot(int index) {
    if (static_cast<size_t>(index) >= slots_.size()) [[unlikely]] grow(index);
    return slots_[static_cast<size_t>(index)];
  }
  void grow(int index);
  BindOnChange& bind_changed(Slot& s, int index, int64_t value);
  BindOnChange& bind_null(Slot& s, int index);

  Statement statement_;
  std::vector<Slot> slots_;  // by 1-based parameter index
};

}  // namespace lurk
