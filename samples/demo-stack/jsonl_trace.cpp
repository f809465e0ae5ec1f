// The demo stack's tracer (see jsonl_trace.h): lurk JSON lines, one mutex, one
// fflush per line so a crashed run still leaves every line it wrote.
#include "jsonl_trace.h"

#include <time.h>

#include <stdexcept>

namespace lurk::demo {

int64_t unix_now_ns() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return int64_t(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

std::string json_quote(const std::string& text) {
  std::string out = "\"";
  for (unsigned char c : text) {
    if (c == '"' || c == '\\') {
      out += '\\';
      out += char(c);
    } else if (c < 0x20) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += char(c);
    }
  }
  return out + "\"";
}

namespace {

std::string event_head(const char* type, int64_t ts) {
  return std::string("{\"t\":\"") + type + "\",\"ts\":" + std::to_string(ts);
}

std::string flag_list(uint8_t flags) {
  static const char* names[8] = {"FIN", "SYN", "RST", "PSH", "ACK", "URG", "ECE", "CWR"};
  std::string out = "[";
  for (int bit = 0; bit < 8; ++bit) {
    if (!(flags & (1u << bit))) continue;
    if (out.size() > 1) out += ',';
    out += std::string("\"") + names[bit] + "\"";
  }
  return out + "]";
}

}  // namespace

JsonlTrace::JsonlTrace(const std::string& path, const std::string& producer) {
  file_ = std::fopen(path.c_str(), "w");
  if (!file_) throw std::runtime_error("cannot write the trace " + path);
  write_line("{\"lurk\":\"jsonl\",\"version\":1,\"clock\":\"unix-ns\",\"producer\":" +
             json_quote(producer) + "}");
}

JsonlTrace::~JsonlTrace() {
  if (file_) std::fclose(file_);
}

void JsonlTrace::write_line(const std::string& line) {
  std::lock_guard<std::mutex> lock(mutex_);
  std::fputs(line.c_str(), file_);
  std::fputc('\n', file_);
  std::fflush(file_);
}

void JsonlTrace::thread_start(const std::string& thread, const std::string& name,
                              const ConnectionTuple* conn) {
  std::string line = event_head("thread_start", unix_now_ns()) + ",\"thread\":" + json_quote(thread) +
                     ",\"name\":" + json_quote(name);
  if (conn) line += ",\"conn\":" + conn->json();
  write_line(line + "}");
}

void JsonlTrace::thread_end(const std::string& thread, const std::string* error) {
  std::string line = event_head("thread_end", unix_now_ns()) + ",\"thread\":" + json_quote(thread);
  if (error) line += ",\"error\":" + json_quote(*error);
  write_line(line + "}");
}

void JsonlTrace::span_begin(const std::string& thread, const std::string& name,
                            const std::string& args_json) {
  std::string line = event_head("span_begin", unix_now_ns()) + ",\"thread\":" + json_quote(thread) +
                     ",\"name\":" + json_quote(name);
  if (!args_json.empty()) line += ",\"args\":" + args_json;
  write_line(line + "}");
}

void JsonlTrace::span_end(const std::string& thread) {
  write_line(event_head("span_end", unix_now_ns()) + ",\"thread\":" + json_quote(thread) + "}");
}

void JsonlTrace::log(const std::string& thread, const std::string& level, const std::string& text) {
  write_line(event_head("log", unix_now_ns()) + ",\"thread\":" + json_quote(thread) +
             ",\"level\":" + json_quote(level) + ",\"source\":\"demo-stack\",\"text\":" +
             json_quote(text) + "}");
}

void JsonlTrace::exception(const std::string& thread, const std::string& message,
                           const std::vector<std::string>& stack, bool uncaught,
                           const ConnectionTuple& conn) {
  std::string frames = "[";
  for (const std::string& frame : stack) frames += (frames.size() > 1 ? "," : "") + json_quote(frame);
  write_line(event_head("exception", unix_now_ns()) + ",\"thread\":" + json_quote(thread) +
             ",\"message\":" + json_quote(message) + ",\"stack\":" + frames + "]" +
             ",\"uncaught\":" + (uncaught ? "true" : "false") + ",\"conn\":" + conn.json() + "}");
}

void JsonlTrace::tcp_segment(int64_t ts, const SegmentHeader& s, const std::string& thread) {
  const ConnectionTuple& c = s.tuple;
  std::string line = event_head("tcp", ts) + ",\"laddr\":" + json_quote(c.laddr) +
                     ",\"lport\":" + std::to_string(c.lport) + ",\"raddr\":" + json_quote(c.raddr) +
                     ",\"rport\":" + std::to_string(c.rport) + ",\"dir\":\"" + (s.tx ? "tx" : "rx") +
                     "\",\"seq\":" + std::to_string(s.seq) + ",\"ack\":" + std::to_string(s.ack) +
                     ",\"len\":" + std::to_string(s.len) + ",\"flags\":" + flag_list(s.flags) +
                     ",\"window\":" + std::to_string(s.window);
  if (s.wscale >= 0) line += ",\"wscale\":" + std::to_string(s.wscale);
  if (s.mss >= 0) line += ",\"mss\":" + std::to_string(s.mss);
  // The thread that sent or received the segment (an optional field of `tcp` events).
  if (!thread.empty()) line += ",\"thread\":" + json_quote(thread);
  write_line(line + "}");
}

Span::Span(JsonlTrace& trace, const std::string& thread, const std::string& name,
           const std::string& args_json)
    : trace_(trace), thread_(thread) {
  trace_.span_begin(thread_, name, args_json);
}

Span::~Span() { trace_.span_end(thread_); }

namespace {
thread_local std::vector<std::string> t_frames;
}

StackFrame::StackFrame(const char* file, int line, const char* function) {
  std::string name = file;
  auto slash = name.rfind('/');
  if (slash != std::string::npos) name = name.substr(slash + 1);
  t_frames.push_back(std::string(function) + " (" + name + ":" + std::to_string(line) + ")");
}

StackFrame::~StackFrame() { t_frames.pop_back(); }

std::vector<std::string> StackFrame::current() {
  return std::vector<std::string>(t_frames.rbegin(), t_frames.rend());
}

}  // namespace lurk::demo
