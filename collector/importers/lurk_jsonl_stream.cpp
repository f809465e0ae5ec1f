#include "importers/lurk_jsonl_stream.h"

#include <nlohmann/json.hpp>

#include "ingest/ingest_context.h"

namespace lurk {

LurkJsonlStream::LurkJsonlStream(IngestContext& ctx, size_t max_line_bytes)
    : ctx_(ctx), reader_(ctx), lines_(max_line_bytes), max_line_bytes_(max_line_bytes) {}

void LurkJsonlStream::feed(const char* data, size_t size) {
  lines_.feed(data, size, [this](const SplitLine& l) { line(l); });
}

void LurkJsonlStream::flush() { reader_.flush(); }

void LurkJsonlStream::finish() {
  lines_.finish([this](const SplitLine& l) { line(l); });
  reader_.finish();
}

void LurkJsonlStream::finish_without_partial_line() { reader_.finish(); }

void LurkJsonlStream::line(const SplitLine& l) {
  ++lines_read_;
  if (l.too_long) {
    ctx_.report_error(l.offset, l.number, "line-too-long",
                      "line longer than " + std::to_string(max_line_bytes_ >> 20) +
                          " MiB; expected one event per line; skipped");
    return;
  }
  std::string_view text = l.text;
  if (text.find_first_not_of(" \t") == std::string_view::npos) return;  // blank line
  if (!header_read_) {
    // A bad header is reported once; the events after it are still read.
    header_read_ = true;
    nlohmann::json value = nlohmann::json::parse(text, nullptr, false);
    if (value.is_discarded())
      ctx_.report_error(l.offset, l.number, "bad-magic",
                        "expected the header line {\"lurk\":\"jsonl\",\"version\":1}, "
                        "found text that is not JSON");
    else
      reader_.header(value, l.offset, l.number);
    return;
  }
  if (!event_.parse(text)) {
    ++ctx_.source.records;
    ++ctx_.source.skipped;
    ctx_.report_error(l.offset, l.number, "bad-json",
                      "expected one JSON event object on the line, found text that is not JSON "
                      "(a torn or garbled line); skipped");
    return;
  }
  reader_.event(event_, l.offset, l.number);
}

}  // namespace lurk
