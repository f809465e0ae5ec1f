#include "trace/lwt_thread_model.h"

#include <algorithm>

#include <nlohmann/json.hpp>

#include "net/time_arith.h"
#include "storage/trace_writer.h"
#include "trace/thread_tracker.h"

namespace lurk {

namespace {
constexpr std::string_view kShouldResolve = "__should_resolve";
}

LwtThreadModel::LwtThreadModel(ThreadTracker& tracker, TraceWriter& writer, int64_t source_id)
    : tracker_(tracker), writer_(writer), source_id_(source_id) {}

std::optional<int64_t> LwtThreadModel::promise(int64_t ext) {
  if (ext == kNoThread) return std::nullopt;
  auto it = rows_.find(ext);
  if (it == rows_.end()) {
    // First seen in an event other than its creation: it existed before the
    // trace began (its creation was overwritten when the ring wrapped), so
    // start_ns stays NULL.
    it = rows_.emplace(ext, tracker_.thread_id(std::to_string(ext))).first;
  }
  // Chains only grow at their end, so the id can point at the end found now:
  // long chains are then walked once, not at every event.
  it->second = final_of(it->second);
  return it->second;
}

int64_t LwtThreadModel::final_of(int64_t row_id) {
  // became() only links a chain's last promise to another chain's last one,
  // so chains cannot loop; the bound is a guard all the same.
  for (size_t steps = 0; steps <= rows_.size(); ++steps) {
    const std::optional<int64_t>& next = tracker_.thread(row_id).became_id;
    if (!next) break;
    row_id = *next;
  }
  return row_id;
}

void LwtThreadModel::seen(int64_t ts) {
  last_ts_ = any_event_ ? std::max(last_ts_, ts) : ts;
  any_event_ = true;
}

void LwtThreadModel::run(int64_t ts, int64_t row_id) {
  if (idle_since_) {
    writer_.insert_period({source_id_, "idle", *idle_since_, ts});
    idle_since_.reset();
  }
  if (running_ == row_id) return;
  stop_running(ts);
  running_ = row_id;
  running_since_ = ts;
}

void LwtThreadModel::stop_running(int64_t ts) {
  if (!running_) return;
  // A thread that ran for no measurable time has no period worth drawing.
  if (ts > running_since_)
    tracker_.complete_span(*running_, running_since_, ts, std::nullopt, std::nullopt, "running");
  running_.reset();
}

void LwtThreadModel::flow(const char* kind, std::optional<int64_t> from,
                          std::optional<int64_t> to, int64_t ts) {
  // Promises resolving or reading themselves are frequent and draw nothing.
  if (!from || !to || *from == *to) return;
  tracker_.flow({kind, *from, ts, *to, ts});
}

void LwtThreadModel::created(int64_t ts, int64_t parent, int64_t child, std::string_view type) {
  seen(ts);
  if (child == kNoThread) return;
  std::optional<int64_t> creator = promise(parent);
  // The child's own row, even if events already named it and it became another.
  int64_t own = tracker_.thread_id(std::to_string(child));
  rows_.try_emplace(child, own);
  ThreadRow& row = tracker_.thread(own);
  row.start_ns = ts;
  row.kind = std::string(type);
  row.parent_id = creator;
}

void LwtThreadModel::read(int64_t ts, int64_t reader, int64_t source, bool switches) {
  seen(ts);
  std::optional<int64_t> to = promise(reader);
  if (switches && to) run(ts, *to);
  std::optional<int64_t> from = promise(source);
  if (from) flow(tracker_.thread(*from).failed ? "read-failed" : "read", from, to, ts);
}

void LwtThreadModel::tried_read(int64_t ts, int64_t reader, int64_t source) {
  seen(ts);
  std::optional<int64_t> to = promise(reader);
  flow("try-read", promise(source), to, ts);
}

void LwtThreadModel::resolved(int64_t ts, int64_t resolver, int64_t resolvee,
                              std::optional<std::string_view> exception) {
  seen(ts);
  std::optional<int64_t> from = promise(resolver);
  std::optional<int64_t> target = promise(resolvee);
  if (!target) return;
  ThreadRow& row = tracker_.thread(*target);
  if (!row.end_ns) row.end_ns = ts;
  if (exception) {
    row.failed = true;
    row.exception = tracker_.intern(*exception);
    tracker_.instant({*target, ts, "exception", row.exception, std::nullopt});
  }
  flow("resolve", from, target, ts);
}

void LwtThreadModel::became(int64_t ts, int64_t thread, int64_t other) {
  seen(ts);
  std::optional<int64_t> from = promise(thread), to = promise(other);
  if (!from || !to || *from == *to) return;
  ThreadRow& row = tracker_.thread(*from);
  row.became_id = *to;
  // Its own line ends here; what it stood for goes on in `other`.
  if (!row.end_ns) row.end_ns = ts;
  if (running_ == *from) run(ts, *to);
}

void LwtThreadModel::label(int64_t ts, int64_t thread, std::string_view text) {
  seen(ts);
  std::optional<int64_t> target = promise(thread);
  if (text == kShouldResolve) {
    if (!target) return;
    ThreadRow& row = tracker_.thread(*target);
    if (!row.should_resolve) must_resolve_.push_back(*target);
    row.should_resolve = true;
    return;
  }
  int64_t name = tracker_.intern(text);
  tracker_.instant({target, ts, "label", name, std::nullopt});
  if (target) {
    ThreadRow& row = tracker_.thread(*target);
    if (!row.name) row.name = name;
  }
}

void LwtThreadModel::counter_sample(int64_t ts, int64_t thread, std::string_view name,
                                    int64_t value) {
  tracker_.counter({promise(thread), tracker_.intern(name), ts, static_cast<double>(value)});
}

void LwtThreadModel::counter_increased(int64_t ts, int64_t thread, std::string_view name,
                                       int64_t delta) {
  seen(ts);
  // The sum starts at 0 where the trace starts: earlier increases are lost.
  // It saturates: a damaged trace's deltas of +-2^63 must not overflow.
  int64_t& value = counters_[std::string(name)];
  value = saturating_add(value, delta);
  counter_sample(ts, thread, name, value);
}

void LwtThreadModel::counter_set(int64_t ts, int64_t thread, std::string_view name,
                                 int64_t value) {
  seen(ts);
  counters_[std::string(name)] = value;
  counter_sample(ts, thread, name, value);
}

void LwtThreadModel::switched(int64_t ts, int64_t thread) {
  seen(ts);
  if (std::optional<int64_t> target = promise(thread)) {
    run(ts, *target);
    return;
  }
  stop_running(ts);
  if (!idle_since_) idle_since_ = ts;
}

void LwtThreadModel::gc(int64_t ts, int64_t duration_ns) {
  seen(ts);
  int64_t start = duration_ns > 0 && duration_ns <= ts ? ts - duration_ns : ts;
  writer_.insert_period({source_id_, "gc", start, ts});
}

void LwtThreadModel::signalled(int64_t ts, int64_t thread, int64_t source, bool switches) {
  seen(ts);
  std::optional<int64_t> to = promise(thread);
  if (switches && to) run(ts, *to);
  flow("signal", promise(source), to, ts);
}

size_t LwtThreadModel::finish() {
  stop_running(last_ts_);
  if (idle_since_) {
    writer_.insert_period({source_id_, "idle", *idle_since_, last_ts_});
    idle_since_.reset();
  }
  size_t unresolved = 0;
  int64_t message = 0;
  for (int64_t row_id : must_resolve_) {
    int64_t last = final_of(row_id);
    if (tracker_.thread(last).end_ns) continue;
    if (!message) message = tracker_.intern("should-resolve promise never resolved");
    std::optional<std::string> args;
    if (last != row_id) args = "{\"chain_end\":\"" + tracker_.thread(last).ext_id + "\"}";
    tracker_.instant({row_id, last_ts_, "never-resolved", message, args});
    ++unresolved;
  }
  return unresolved;
}

}  // namespace lurk

namespace lurk {

nlohmann::json LwtThreadModel::checkpoint() const {
  nlohmann::json state{{"last_ts", last_ts_},
                       {"any_event", any_event_},
                       {"running_since", running_since_},
                       {"counters", counters_},
                       {"must_resolve", must_resolve_}};
  if (running_) state["running"] = *running_;
  if (idle_since_) state["idle_since"] = *idle_since_;
  return state;
}

void LwtThreadModel::restore(const nlohmann::json& state) {
  // Every promise the source's rows name, by its id in the trace: events
  // naming it again find its row, as they would have in one run.
  for (int64_t row_id : tracker_.thread_ids())
    rows_.emplace(std::stoll(tracker_.row(row_id).ext_id), row_id);
  last_ts_ = state.at("last_ts").get<int64_t>();
  any_event_ = state.at("any_event").get<bool>();
  running_since_ = state.at("running_since").get<int64_t>();
  counters_ = state.at("counters").get<std::unordered_map<std::string, int64_t>>();
  must_resolve_ = state.at("must_resolve").get<std::vector<int64_t>>();
  if (state.contains("running")) running_ = state["running"].get<int64_t>();
  if (state.contains("idle_since")) idle_since_ = state["idle_since"].get<int64_t>();
}

}  // namespace lurk
