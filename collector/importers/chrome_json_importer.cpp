#include "importers/chrome_json_importer.h"

#include <string_view>

#include "importers/chrome_event_sorter.h"
#include "importers/chrome_json_flat_object.h"
#include "importers/chrome_json_splitter.h"
#include "importers/chrome_system_trace.h"
#include "importers/chrome_trace_reader.h"
#include "ingest/byte_source.h"
#include "ingest/ingest_context.h"

namespace lurk {
namespace {

size_t skip_space(std::string_view text, size_t i) {
  while (i < text.size() && (text[i] == ' ' || text[i] == '\t' || text[i] == '\n' ||
                             text[i] == '\r'))
    ++i;
  return i;
}

}  // namespace

// JSON that opens an array of objects or an object, and names trace-event
// fields early on. A capture or CTF file starts with binary magic, never with
// '[' or '{', so neither can pass.
bool ChromeJsonImporter::sniff(std::span<const uint8_t> head) const {
  std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
  size_t i = text.starts_with("\xef\xbb\xbf") ? 3 : 0;
  i = skip_space(text, i);
  if (i >= text.size()) return false;
  bool names_events = text.find("\"ph\"") != std::string_view::npos ||
                      text.find("\"traceEvents\"") != std::string_view::npos;
  if (text[i] == '[') {
    i = skip_space(text, i + 1);
    if (i >= text.size() || text[i] == ']') return true;  // an empty trace is still a trace
    return text[i] == '{' && names_events;
  }
  return text[i] == '{' && names_events;
}

void ChromeJsonImporter::import(ByteSource& in, IngestContext& ctx) const {
  // Chrome stamps events with a monotonic clock; a trace in Unix time is
  // recognised by the clock pass from its times (docs/clocks.md).
  ctx.source.clock_domain = "own";
  ChromeTraceReader reader(ctx);
  FlatJsonObject ev;  // reused: its buffers outlive one event
  auto parse_and_read = [&](const SortedEvent& sorted) {
    if (!ev.parse(sorted.text)) {
      ++ctx.source.records;
      ++ctx.source.skipped;
      const std::string& what = ev.error();
      std::string why = "not valid JSON: " + what.substr(what.find(':') + 2);
      ctx.report_error(sorted.offset, sorted.line, "bad-json", "trace event " + why + "; skipped");
      return;
    }
    reader.event(ev, sorted);
  };
  ChromeEventSorter sorter(parse_and_read);
  // "systemTraceEvents" lines are a stream of their own, sorted in a window
  // of their own (Perfetto gives them their own sorter queue too): Chrome
  // writes them after all of "traceEvents", too far for one window to merge.
  ChromeEventSorter system_sorter(parse_and_read);
  ChromeSystemTrace system_trace(reader, [&](std::string_view text, uint64_t offset, int64_t line) {
    system_sorter.push(text, offset, line);
  });
  auto on_event = [&](const RawJsonEvent& raw) {
    sorter.push(raw.text, raw.offset, raw.line, raw.ts_text, raw.ph_text);
  };
  auto on_damage = [&](const SplitDamage& d) {
    ctx.report_error(d.offset, d.line, d.kind, d.message);
  };
  auto on_system_line = [&](const RawSystemLine& line) {
    system_trace.line(line.text, line.offset, line.line);
  };
  ChromeJsonSplitter splitter(in, on_event, on_damage, on_system_line);
  SplitSummary summary = splitter.run();
  sorter.flush();
  system_sorter.flush();
  // A bare array may end early (Chrome's own writer leaves it so); the
  // object form has a closing "]}" to reach, and Perfetto calls a file that
  // misses it incomplete.
  if (summary.object_form && summary.found_events_array && !summary.object_closed)
    ctx.report_error(summary.end_offset, summary.end_line, "truncated-trace",
                     "the trace object ends before its closing " +
                         std::string(summary.truncated_array ? "']}'" : "'}'") +
                         ": the file is incomplete; the events before this point are kept");
  reader.finish();
}

}  // namespace lurk
