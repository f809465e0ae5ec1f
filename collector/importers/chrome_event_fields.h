// Small readers of Chrome trace-event fields shared by the parts of the
// ChromeTraceReader (spans and counters, flows and async events).
#pragma once

#include <string>
#include <string_view>

#include "importers/chrome_json_flat_object.h"

namespace lurk::chrome_fields {

// An id (async "id", counter "id") as text: numbers and strings alike, as
// Perfetto reads them (the number 1 and the string "1" are one id).
inline std::string id_text(const FlatJsonObject::Member* v) {
  using Kind = FlatJsonObject::Kind;
  if (!v || v->kind == Kind::Null) return "";
  if (v->kind == Kind::Float) return std::to_string(static_cast<int64_t>(v->number));
  if (v->kind == Kind::Bool) return v->boolean ? "true" : "false";
  return std::string(v->text);
}

// The value as JSON text, for messages; "none" when missing.
inline std::string json_text(const FlatJsonObject::Member* v) {
  if (!v) return "none";
  std::string out;
  v->append_json(out);
  return out;
}

}  // namespace lurk::chrome_fields
