// What the life of Lwt promises (as mirage-profile records it) means in the
// .lurk tables; docs/ctf.md is the reference. Each promise is a threads row;
// running periods are 'running' spans; labels and exceptions are instants;
// read/resolve/signal/try-read are flows; counters, GC and idle periods go to
// their tables. `becomes` chains are followed: once a promise became another,
// events naming it are attributed to the last promise of its chain.
// Importers (CTF today) call one method per event, in time order.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace lurk {

class ThreadTracker;
class TraceWriter;

class LwtThreadModel {
 public:
  // Promise id that means "no thread" (or idle, for switch).
  static constexpr int64_t kNoThread = -1;

  LwtThreadModel(ThreadTracker& tracker, TraceWriter& writer, int64_t source_id);

  void created(int64_t ts, int64_t parent, int64_t child, std::string_view type);
  // `reader` took the result of `source`; it runs now when `switches`.
  void read(int64_t ts, int64_t reader, int64_t source, bool switches);
  // `source` was still pending when `reader` looked at it.
  void tried_read(int64_t ts, int64_t reader, int64_t source);
  // `resolver` resolved `resolvee`; with an exception when it failed.
  void resolved(int64_t ts, int64_t resolver, int64_t resolvee,
                std::optional<std::string_view> exception);
  void became(int64_t ts, int64_t thread, int64_t other);
  void label(int64_t ts, int64_t thread, std::string_view text);
  void counter_increased(int64_t ts, int64_t thread, std::string_view name, int64_t delta);
  void counter_set(int64_t ts, int64_t thread, std::string_view name, int64_t value);
  // `thread` runs from now on; kNoThread: the program went idle.
  void switched(int64_t ts, int64_t thread);
  void gc(int64_t ts, int64_t duration_ns);
  // `source` signalled `thread`; it runs now when `switches`.
  void signalled(int64_t ts, int64_t thread, int64_t source, bool switches);

  // Closes the running span and idle period at the last event's time and
  // flags must-resolve promises that never resolved. Returns how many were.
  size_t finish();

  int64_t last_ts() const { return last_ts_; }

  // What the model holds between events beyond the thread rows (the thread
  // running and since when, the idle period open, counter sums, must-resolve
  // promises, the last time), for a live CTF stream continued by a restarted
  // collector (docs/live.md): restore() on a model whose tracker adopted
  // the source's thread rows gives the rows the model would have made.
  nlohmann::json checkpoint() const;
  void restore(const nlohmann::json& state);

 private:
  // threads.id of promise `ext`, following `becomes`; nullopt for kNoThread.
  std::optional<int64_t> promise(int64_t ext);
  int64_t final_of(int64_t row_id);
  void seen(int64_t ts);
  void run(int64_t ts, int64_t row_id);
  void stop_running(int64_t ts);
  void flow(const char* kind, std::optional<int64_t> from, std::optional<int64_t> to, int64_t ts);
  void counter_sample(int64_t ts, int64_t thread, std::string_view name, int64_t value);

  ThreadTracker& tracker_;
  TraceWriter& writer_;
  int64_t source_id_;
  // promise id -> threads.id of the last promise of its chain known so far
  std::unordered_map<int64_t, int64_t> rows_;
  std::optional<int64_t> running_;             // threads.id running now
  int64_t running_since_ = 0;
  std::optional<int64_t> idle_since_;
  std::unordered_map<std::string, int64_t> counters_;  // counter name -> current value
  std::vector<int64_t> must_resolve_;                  // threads.id marked __should_resolve
  int64_t last_ts_ = 0;
  bool any_event_ = false;
};

}  // namespace lurk
