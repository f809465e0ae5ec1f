// libFuzzer target: the text that reaches lurk over the network, through the
// parsers that read it before anything else does (docs/fuzzing.md, "wire"):
// an HTTP request head of `lurk view` / `lurk collect` (with its query
// values, cookie and Range header), a sender's hello line, the page's
// GET /frame, /item, /measure, /mark, /samples and /finding queries of server-backed
// viewing, the packets a server-backed page decodes, and a follow cursor. The first byte picks the parser; the rest is its input.
//
// Besides crashes and sanitizer reports, what each parser promises is
// checked (a broken promise traps, and libFuzzer keeps the input):
//  - a request head accepted has a path starting with '/', without dot
//    segments, backslashes, NUL or control bytes (the traversal rules);
//  - ranges planned for a file lie inside it, sorted and disjoint, never
//    more bytes than the file;
//  - a frame request, item request or follow cursor accepted is written back
//    to text that parses to the same value (the two ends agree);
//  - an error refusing input says why (non-empty reason).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "core/frame_request.h"
#include "core/sample_wire.h"
#include "live/hello_line.h"
#include "server/byte_ranges.h"
#include "server/http_request.h"
#include "storage/follow_delta.h"

namespace {

void require(bool promise) {
  if (!promise) __builtin_trap();
}

void check_path(const std::string& path) {
  require(!path.empty() && path[0] == '/');
  for (unsigned char c : path) require(c >= 0x20 && c != 0x7f && c != '\\');
  // No "." or ".." segment anywhere.
  size_t at = 0;
  while (at < path.size()) {
    size_t end = path.find('/', at + 1);
    std::string_view segment = std::string_view(path).substr(at + 1, end == std::string::npos
                                                                          ? std::string::npos
                                                                          : end - at - 1);
    require(segment != "." && segment != "..");
    if (end == std::string::npos) break;
    at = end;
  }
}

void request_head(std::string_view text) {
  lurk::server::ParsedRequest parsed = lurk::server::parse_request_head(text);
  if (!parsed.request) {
    require(parsed.error.status >= 400 && !parsed.error.reason.empty());
    return;
  }
  const lurk::server::HttpRequest& r = *parsed.request;
  check_path(r.path);
  (void)r.wants_keep_alive();
  (void)r.query_value("token");
  (void)r.query_value("trace");
  (void)r.cookie("lurk_token");
  if (const std::string* range = r.header("range")) {
    for (uint64_t size : {uint64_t(0), uint64_t(1), uint64_t(4096), uint64_t(1) << 40}) {
      lurk::server::RangePlan plan = lurk::server::plan_ranges(*range, size);
      (void)plan;
    }
  }
}

void ranges(std::string_view text) {
  // The file's size comes from the input too: 8 bytes, then the header.
  uint64_t size = 0;
  if (text.size() >= 8) {
    std::memcpy(&size, text.data(), 8);
    text.remove_prefix(8);
  }
  lurk::server::RangePlan plan = lurk::server::plan_ranges(text, size);
  using Kind = lurk::server::RangePlan::Kind;
  if (plan.kind != Kind::Partial) return;
  require(!plan.ranges.empty() && plan.ranges.size() <= lurk::server::kMaxRangeParts);
  uint64_t total = 0;
  for (size_t i = 0; i < plan.ranges.size(); ++i) {
    const lurk::server::ByteRange& r = plan.ranges[i];
    require(r.first <= r.last && r.last < size);
    // Sorted, disjoint and not adjacent (adjacent ones are merged).
    if (i > 0) require(plan.ranges[i - 1].last + 1 < r.first);
    total += r.length();
  }
  require(total <= size);
}

void hello(std::string_view text) {
  std::string error;
  std::optional<lurk::live::Hello> h = lurk::live::parse_hello(text, error);
  if (!h) return;
  // A CTF sender's TSDL metadata follows its hello: the rest of the input.
  size_t line_end = text.find('\n');
  if (h->format == lurk::live::StreamFormat::Ctf && line_end != std::string_view::npos)
    (void)lurk::live::ctf_metadata_readable(text.substr(line_end + 1), error);
}

// An accepted text written back parses to the same value (the two ends of
// the wire agree); a refusal (std::invalid_argument, which FrameRequestError
// is) says why.
template <typename Parse, typename Write>
void round_trip(const std::string& text, Parse parse, Write write) {
  decltype(parse(text)) value;
  try {
    value = parse(text);
  } catch (const std::invalid_argument& e) {
    require(std::strlen(e.what()) > 0);
    return;
  }
  require(parse(write(value)) == value);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 7) {
    case 0: request_head(text); break;
    case 1: ranges(text); break;
    case 2: hello(text); break;
    case 3: round_trip(text, lurk::ui::parse_frame_request, lurk::ui::frame_request_query); break;
    case 4:  // the page's small queries: an item's details, a measured range, a mark step
      round_trip(text, lurk::ui::parse_item_request, lurk::ui::item_request_query);
      round_trip(text, lurk::ui::parse_measure_request,
                 [](const std::pair<double, double>& r) { return lurk::ui::measure_request_query(r.first, r.second); });
      round_trip(text, lurk::ui::parse_mark_request, lurk::ui::mark_request_query);
      round_trip(text, lurk::ui::parse_samples_request, lurk::ui::samples_request_query);
      round_trip(text, lurk::ui::parse_finding_request, lurk::ui::finding_request_query);
      break;
    case 5:
      round_trip(text, lurk::FollowCursor::parse, [](const lurk::FollowCursor& c) { return c.to_text(); });
      break;
    case 6: {  // a connection's packets sent to the page (GET /samples): accepted, they encode back the same
      std::string problem;
      if (auto samples = lurk::ui::decode_tcp_samples(text, problem)) require(lurk::ui::encode_tcp_samples(*samples) == text);
      else require(!problem.empty());
      break;
    }
  }
  return 0;
}
