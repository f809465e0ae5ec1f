// Splits a byte stream that arrives in chunks of any size (a file read in
// blocks, a socket read as data comes) into lines, each with the byte offset
// where it starts and its 1-based number. Whole lines inside a chunk are
// handed out without a copy; only a line cut by a chunk's end is kept until
// its rest arrives. A line longer than the limit is reported once, as
// too long, and its text dropped, so memory stays bounded whatever arrives.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace lurk {

struct SplitLine {
  std::string_view text;  // without its "\n" or "\r\n"; valid during the call only
  uint64_t offset = 0;    // of its first byte in the stream
  int64_t number = 0;     // 1-based
  bool too_long = false;  // text dropped: the line was over the limit
};

class LineSplitter {
 public:
  explicit LineSplitter(size_t max_line_bytes) : max_line_bytes_(max_line_bytes) {}
  // The stream fed from here on starts at this offset and line number (a
  // part of it was read by someone else, e.g. a live sender's hello line).
  void start_at(uint64_t offset, int64_t number) {
    offset_ = line_offset_ = offset;
    number_ = number;
  }

  // Calls on_line(const SplitLine&) for each line the chunk completes.
  template <typename OnLine>
  void feed(const char* data, size_t size, OnLine&& on_line);
  // The last line when the stream ended without a newline (if any).
  template <typename OnLine>
  void finish(OnLine&& on_line);

  // Bytes seen so far, and the start of the line not yet complete.
  uint64_t bytes_seen() const { return offset_; }
  uint64_t partial_line_offset() const { return line_offset_; }
  // The bytes held for the line not yet complete (its start arrived).
  size_t held_bytes() const { return held_.size(); }

 private:
  template <typename OnLine>
  void emit(std::string_view text, OnLine& on_line);

  size_t max_line_bytes_;
  std::string held_;         // the start of a line cut by a chunk's end
  bool held_too_long_ = false;
  bool held_any_ = false;    // held_ (or a too-long line) is in progress
  uint64_t offset_ = 0;      // bytes fed so far
  uint64_t line_offset_ = 0; // where the current line starts
  int64_t number_ = 1;
};

template <typename OnLine>
void LineSplitter::emit(std::string_view text, OnLine& on_line) {
  if (!text.empty() && text.back() == '\r') text.remove_suffix(1);
  SplitLine line{held_too_long_ ? std::string_view() : text, line_offset_, number_, held_too_long_};
  on_line(line);
  held_.clear();
  held_too_long_ = false;
  held_any_ = false;
  ++number_;
}

template <typename OnLine>
void LineSplitter::feed(const char* data, size_t size, OnLine&& on_line) {
  size_t start = 0;
  while (start < size) {
    const void* nl_at = std::char_traits<char>::find(data + start, size - start, '\n');
    const char* nl = static_cast<const char*>(nl_at);
    size_t stop = nl ? size_t(nl - data) : size;
    if (!nl) {  // the line goes on in the next chunk: keep its start
      held_any_ = true;
      if (!held_too_long_) held_.append(data + start, stop - start);
      if (held_.size() > max_line_bytes_) {
        held_too_long_ = true;
        std::string().swap(held_);
      }
      break;
    }
    std::string_view text(data + start, stop - start);
    if (held_any_) {
      if (!held_too_long_) held_.append(text);
      if (held_.size() > max_line_bytes_) held_too_long_ = true;
      emit(held_too_long_ ? std::string_view() : std::string_view(held_), on_line);
    } else {
      if (text.size() > max_line_bytes_) held_too_long_ = true;
      emit(text, on_line);
    }
    line_offset_ = offset_ + stop + 1;
    start = stop + 1;
  }
  offset_ += size;
}

template <typename OnLine>
void LineSplitter::finish(OnLine&& on_line) {
  if (!held_any_) return;
  std::string text = std::move(held_);
  emit(text, on_line);
  line_offset_ = offset_;
}

}  // namespace lurk
