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
                                       DamageHandler on_damage)
    : in_(in), on_event_(std::move(on_event)), on_damage_(std::move(on_damage)) {
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

}  // namespace

bool ChromeJsonSplitter::capture_object() {
  event_.clear();
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
      } else if (c == '{') {
        ++depth;
      } else if (--depth == 0) {  // '}'
        closed = true;
        break;
      }
    }
    event_.append(buffer_, start, pos_ - start);
    offset_ += pos_ - start;
    if (closed) return true;
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
    on_event_(RawJsonEvent{event_, at, line});
  }
}

// "systemTraceEvents": one string of atrace/ftrace text lines. lurk does not
// read them; they are counted (lines with text) and reported, never dropped
// without a word. False at the end of the file.
bool ChromeJsonSplitter::skip_system_trace(uint64_t at, int64_t line) {
  get();  // opening quote
  int64_t lines = 0;
  bool line_has_text = false;
  for (;;) {
    int c = get();
    if (c == kEof) return false;
    if (c == '"') break;
    if (c != '\\') {
      line_has_text = true;
      continue;
    }
    int escaped = get();
    if (escaped == kEof) return false;
    if (escaped == 'n') {
      lines += line_has_text;
      line_has_text = false;
    } else {
      line_has_text = true;
    }
  }
  lines += line_has_text;
  if (lines > 0)
    damage(at, line, "not-imported",
           "\"systemTraceEvents\" holds " + std::to_string(lines) +
               " lines of atrace text; lurk does not import them");
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
    } else if (key == "systemTraceEvents" && peek() == '"') {
      if (!skip_system_trace(at, line)) return;
    } else if (!skip_value()) {
      return;
    }
  }
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
  } else if (c == '{') {
    read_object_form();
    if (!summary_.found_events_array)
      damage(0, 1, "no-trace-events",
             "expected a \"traceEvents\" array in the trace object, found none");
  } else {
    damage(offset_, line_, "bad-json",
           "expected '[' or '{' starting a Chrome trace, found " + describe_char(c));
  }
  summary_.end_offset = offset_;
  summary_.end_line = line_;
  return summary_;
}

}  // namespace lurk
