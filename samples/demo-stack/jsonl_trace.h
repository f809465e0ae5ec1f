// The demo stack's tracer: writes lurk JSON lines (docs/lurk-jsonl.md) as
// things happen, one line per event, from any thread. Timestamps are
// CLOCK_REALTIME nanoseconds ("clock":"unix-ns") so the trace joins a capture
// of the same run. Also a per-thread call stack, so exceptions carry the
// stack of demo functions they were thrown through.
#pragma once

#include <cstdint>
#include <cstdio>
#include <mutex>
#include <string>
#include <vector>

#include "connection_tuple.h"

namespace lurk::demo {

int64_t unix_now_ns();
std::string json_quote(const std::string& text);

class JsonlTrace {
 public:
  JsonlTrace(const std::string& path, const std::string& producer);  // throws on open failure
  ~JsonlTrace();
  JsonlTrace(const JsonlTrace&) = delete;
  JsonlTrace& operator=(const JsonlTrace&) = delete;

  void thread_start(const std::string& thread, const std::string& name, const ConnectionTuple* conn);
  void thread_end(const std::string& thread, const std::string* error);
  void span_begin(const std::string& thread, const std::string& name, const std::string& args_json);
  void span_end(const std::string& thread);
  void log(const std::string& thread, const std::string& level, const std::string& text);
  void exception(const std::string& thread, const std::string& message,
                 const std::vector<std::string>& stack, bool uncaught, const ConnectionTuple& conn);
  // One segment as this program sent (tx) or received (rx) it; `thread` may be empty.
  void tcp_segment(int64_t ts, const SegmentHeader& segment, const std::string& thread);

 private:
  void write_line(const std::string& line);

  std::mutex mutex_;
  FILE* file_ = nullptr;
};

// RAII span: span_begin now, span_end when the scope ends (also when unwinding).
class Span {
 public:
  Span(JsonlTrace& trace, const std::string& thread, const std::string& name,
       const std::string& args_json = "");
  ~Span();
  Span(const Span&) = delete;
  Span& operator=(const Span&) = delete;

 private:
  JsonlTrace& trace_;
  std::string thread_;
};

// The demo's own call stack per thread: FRAME pushes "file:line function" for
// the scope, so an exception can report the frames it was thrown through.
class StackFrame {
 public:
  StackFrame(const char* file, int line, const char* function);
  ~StackFrame();
  StackFrame(const StackFrame&) = delete;
  StackFrame& operator=(const StackFrame&) = delete;
  static std::vector<std::string> current();  // innermost first
};

#define DEMO_FRAME() ::lurk::demo::StackFrame demo_frame_(__FILE__, __LINE__, __func__)

// An error of the demo stack that remembers the stack where it was thrown.
class StackError : public std::exception {
 public:
  explicit StackError(std::string message) : message_(std::move(message)), stack_(StackFrame::current()) {}
  const char* what() const noexcept override { return message_.c_str(); }
  const std::vector<std::string>& stack() const { return stack_; }

 private:
  std::string message_;
  std::vector<std::string> stack_;
};

}  // namespace lurk::demo
