#include "importers/chrome_event_sorter.h"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

namespace lurk {

namespace {

constexpr int64_t kMaxMicros = std::numeric_limits<int64_t>::max() / 1000;

// "123.4567" -> 123457 ns; nullopt for exponents (read as a double instead)
// or values out of range.
std::optional<int64_t> decimal_micros_to_ns(std::string_view text) {
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

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Past the string whose opening quote is at text[i]; npos when it never closes.
size_t skip_string(std::string_view text, size_t i) {
  for (++i;;) {
    const void* quote = std::memchr(text.data() + i, '"', text.size() - i);
    if (!quote) return std::string_view::npos;
    size_t q = static_cast<size_t>(static_cast<const char*>(quote) - text.data());
    size_t backslashes = 0;
    while (q - backslashes > i && text[q - 1 - backslashes] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return q + 1;  // not an escaped quote
    i = q + 1;
  }
}

// Past one JSON value starting at text[i] (balanced brackets, strings with
// escapes); npos when the text ends first.
size_t skip_value(std::string_view text, size_t i) {
  if (i < text.size() && text[i] == '"') return skip_string(text, i);
  int depth = 0;
  while (i < text.size()) {
    char c = text[i];
    if (c == '"') {
      i = skip_string(text, i);
      if (i == std::string_view::npos) return i;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (depth == 0) return i;  // the end of the enclosing object
      if (--depth == 0) return i + 1;
    } else if (depth == 0 && (c == ',' || is_space(c))) {
      return i;
    }
    ++i;
  }
  return depth == 0 ? i : std::string_view::npos;
}

// The text of the top-level "ts" and "ph" values of an event, without
// parsing it. False when the text is not a plain object as far as read; the
// parser will say what is wrong with it.
bool scan_ts_and_ph(std::string_view text, std::string_view& ts, std::string_view& ph) {
  size_t i = 0;
  while (i < text.size() && is_space(text[i])) ++i;
  if (i == text.size() || text[i] != '{') return false;
  ++i;
  for (;;) {
    while (i < text.size() && (is_space(text[i]) || text[i] == ',')) ++i;
    if (i == text.size()) return false;
    if (text[i] == '}') return true;
    if (text[i] != '"') return false;
    size_t key_end = skip_value(text, i);
    if (key_end == std::string_view::npos) return false;
    std::string_view key = text.substr(i + 1, key_end - i - 2);
    i = key_end;
    while (i < text.size() && is_space(text[i])) ++i;
    if (i == text.size() || text[i] != ':') return false;
    ++i;
    while (i < text.size() && is_space(text[i])) ++i;
    size_t value_end = skip_value(text, i);
    if (value_end == std::string_view::npos || value_end == i) return false;
    // Read to the end: a key given twice counts with its last value, as the
    // parser reads it. Only events the splitter could not note come here.
    if (key == "ts") ts = text.substr(i, value_end - i);
    else if (key == "ph") ph = text.substr(i, value_end - i);
    i = value_end;
  }
}

// The number a JSON string holds ("ts": "123.5"): some writers quote their
// timestamps, and Perfetto reads the number inside. Only the characters of a
// JSON number are allowed, so strtod's extras ("0x1f", "inf", " 12") stay out.
std::optional<std::string_view> quoted_number(std::string_view text) {
  if (text.size() < 3 || text.front() != '"' || text.back() != '"') return std::nullopt;
  text = text.substr(1, text.size() - 2);
  for (char c : text)
    if (!((c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E'))
      return std::nullopt;
  return text;
}

}  // namespace

std::optional<int64_t> chrome_timestamp_ns(std::string_view number_text) {
  if (std::optional<std::string_view> inside = quoted_number(number_text)) number_text = *inside;
  if (number_text.empty() || !(number_text[0] == '-' || (number_text[0] >= '0' && number_text[0] <= '9')))
    return std::nullopt;
  if (auto exact = decimal_micros_to_ns(number_text)) return exact;
  // An exponent, or out of range: as a double, the way the parser reads it.
  char buffer[64];
  if (number_text.size() >= sizeof buffer) return std::nullopt;
  number_text.copy(buffer, number_text.size());
  buffer[number_text.size()] = '\0';
  char* end = nullptr;
  double us = std::strtod(buffer, &end);
  if (end != buffer + number_text.size()) return std::nullopt;
  if (!std::isfinite(us) || std::fabs(us) > 9.0e15) return std::nullopt;
  return static_cast<int64_t>(std::llround(us * 1000.0));
}

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
  if (v.kind == Kind::String) {
    // The decoded string, quoted again for the text form's check.
    std::string quoted = "\"" + std::string(v.text) + "\"";
    return chrome_timestamp_ns(std::string_view(quoted));
  }
  if (v.kind != Kind::Float) return std::nullopt;
  return chrome_timestamp_ns(std::string_view(v.text));
}

ChromeEventSorter::ChromeEventSorter(Handler handler, size_t window)
    : handler_(std::move(handler)), window_(std::max<size_t>(window, 1)) {
  size_t ring = 1;
  while (ring < window_ + 1) ring <<= 1;
  run_.resize(ring);
  texts_.reserve(window_ + 1);
}

void ChromeEventSorter::push(std::string_view text, uint64_t offset, int64_t line,
                             std::string_view ts_text, std::string_view ph_text) {
  std::string_view ts = ts_text, ph = ph_text;
  std::optional<int64_t> ts_ns;
  bool known = !ts.empty() && !ph.empty();
  if ((known || scan_ts_and_ph(text, ts, ph)) && ph != "\"M\"") ts_ns = chrome_timestamp_ns(ts);
  if (!ts_ns) {
    // No place in time: handed on now.
    handler_(SortedEvent{text, offset, line, std::nullopt, false, 0});
    return;
  }
  if (free_.empty()) {
    free_.push_back(static_cast<uint32_t>(texts_.size()));
    texts_.emplace_back();
  }
  uint32_t slot = free_.back();
  free_.pop_back();
  texts_[slot].assign(text);
  held_bytes_ += text.size();
  Held held{*ts_ns, seq_++, slot, offset, line};
  const size_t mask = run_.size() - 1;
  if (run_size_ == 0 || run_[(run_head_ + run_size_ - 1) & mask].ts_ns <= held.ts_ns) {
    run_[(run_head_ + run_size_) & mask] = held;
    ++run_size_;
  } else {
    heap_.push_back(held);
    std::push_heap(heap_.begin(), heap_.end(), Later());
  }
  if (held_count() > window_) release_one();
  while (held_bytes_ > kWindowBytes && held_count() > 1) release_one();
}

void ChromeEventSorter::release_one() {
  // The earliest of the run's front and the heap's top (file order on ties).
  Held held;
  if (run_size_ > 0 && (heap_.empty() || !Later()(run_[run_head_], heap_.front()))) {
    held = run_[run_head_];
    run_head_ = (run_head_ + 1) & (run_.size() - 1);
    --run_size_;
  } else {
    std::pop_heap(heap_.begin(), heap_.end(), Later());
    held = heap_.back();
    heap_.pop_back();
  }
  bool late = released_until_ && held.ts_ns < *released_until_;
  int64_t until = released_until_.value_or(0);
  if (!late) released_until_ = held.ts_ns;
  std::string& text = texts_[held.slot];
  held_bytes_ -= text.size();
  handler_(SortedEvent{text, held.offset, held.line, held.ts_ns, late, until});
  // A rare huge event does not keep its buffer for the rest of the file.
  if (text.capacity() > 64 * 1024) std::string().swap(text);
  free_.push_back(held.slot);
}

void ChromeEventSorter::flush() {
  while (held_count() > 0) release_one();
}

}  // namespace lurk
