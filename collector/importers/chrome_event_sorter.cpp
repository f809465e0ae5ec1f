#include "importers/chrome_event_sorter.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace lurk {

namespace {

constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max() / 1000;

// "123.4567" -> 123457 ns; nullopt for exponents (read as a double instead)
// or values out of range.
std::optional<int64_t> decimal_micros_to_ns(const std::string& text) {
  size_t i = 0;
  bool negative = i < text.size() && text[i] == '-';
  if (negative) ++i;
  uint64_t micros = 0;
  size_t int_digits = 0;
  for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++int_digits) {
    micros = micros * 10 + static_cast<uint64_t>(text[i] - '0');
    if (micros > static_cast<uint64_t>(kMaxMicros)) return std::nullopt;
  }
  if (int_digits == 0) return std::nullopt;
  uint64_t ns = micros * 1000;
  if (i < text.size() && text[i] == '.') {
    ++i;
    static constexpr uint64_t kPlace[] = {100, 10, 1};  // ns per digit after the point
    size_t place = 0;
    for (; i < text.size() && text[i] >= '0' && text[i] <= '9'; ++i, ++place) {
      uint64_t digit = static_cast<uint64_t>(text[i] - '0');
      if (place < 3) ns += digit * kPlace[place];
      else if (place == 3 && digit >= 5) ++ns;  // the first digit past the nanosecond rounds
    }
  }
  if (i != text.size()) return std::nullopt;  // an exponent
  if (ns > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
  return negative ? -static_cast<int64_t>(ns) : static_cast<int64_t>(ns);
}

}  // namespace

std::optional<int64_t> chrome_timestamp_ns(const FlatJsonObject::Member& v) {
  using Kind = FlatJsonObject::Kind;
  if (v.kind == Kind::Uint) {
    if (v.uint_value > static_cast<uint64_t>(kMaxMicros)) return std::nullopt;
    return static_cast<int64_t>(v.uint_value) * 1000;
  }
  if (v.kind == Kind::Int) {
    if (v.int_value > kMaxMicros || v.int_value < -kMaxMicros) return std::nullopt;
    return v.int_value * 1000;
  }
  if (v.kind != Kind::Float) return std::nullopt;
  if (auto exact = decimal_micros_to_ns(v.text)) return exact;
  double us = v.number;
  if (!std::isfinite(us) || std::fabs(us) > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(std::llround(us * 1000.0));
}

ChromeEventSorter::ChromeEventSorter(Handler handler, size_t window)
    : handler_(std::move(handler)), window_(std::max<size_t>(window, 1)) {
  heap_.reserve(window_ + 1);
}

FlatJsonObject& ChromeEventSorter::slot() {
  if (free_.empty()) {
    free_.push_back(static_cast<uint32_t>(slots_.size()));
    slots_.emplace_back();
  }
  current_ = free_.back();
  return slots_[current_];
}

void ChromeEventSorter::push(uint64_t offset, int64_t line) {
  const FlatJsonObject& ev = slots_[current_];
  const FlatJsonObject::Member* ts = ev.is_object() ? ev.find("ts") : nullptr;
  std::optional<int64_t> ts_ns = ts ? chrome_timestamp_ns(*ts) : std::nullopt;
  std::string_view ph = ev.is_object() ? ev.string("ph") : std::string_view();
  if (!ts_ns || ph == "M") {
    // No place in time: handed on now; the slot stays free for the next one.
    handler_(SortedEvent{&ev, offset, line, ts_ns, false, 0});
    return;
  }
  free_.pop_back();
  heap_.push_back(Held{*ts_ns, seq_++, current_, offset, line});
  std::push_heap(heap_.begin(), heap_.end(), Later());
  if (heap_.size() > window_) release_one();
}

void ChromeEventSorter::release_one() {
  std::pop_heap(heap_.begin(), heap_.end(), Later());
  Held held = heap_.back();
  heap_.pop_back();
  bool late = released_until_ && held.ts_ns < *released_until_;
  int64_t until = released_until_.value_or(0);
  if (!late) released_until_ = held.ts_ns;
  handler_(SortedEvent{&slots_[held.slot], held.offset, held.line, held.ts_ns, late, until});
  free_.push_back(held.slot);
}

void ChromeEventSorter::flush() {
  while (!heap_.empty()) release_one();
}

}  // namespace lurk
