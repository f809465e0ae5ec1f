#include "server/byte_ranges.h"

#include <algorithm>
#include <charconv>
#include <optional>

#include "server/ascii_text.h"

namespace lurk::server {
namespace {

std::optional<uint64_t> parse_number(std::string_view text) {
  if (text.empty()) return std::nullopt;
  uint64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// One spec ("a-b", "a-", "-n"). nullopt: malformed. A satisfiable spec
// resolves to a range inside [0, size); `satisfiable` says whether it does.
struct Spec {
  bool satisfiable = false;
  ByteRange range{0, 0};
};

std::optional<Spec> parse_spec(std::string_view text, uint64_t size) {
  size_t dash = text.find('-');
  if (dash == std::string_view::npos) return std::nullopt;
  std::string_view first_text = trim_ows(text.substr(0, dash));
  std::string_view last_text = trim_ows(text.substr(dash + 1));
  Spec spec;
  if (first_text.empty()) {  // suffix: the last n bytes
    std::optional<uint64_t> count = parse_number(last_text);
    if (!count) return std::nullopt;
    if (*count == 0 || size == 0) return spec;
    spec.satisfiable = true;
    spec.range = {size - std::min(*count, size), size - 1};
    return spec;
  }
  std::optional<uint64_t> first = parse_number(first_text);
  if (!first) return std::nullopt;
  uint64_t last = size == 0 ? 0 : size - 1;
  if (!last_text.empty()) {
    std::optional<uint64_t> given = parse_number(last_text);
    if (!given || *given < *first) return std::nullopt;
    last = std::min(last, *given);
  }
  if (*first >= size) return spec;
  spec.satisfiable = true;
  spec.range = {*first, last};
  return spec;
}

}  // namespace

RangePlan plan_ranges(std::string_view header, uint64_t size) {
  RangePlan plan;
  header = trim_ows(header);
  if (!header.starts_with("bytes=")) return plan;  // another unit: ignored
  header.remove_prefix(6);
  std::vector<ByteRange> ranges;
  size_t specs = 0;
  while (true) {
    size_t comma = header.find(',');
    std::string_view text = trim_ows(header.substr(0, comma));
    if (!text.empty()) {
      if (++specs > kMaxRangeSpecs) return plan;
      std::optional<Spec> spec = parse_spec(text, size);
      if (!spec) return plan;  // malformed: ignore the whole header
      if (spec->satisfiable) ranges.push_back(spec->range);
    }
    if (comma == std::string_view::npos) break;
    header.remove_prefix(comma + 1);
  }
  if (specs == 0) return plan;
  if (ranges.empty()) {
    plan.kind = RangePlan::Kind::Unsatisfiable;
    return plan;
  }
  std::sort(ranges.begin(), ranges.end(),
            [](const ByteRange& a, const ByteRange& b) { return a.first < b.first; });
  for (const ByteRange& range : ranges) {
    if (!plan.ranges.empty() && range.first <= plan.ranges.back().last + 1)
      plan.ranges.back().last = std::max(plan.ranges.back().last, range.last);
    else
      plan.ranges.push_back(range);
  }
  if (plan.ranges.size() > kMaxRangeParts) {
    plan.ranges.clear();
    return plan;
  }
  plan.kind = RangePlan::Kind::Partial;
  return plan;
}

}  // namespace lurk::server
