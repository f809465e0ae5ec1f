// Splits a Chrome trace-event JSON file into the text of its single events,
// one at a time, without holding the file in memory. Both forms are read: a
// bare array `[{...}, ...]` and an object whose "traceEvents" key holds the
// array (other keys are skipped). A truncated array (no closing `]`, a
// trailing comma) ends cleanly, as Chrome's own writer can leave it; a
// truncated object form is said in the summary (the importer reports it).
// "systemTraceEvents" (ftrace/atrace text in one JSON string) is handed on
// line by line, unescaped, each with the byte offset of its first byte in
// the file (chrome_system_trace reads them); any other kind of value there
// is reported and skipped. Damage
// (garbage between events, an event cut off by the end of the file) is
// reported with byte offset and line, and splitting resumes at the next event
// where it safely can. Each event's text is then parsed on its own, so one
// bad event never costs the rest of the file.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace lurk {

class ByteSource;

struct RawJsonEvent {
  std::string_view text;  // one complete `{...}`, as in the file
  uint64_t offset = 0;    // byte offset of its `{`
  int64_t line = 1;       // 1-based line of its `{`
  // The text of its top-level "ts" (a number) and "ph" (quoted) values, when
  // the splitter saw them on its way through (empty when not): the sorter
  // then need not read the event a second time.
  std::string_view ts_text;
  std::string_view ph_text;
};

// One line of the "systemTraceEvents" string, its JSON escapes undone.
struct RawSystemLine {
  std::string_view text;  // without its "\n"
  uint64_t offset = 0;    // byte offset of its first byte in the file
  int64_t line = 1;
};

struct SplitDamage {
  uint64_t offset = 0;
  int64_t line = 1;
  std::string kind;  // 'torn-event', 'bad-json', 'no-trace-events'
  std::string message;
};

struct SplitSummary {
  bool truncated_array = false;  // the array never got its closing `]`
  bool found_events_array = false;
  bool object_form = false;      // `{"traceEvents": [...]}`
  bool object_closed = false;    // ... and its closing `}` was read
  bool array_closed = false;     // the events array's closing `]` was read
  uint64_t end_offset = 0;       // where the file ended
  int64_t end_line = 1;
};

class ChromeJsonSplitter {
 public:
  using EventHandler = std::function<void(const RawJsonEvent&)>;
  using DamageHandler = std::function<void(const SplitDamage&)>;
  using SystemLineHandler = std::function<void(const RawSystemLine&)>;

  ChromeJsonSplitter(ByteSource& in, EventHandler on_event, DamageHandler on_damage,
                     SystemLineHandler on_system_line);
  SplitSummary run();

 private:
  int peek();
  int get();
  void skip_whitespace();
  void expect_end_of_file(char closer);
  void skip_whitespace_and_commas();
  bool read_string(std::string* out);  // at the opening quote; false at end of file
  bool skip_value();                   // any JSON value, balanced; false at end of file
  bool capture_object();               // into event_, at `{`; false at end of file
  void read_object_form();
  bool read_system_trace();  // at the opening quote; false at end of file
  bool read_unicode_escape(std::string& out);
  void read_events_array();
  void damage(uint64_t offset, int64_t line, std::string kind, std::string message);
  bool refill();

  ByteSource& in_;
  EventHandler on_event_;
  DamageHandler on_damage_;
  SystemLineHandler on_system_line_;
  std::string buffer_;
  size_t pos_ = 0, end_ = 0;
  uint64_t offset_ = 0;  // of buffer_[pos_]
  int64_t line_ = 1;
  std::string event_;            // an event that spans two buffer fills
  std::string_view event_view_;  // the captured event: in buffer_ or event_
  std::string_view ts_text_, ph_text_;  // within event_view_, when seen
  SplitSummary summary_;
};

}  // namespace lurk
