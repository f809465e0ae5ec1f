// Puts Chrome trace events back in time order before the reader sees them,
// as Perfetto's TraceSorter does, but streaming: it holds a window of at most
// kWindowEvents events (a min-heap on (ts, file order)) and hands on the
// earliest whenever the window is full. So an "E" written before its "B",
// a flow's "f" before its "s", or threads written one chunk after another
// pair and nest by timestamp as long as no event is more than kWindowEvents
// events away from its place in time. An event that arrives after a later
// one was already handed on is too far out of order: it is handed on anyway
// and flagged `late`, so the reader can say so (ingest_errors) instead of
// pairing it wrongly without a word.
//
// Held events are kept as their text (a copy in a reused buffer): only the
// top-level "ts" and "ph" are read on arrival (the splitter hands them over
// when it saw them; else a scan that builds nothing); the event is parsed once, when it is handed on (a parsed event
// is ~1 KB, its text a few hundred bytes). The window is a trade of reach
// against speed: 16,384 events, parsed or as text, cost 40-50% more CPU
// time on the JSON bench (they no longer stay in the caches), 4,096 event
// texts about 15%.
// Events without a usable "ts" (metadata "M", damaged events) go straight
// through: they have no place in time, and the reader reports the damage.
// Memory: kWindowEvents event texts, and at most kWindowBytes of them (plus
// the one event that passes it): events of MBs each (huge names or args)
// shrink the window's reach in events instead of growing memory with them.
//
// Fast path: most files are nearly in time order, so an event no earlier
// than the last one queued joins an in-order run (a ring, O(1) both ways)
// instead of the heap; only events that go back in time pay for the heap.
// The earliest of the run's front and the heap's top is handed on, so the
// order handed on is exactly the heap-only order.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "importers/chrome_json_flat_object.h"

namespace lurk {

struct SortedEvent {
  std::string_view text;  // the event as in the file, valid during the handler
  uint64_t offset = 0;
  int64_t line = 1;
  std::optional<int64_t> ts_ns;    // its "ts" as chrome_timestamp_ns() reads it, when it has one
  bool late = false;               // arrived after a later event had been handed on
  int64_t handed_on_until_ns = 0;  // when late: the latest ts handed on before it
};

class ChromeEventSorter {
 public:
  static constexpr size_t kWindowEvents = 4096;
  static constexpr size_t kWindowBytes = 16u << 20;  // 16 MiB of held event text
  using Handler = std::function<void(const SortedEvent&)>;

  explicit ChromeEventSorter(Handler handler, size_t window = kWindowEvents);

  // One event's text (a JSON object, not yet checked), at offset/line.
  // `ts_text`/`ph_text`: its top-level "ts" and "ph" values when the caller
  // already knows them (the splitter notes them in passing); when either is
  // empty the event is scanned here.
  void push(std::string_view text, uint64_t offset, int64_t line,
            std::string_view ts_text = {}, std::string_view ph_text = {});
  // Hands on everything still held, in time order.
  void flush();

 private:
  struct Held {
    int64_t ts_ns;
    uint64_t seq;  // file order: ties keep it, as a stable sort would
    uint32_t slot;
    uint64_t offset;
    int64_t line;
  };
  struct Later {
    bool operator()(const Held& a, const Held& b) const {
      return a.ts_ns != b.ts_ns ? a.ts_ns > b.ts_ns : a.seq > b.seq;
    }
  };
  void release_one();
  size_t held_count() const { return run_size_ + heap_.size(); }

  Handler handler_;
  size_t window_;
  std::vector<std::string> texts_;  // held events' text, by slot
  size_t held_bytes_ = 0;           // their lengths, summed
  std::vector<uint32_t> free_;
  std::vector<Held> heap_;          // events that went back in time
  std::vector<Held> run_;           // ring: the in-order run, earliest at run_head_
  size_t run_head_ = 0, run_size_ = 0;
  uint64_t seq_ = 0;
  std::optional<int64_t> released_until_;
};

// A Chrome "ts"/"dur" member (microseconds) in nanoseconds, exactly: integers
// are multiplied by 1000 in integer arithmetic (16-digit Unix-epoch
// microseconds stay exact), decimals are read from their text (digits past
// the nanosecond rounded half away from zero). A string holding a number
// ("ts": "12.5") is read as that number, as Perfetto does. nullopt when the
// value is neither or does not fit in int64 nanoseconds.
std::optional<int64_t> chrome_timestamp_ns(const FlatJsonObject::Member& v);
// The same from a JSON value's text: a number, or a string holding one
// (quotes included); nullopt for any other JSON value.
std::optional<int64_t> chrome_timestamp_ns(std::string_view number_text);

}  // namespace lurk
