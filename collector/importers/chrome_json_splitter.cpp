#include "importers/chrome_json_splitter.h"

#include "ingest/byte_source.h"

namespace lurk {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;
// No real trace event is this large; a longer "event" is garbage that would
// otherwise make memory grow with the file.
constexpr size_t kMaxEventBytes = 64 * 1024 * 1024;
constexpr int kEof = -1;

bool is_space(int c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

std::string describe_char(int c) {
  if (c == kEof) return "the end of the file";
  if (c >= 0x20 && c < 0x7f) return std::string("'") + char(c) + "'";
  return "byte " + std::to_string(c);
}

}  // namespace

ChromeJsonSplitter::ChromeJsonSplitter(ByteSource& in, EventHandler on_event,
                                       DamageHandler on_damage, SystemLineHandler on_system_line)
    : in_(in),
      on_event_(std::move(on_event)),
      on_damage_(std::move(on_damage)),
      on_system_line_(std::move(on_system_line)) {
  buffer_.resize(kChunkBytes);
}

bool ChromeJsonSplitter::refill() {
  end_ = in_.read(buffer_.data(), buffer_.size());
  pos_ = 0;
  return end_ > 0;
}

int ChromeJsonSplitter::peek() {
  if (pos_ == end_ && !refill()) return kEof;
  return static_cast<unsigned char>(buffer_[pos_]);
}

int ChromeJsonSplitter::get() {
  int c = peek();
  if (c == kEof) return c;
  ++pos_;
  ++offset_;
  if (c == '\n') ++line_;
  return c;
}

void ChromeJsonSplitter::damage(uint64_t offset, int64_t line, std::string kind,
                                std::string message) {
  on_damage_(SplitDamage{offset, line, std::move(kind), std::move(message)});
}

void ChromeJsonSplitter::skip_whitespace() {
  while (is_space(peek())) get();
}

void ChromeJsonSplitter::skip_whitespace_and_commas() {
  for (int c = peek(); is_space(c) || c == ','; c = peek()) get();
}

bool ChromeJsonSplitter::read_string(std::string* out) {
  get();  // opening quote
  for (;;) {
    int c = get();
    if (c == kEof) return false;
    if (c == '"') return true;
    if (c == '\\') {
      int escaped = get();
      if (escaped == kEof) return false;
      if (out) out->push_back('\\'), out->push_back(char(escaped));
      continue;
    }
    if (out) out->push_back(char(c));
  }
}

// Skips one value of any kind; nesting is followed by counting brackets
// outside strings, which is all a balanced skip needs.
bool ChromeJsonSplitter::skip_value() {
  int depth = 0;
  for (;;) {
    int c = peek();
    if (c == kEof) return false;
    if (c == '"') {
      if (!read_string(nullptr)) return false;
      if (depth == 0) return true;
      continue;
    }
    if (depth == 0 && (c == ',' || c == '}' || c == ']')) return true;
    get();
    if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (--depth == 0) return true;
    }
  }
}

namespace {

// The bytes that change the scanner's state, outside and inside strings; the
// others are skipped in a tight loop (most of an event's bytes).
struct ScanTables {
  bool outside[256] = {};
  bool inside[256] = {};
  ScanTables() {
    for (unsigned char c : {'"', '{', '}', '\n'}) outside[c] = true;
    for (unsigned char c : {'"', '\\', '\n'}) inside[c] = true;
  }
};
const ScanTables kScan;

bool is_number_byte(unsigned char c) {
  return (c >= '0' && c <= '9') || c == '.' || c == '-' || c == '+' || c == 'e' || c == 'E';
}

// At a quote that opens a top-level string of an event (`p` just past it):
// when it is the key "ts" or "ph", the [start, end) of its value within
// bytes[p, end), for the sorter (ChromeEventSorter::push). Looks ahead only
// in the buffered bytes; nothing is noted when they end first or the value
// is not the plain kind (a number for "ts", a string without escapes for
// "ph"): the sorter then reads the event itself.
inline bool top_level_key_value(const unsigned char* bytes, size_t p, size_t end, char first, char second,
                         bool number, size_t& value_begin, size_t& value_end) {
  if (p + 3 > end || bytes[p] != first || bytes[p + 1] != second || bytes[p + 2] != '"') return false;
  size_t i = p + 3;
  while (i < end && is_space(bytes[i])) ++i;
  if (i >= end || bytes[i] != ':') return false;  // a value "ts", not the key
  ++i;
  while (i < end && is_space(bytes[i])) ++i;
  value_begin = i;
  if (number) {
    while (i < end && is_number_byte(bytes[i])) ++i;
    if (i >= end || i == value_begin) return false;
    value_end = i;
    return true;
  }
  if (i >= end || bytes[i] != '"') return false;
  for (++i; i < end && bytes[i] != '"'; ++i)
    if (bytes[i] == '\\') return false;
  if (i >= end) return false;
  value_end = i + 1;  // the quotes included, as the sorter compares them
  return true;
}

// After a string's closing quote: is it a key (spaces, then ':')? Text cut
// by the buffer's end counts as a key, so that the caller is unsure.
inline bool followed_by_colon(const unsigned char* bytes, size_t i, size_t end) {
  while (i < end && is_space(bytes[i])) ++i;
  return i >= end || bytes[i] == ':';
}

}  // namespace

bool ChromeJsonSplitter::capture_object() {
  event_.clear();
  event_view_ = {};
  size_t ts_at = 0, ts_len = 0, ph_at = 0, ph_len = 0;  // within the event, when found
  bool unsure = false;  // a top-level string "ts" or "ph" may have been missed
  int depth = 0;
  bool in_string = false, escaped = false;
  for (;;) {
    // One pass over the buffered bytes with the state in locals, then one
    // copy of the run: per-byte calls were a tenth of Chrome ingest.
    if (pos_ == end_ && !refill()) return false;
    size_t start = pos_;
    bool closed = false;
    const auto* bytes = reinterpret_cast<const unsigned char*>(buffer_.data());
    while (pos_ < end_) {
      if (escaped) {
        escaped = false;
        if (bytes[pos_++] == '\n') ++line_;
        continue;
      }
      const bool* interesting = in_string ? kScan.inside : kScan.outside;
      while (pos_ < end_ && !interesting[bytes[pos_]]) ++pos_;
      if (pos_ == end_) break;
      char c = static_cast<char>(bytes[pos_++]);
      if (c == '\n') {
        ++line_;
      } else if (in_string) {
        if (c == '\\') escaped = true;
        else in_string = false;  // '"'
      } else if (c == '"') {
        in_string = true;
        // A two-letter top-level string: maybe the key "ts" or "ph". A key
        // given twice counts with its last value, as the parser reads it
        // (and Perfetto); one whose value cannot be noted here (a string
        // "ts", or text cut by the buffer's end) leaves the sorter to read
        // the event's text instead.
        if (depth == 1 && pos_ + 3 > end_) {
          unsure = true;
        } else if (depth == 1 && bytes[pos_ + 2] == '"' && followed_by_colon(bytes, pos_ + 3, end_)) {
          // A key (a value "ts", as in "name":"ts", notes nothing and
          // clears nothing noted; a key cut by the buffer's end is unsure).
          size_t vb = 0, ve = 0;
          size_t base = event_.size() - start;  // buffer position -> event position
          if (bytes[pos_] == 't' && bytes[pos_ + 1] == 's') {
            bool noted = top_level_key_value(bytes, pos_, end_, 't', 's', true, vb, ve);
            ts_at = base + vb, ts_len = noted ? ve - vb : 0;
          } else if (bytes[pos_] == 'p' && bytes[pos_ + 1] == 'h') {
            bool noted = top_level_key_value(bytes, pos_, end_, 'p', 'h', false, vb, ve);
            ph_at = base + vb, ph_len = noted ? ve - vb : 0;
          }
        }
      } else if (c == '{') {
        ++depth;
      } else if (--depth == 0) {  // '}'
        closed = true;
        break;
      }
    }
    offset_ += pos_ - start;
    if (closed && event_.empty()) {
      // The whole event is in the buffer (nearly always): no copy.
      event_view_ = std::string_view(buffer_).substr(start, pos_ - start);
    } else {
      event_.append(buffer_, start, pos_ - start);
      if (closed) event_view_ = event_;
    }
    if (closed) {
      if (unsure) ts_len = ph_len = 0;
      ts_text_ = ts_len ? event_view_.substr(ts_at, ts_len) : std::string_view();
      ph_text_ = ph_len ? event_view_.substr(ph_at, ph_len) : std::string_view();
      return true;
    }
    if (event_.size() > kMaxEventBytes) return false;
  }
}

void ChromeJsonSplitter::read_events_array() {
  summary_.found_events_array = true;
  get();  // '['
  for (;;) {
    skip_whitespace_and_commas();
    int c = peek();
    if (c == kEof) {
      summary_.truncated_array = true;
      return;
    }
    if (c == ']') {
      get();
      summary_.array_closed = true;
      return;
    }
    uint64_t at = offset_;
    int64_t line = line_;
    if (c != '{') {
      damage(at, line, "bad-json",
             "expected '{' starting a trace event, found " + describe_char(c) +
                 "; skipped to the next event");
      if (!skip_value()) return;
      if (peek() == '}') get();  // a stray closer would stop the skip forever
      continue;
    }
    if (!capture_object()) {
      damage(at, line, "torn-event",
             event_.size() > kMaxEventBytes
                 ? "trace event longer than 64 MiB; the rest of the file is unreadable"
                 : "trace event cut off by the end of the file (expected its closing '}')");
      return;
    }
    on_event_(RawJsonEvent{event_view_, at, line, ts_text_, ph_text_});
  }
}

// \uXXXX (the "\u" already read) appended as UTF-8; a surrogate pair is
// one code point. False when it is not four hex digits (kept as text).
bool ChromeJsonSplitter::read_unicode_escape(std::string& out) {
  auto hex4 = [this](uint32_t& v) {
    v = 0;
    for (int k = 0; k < 4; ++k) {
      int c = peek();
      int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
      if (d < 0) return false;
      get();
      v = v * 16 + static_cast<uint32_t>(d);
    }
    return true;
  };
  uint32_t cp;
  if (!hex4(cp)) return false;
  if (cp >= 0xd800 && cp < 0xdc00 && peek() == '\\') {
    get();
    uint32_t low;
    if (peek() == 'u' && (get(), hex4(low)) && low >= 0xdc00 && low < 0xe000)
      cp = 0x10000 + ((cp - 0xd800) << 10) + (low - 0xdc00);
    else
      cp = 0xfffd;
  } else if (cp >= 0xd800 && cp < 0xe000) {
    cp = 0xfffd;
  }
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xc0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xe0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  } else {
    out.push_back(static_cast<char>(0xf0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3f)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3f)));
  }
  return true;
}

// "systemTraceEvents": one string of ftrace text, lines separated by "\n"
// escapes. Each line is handed on unescaped, with the offset of its first
// byte; the last line counts even without a "\n" after it. False at the end
// of the file (the string never closed).
bool ChromeJsonSplitter::read_system_trace() {
  get();  // opening quote
  std::string text;
  uint64_t line_offset = offset_;
  int64_t line_line = line_;
  auto hand_on = [&] {
    if (on_system_line_) on_system_line_(RawSystemLine{text, line_offset, line_line});
    text.clear();
  };
  for (;;) {
    int c = get();
    if (c == kEof) return false;
    if (c == '"') break;
    if (c != '\\') {
      text.push_back(static_cast<char>(c));
      continue;
    }
    int escaped = get();
    switch (escaped) {
      case kEof: return false;
      case 'n':
        hand_on();
        line_offset = offset_;
        line_line = line_;
        break;
      case 't': text.push_back('\t'); break;
      case 'r': text.push_back('\r'); break;
      case 'b': text.push_back('\b'); break;
      case 'f': text.push_back('\f'); break;
      case 'u':
        if (!read_unicode_escape(text)) text.append("\\u");
        break;
      default: text.push_back(static_cast<char>(escaped));  // " \\ / and the rest as written
    }
  }
  if (!text.empty()) hand_on();
  return true;
}

void ChromeJsonSplitter::read_object_form() {
  summary_.object_form = true;
  get();  // '{'
  for (;;) {
    skip_whitespace_and_commas();
    int c = peek();
    if (c == kEof) return;
    if (c == '}') {
      get();
      summary_.object_closed = true;
      return;
    }
    uint64_t at = offset_;
    int64_t line = line_;
    if (c != '"') {
      damage(at, line, "bad-json", "expected a key of the trace object, found " + describe_char(c));
      return;
    }
    std::string key;
    if (!read_string(&key)) return;
    skip_whitespace();
    if (peek() != ':') {
      damage(offset_, line_, "bad-json",
             "expected ':' after key \"" + key + "\", found " + describe_char(peek()));
      return;
    }
    get();
    skip_whitespace();
    if (key == "traceEvents" && peek() == '[') {
      read_events_array();
      if (summary_.truncated_array) return;
    } else if (key == "systemTraceEvents") {
      if (peek() == '"') {
        if (!read_system_trace()) return;
        continue;
      }
      // Perfetto refuses the whole file; lurk keeps the events and says so.
      damage(offset_, line_, "bad-json",
             "expected \"systemTraceEvents\" to be a string of ftrace text lines, found " +
                 describe_char(peek()) + "; skipped");
      if (!skip_value()) return;
    } else if (!skip_value()) {
      return;
    }
  }
}

// Anything but whitespace after the trace's closing bracket: most often a
// second trace appended to the first (`cat a.json b.json`). Its events would
// be lost without a word; Perfetto refuses such a file ("data after EOF").
// lurk keeps the first trace and says where the rest begins.
void ChromeJsonSplitter::expect_end_of_file(char closer) {
  skip_whitespace();
  int c = peek();
  if (c == kEof) return;
  damage(offset_, line_, "trailing-data",
         std::string("expected the end of the file after the trace's closing '") + closer +
             "', found " + describe_char(c) + "; the rest of the file is not read");
}

SplitSummary ChromeJsonSplitter::run() {
  // A UTF-8 byte order mark is allowed before the JSON.
  if (peek() == 0xef) {
    get();
    get();
    get();
  }
  skip_whitespace();
  int c = peek();
  if (c == '[') {
    read_events_array();
    if (summary_.array_closed) expect_end_of_file(']');
  } else if (c == '{') {
    read_object_form();
    if (!summary_.found_events_array)
      damage(0, 1, "no-trace-events",
             "expected a \"traceEvents\" array in the trace object, found none");
    if (summary_.object_closed) expect_end_of_file('}');
  } else {
    damage(offset_, line_, "bad-json",
           "expected '[' or '{' starting a Chrome trace, found " + describe_char(c));
  }
  summary_.end_offset = offset_;
  summary_.end_line = line_;
  return summary_;
}

}  // namespace lurk
