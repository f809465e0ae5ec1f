#include "trace/thread_tracker.h"

#include <algorithm>
#include <stdexcept>

#include "storage/trace_writer.h"

namespace lurk {

ThreadTracker::ThreadTracker(TraceWriter& writer, int64_t source_id, Nesting nesting)
    : writer_(writer), source_id_(source_id), nesting_(nesting) {}

int64_t ThreadTracker::thread_id(std::string_view ext_id) {
  if (auto it = by_ext_id_.find(ext_id); it != by_ext_id_.end()) return it->second;
  std::string key(ext_id);
  Thread thread;
  thread.row.source_id = source_id_;
  thread.row.ext_id = key;
  thread.row.sort_index = static_cast<int64_t>(order_.size());
  int64_t id = writer_.insert_thread(thread.row);
  by_ext_id_.emplace(std::move(key), id);
  threads_.emplace(id, std::move(thread));
  order_.push_back(id);
  return id;
}

bool ThreadTracker::has_thread(std::string_view ext_id) const {
  return by_ext_id_.find(ext_id) != by_ext_id_.end();
}

std::optional<int64_t> ThreadTracker::find_thread(std::string_view ext_id) const {
  auto it = by_ext_id_.find(ext_id);
  if (it == by_ext_id_.end()) return std::nullopt;
  return it->second;
}

void ThreadTracker::adopt(std::vector<ThreadRow> rows) {
  std::sort(rows.begin(), rows.end(),
            [](const ThreadRow& a, const ThreadRow& b) { return a.sort_index < b.sort_index; });
  for (ThreadRow& row : rows) {
    Thread thread;
    int64_t id = row.id;
    thread.row = std::move(row);
    by_ext_id_.emplace(thread.row.ext_id, id);
    threads_.emplace(id, std::move(thread));
    order_.push_back(id);
  }
}

ThreadTracker::Thread& ThreadTracker::get(int64_t thread_id) {
  auto it = threads_.find(thread_id);
  if (it == threads_.end()) throw std::logic_error("unknown thread id");
  return it->second;
}

ThreadRow& ThreadTracker::thread(int64_t thread_id) {
  Thread& t = get(thread_id);
  if (!t.changed) {
    t.changed = true;
    changed_.push_back(thread_id);
  }
  return t.row;
}

void ThreadTracker::flush() {
  for (int64_t id : changed_) {
    Thread& t = get(id);
    writer_.update_thread(t.row);
    t.changed = false;
  }
  changed_.clear();
}

int64_t ThreadTracker::intern(std::string_view text) { return writer_.intern(text); }

void ThreadTracker::begin_span(int64_t thread_id, int64_t ts_ns, std::optional<int64_t> name,
                               std::optional<std::string> args_json, std::string kind) {
  Thread& t = get(thread_id);
  OpenSpan open;
  open.row.thread_id = thread_id;
  open.row.start_ns = ts_ns;
  open.row.depth = nesting_ == Nesting::ByTime
                       ? t.by_time.start(ts_ns, TimeNesting::kOpen, &open.slot)
                       : static_cast<int>(t.open.size());
  open.row.kind = std::move(kind);
  open.row.name = name;
  open.row.args_json = std::move(args_json);
  t.open.push_back(std::move(open));
}

bool ThreadTracker::end_span(int64_t thread_id, int64_t ts_ns) {
  Thread& t = get(thread_id);
  if (t.open.empty()) return false;
  SpanRow row = std::move(t.open.back().row);
  TimeNesting::Slot slot = t.open.back().slot;
  t.open.pop_back();
  row.end_ns = std::max(ts_ns, row.start_ns);
  if (nesting_ == Nesting::ByTime) t.by_time.end(slot, row.end_ns);
  writer_.insert_span(row);
  return true;
}

void ThreadTracker::complete_span(int64_t thread_id, int64_t start_ns, int64_t end_ns,
                                  std::optional<int64_t> name,
                                  std::optional<std::string> args_json, std::string kind) {
  Thread& t = get(thread_id);
  SpanRow row;
  row.thread_id = thread_id;
  row.start_ns = start_ns;
  row.end_ns = std::max(end_ns, start_ns);
  row.depth = nesting_ == Nesting::ByTime ? t.by_time.start(start_ns, row.end_ns, nullptr)
                                          : static_cast<int>(t.open.size());
  row.kind = std::move(kind);
  row.name = name;
  row.args_json = std::move(args_json);
  writer_.insert_span(row);
}

size_t ThreadTracker::open_spans(int64_t thread_id) const {
  auto it = threads_.find(thread_id);
  return it == threads_.end() ? 0 : it->second.open.size();
}

std::vector<int64_t> ThreadTracker::threads_nested_in_doubt() const {
  std::vector<int64_t> out;
  for (int64_t id : order_)
    if (threads_.at(id).by_time.in_doubt()) out.push_back(id);
  return out;
}

void ThreadTracker::instant(const InstantRow& row) { writer_.insert_instant(row); }
void ThreadTracker::counter(const CounterRow& row) { writer_.insert_counter(row); }
void ThreadTracker::flow(const FlowRow& row) { writer_.insert_flow(row); }

size_t ThreadTracker::finish(int64_t trace_end_ns) {
  changed_.clear();  // every row is written below
  size_t closed = 0;
  for (int64_t id : order_) {
    Thread& t = threads_.at(id);
    while (!t.open.empty()) {
      end_span(id, trace_end_ns);
      ++closed;
    }
    writer_.update_thread(t.row);
  }
  return closed;
}

}  // namespace lurk
