// Puts Chrome trace events back in time order before the reader sees them,
// as Perfetto's TraceSorter does, but streaming: it holds a window of at most
// kWindowEvents parsed events (a min-heap on (ts, file order)) and hands on
// the earliest whenever the window is full. So an "E" written before its "B",
// a flow's "f" before its "s", or threads written one chunk after another
// pair and nest by timestamp as long as no event is more than kWindowEvents
// events away from its place in time. An event that arrives after a later
// one was already handed on is too far out of order: it is handed on anyway
// and flagged `late`, so the reader can say so (ingest_errors) instead of
// pairing it wrongly without a word.
//
// Events without a usable "ts" (metadata "M", damaged events) go straight
// through: they have no place in time, and the reader reports the damage.
// Memory: kWindowEvents parsed events, whose buffers are reused (a pool of
// FlatJsonObject slots), so steady-state sorting allocates nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "importers/chrome_json_flat_object.h"

namespace lurk {

struct SortedEvent {
  const FlatJsonObject* event = nullptr;
  uint64_t offset = 0;
  int64_t line = 1;
  std::optional<int64_t> ts_ns;  // the event's "ts" as read by chrome_timestamp_ns()
  bool late = false;             // arrived after a later event had been handed on
  int64_t handed_on_until_ns = 0;  // when late: the latest ts handed on before it
};

class ChromeEventSorter {
 public:
  static constexpr size_t kWindowEvents = 16384;
  using Handler = std::function<void(const SortedEvent&)>;

  explicit ChromeEventSorter(Handler handler, size_t window = kWindowEvents);

  // The slot to parse the next event into; pass it to push() right after.
  FlatJsonObject& slot();
  // The event parsed into slot(), at `offset`/`line` of the file.
  void push(uint64_t offset, int64_t line);
  // Hands on everything still held, in time order.
  void flush();
  // The latest timestamp handed on so far.
  std::optional<int64_t> released_until() const { return released_until_; }

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

  Handler handler_;
  size_t window_;
  std::vector<FlatJsonObject> slots_;
  std::vector<uint32_t> free_;
  uint32_t current_ = 0;
  std::vector<Held> heap_;
  uint64_t seq_ = 0;
  std::optional<int64_t> released_until_;
};

// A Chrome "ts"/"dur" member (microseconds) in nanoseconds, exactly: integers
// are multiplied by 1000 in integer arithmetic (16-digit Unix-epoch
// microseconds stay exact), decimals are read from their text (digits past
// the nanosecond rounded half away from zero). nullopt when the value is not
// a number or does not fit in int64 nanoseconds.
std::optional<int64_t> chrome_timestamp_ns(const FlatJsonObject::Member& v);

}  // namespace lurk
