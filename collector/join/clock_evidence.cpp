// Clock evidence: see clock_evidence.h and docs/clocks.md.
#include "join/clock_evidence.h"

#include <algorithm>
#include <cctype>
#include <cstdio>

#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

int64_t median(std::vector<int64_t> values) {
  auto mid = values.begin() + values.size() / 2;
  std::nth_element(values.begin(), mid, values.end());
  return *mid;
}

std::string milliseconds(int64_t ns) {
  char text[32];
  std::snprintf(text, sizeof text, "%.3f ms", double(ns) / 1e6);
  return text;
}

std::string lower(std::string text) {
  for (char& c : text) c = char(std::tolower(static_cast<unsigned char>(c)));
  return text;
}

}  // namespace

bool label_opens_connection(const std::string& label) {
  std::string l = lower(label);
  return (l.find("connect") != std::string::npos && l.find("disconnect") == std::string::npos &&
          l.find("close") == std::string::npos) ||
         l.find("accept") != std::string::npos;
}

bool label_closes_connection(const std::string& label) {
  std::string l = lower(label);
  return l.find("close") != std::string::npos || l.find("disconnect") != std::string::npos;
}

namespace {

std::vector<int64_t> column_of(Database& db, const std::string& sql, std::optional<int64_t> bind) {
  Statement s = db.prepare(sql);
  if (bind) s.bind(1, *bind);
  std::vector<int64_t> out;
  while (s.step() && out.size() < kMaxLabelEvents) out.push_back(s.column_int(0));
  return out;
}

// How many of `labels` + delta land within tolerance of one of `events`
// (sorted).
size_t lined_up(const std::vector<int64_t>& labels, const std::vector<int64_t>& events,
                int64_t delta) {
  size_t n = 0;
  for (int64_t t : labels) {
    auto it = std::lower_bound(events.begin(), events.end(), t + delta - kLabelToleranceNs);
    if (it != events.end() && *it <= t + delta + kLabelToleranceNs) ++n;
  }
  return n;
}

}  // namespace

std::optional<ClockEvidence> segment_evidence(const std::vector<TracedSegment>& segments,
                                              int64_t source_id) {
  std::vector<int64_t> differences;
  bool only_syns = true;
  for (const TracedSegment& t : segments) {
    if (t.source_id != source_id || !t.unique_in_trace || t.captured.size() != 1) continue;
    differences.push_back(t.captured.front().ts_ns - t.ts_ns);
    only_syns = only_syns && (t.tcp_flags & 0x02) != 0;
  }
  if (differences.empty()) return std::nullopt;
  ClockEvidence e;
  e.delta_ns = median(differences);
  std::vector<int64_t> deviations;
  for (int64_t d : differences) deviations.push_back(d > e.delta_ns ? d - e.delta_ns : e.delta_ns - d);
  e.how = only_syns ? "handshake-isn" : "tcp-segments";
  e.text = std::to_string(differences.size()) +
           (only_syns ? " SYN segments matched by ISN" : " segments matched to captured frames") +
           ", median deviation " + milliseconds(median(deviations));
  return e;
}

LabelTimes read_label_times(Database& db, int64_t source_id) {
  LabelTimes out;
  std::vector<int64_t>& opens = out.opens;
  std::vector<int64_t>& closes = out.closes;
  Statement labels = db.prepare(
      "SELECT i.ts_ns, s.text FROM instants i JOIN strings s ON s.id = i.name "
      "WHERE i.source_id = ? AND i.kind = 'label' ORDER BY i.ts_ns");
  labels.bind(1, source_id);
  while (labels.step() && (opens.size() < kMaxLabelEvents || closes.size() < kMaxLabelEvents)) {
    std::string text = labels.column_text(1);
    if (label_opens_connection(text) && opens.size() < kMaxLabelEvents)
      opens.push_back(labels.column_int(0));
    else if (label_closes_connection(text) && closes.size() < kMaxLabelEvents)
      closes.push_back(labels.column_int(0));
  }
  return out;
}

CapturedEdges read_captured_edges(Database& db) {
  const std::string captures = "(SELECT id FROM sources WHERE format IN ('pcap', 'pcapng'))";
  CapturedEdges out;
  out.syns = column_of(db, "SELECT first_ns FROM connections WHERE syn_seen = 1 AND source_id IN " +
                               captures + " ORDER BY first_ns", std::nullopt);
  out.fins = column_of(
      db, "SELECT min(ts_ns) AS t FROM packets WHERE (tcp_flags & 1) = 1 AND source_id IN " +
              captures + " GROUP BY connection_id ORDER BY t", std::nullopt);
  return out;
}

std::optional<ClockEvidence> label_evidence(Database& db, int64_t source_id) {
  LabelTimes labels = read_label_times(db, source_id);
  if (labels.opens.empty()) return std::nullopt;  // the captures are not read
  return label_evidence(labels, read_captured_edges(db));
}

int64_t label_spread(const LabelTimes& labels, const CapturedEdges& edges, int64_t delta_ns) {
  std::vector<int64_t> distances;
  auto measure = [&](const std::vector<int64_t>& times, const std::vector<int64_t>& events) {
    for (int64_t t : times) {
      int64_t at = t + delta_ns;
      auto it = std::lower_bound(events.begin(), events.end(), at - kLabelToleranceNs);
      std::optional<int64_t> best;  // the nearest event within the tolerance
      for (; it != events.end() && *it <= at + kLabelToleranceNs; ++it)
        if (!best || std::llabs(*it - at) < *best) best = std::llabs(*it - at);
      if (best) distances.push_back(*best);
    }
  };
  measure(labels.opens, edges.syns);
  measure(labels.closes, edges.fins);
  return distances.empty() ? 0 : median(distances);
}

std::optional<ClockEvidence> label_evidence(const LabelTimes& labels, const CapturedEdges& edges) {
  const std::vector<int64_t>& opens = labels.opens;
  const std::vector<int64_t>& closes = labels.closes;
  const std::vector<int64_t>& syns = edges.syns;
  const std::vector<int64_t>& fins = edges.fins;
  if (opens.empty() || syns.empty()) return std::nullopt;
  // Every pairing of a label with an event proposes an offset; the offset
  // proposed most often within the tolerance wins, if it wins alone.
  std::vector<int64_t> proposals;
  for (int64_t label : opens)
    for (int64_t syn : syns) proposals.push_back(syn - label);
  for (int64_t label : closes)
    for (int64_t fin : fins) proposals.push_back(fin - label);
  std::sort(proposals.begin(), proposals.end());
  // Windows of proposals within twice the tolerance of each other.
  std::vector<size_t> window_end(proposals.size());
  for (size_t lo = 0, hi = 0; lo < proposals.size(); ++lo) {
    while (hi < proposals.size() && proposals[hi] <= proposals[lo] + 2 * kLabelToleranceNs) ++hi;
    window_end[lo] = hi;
  }
  auto fullest = [&](auto&& allowed) {
    std::optional<size_t> best;
    for (size_t lo = 0; lo < proposals.size(); ++lo)
      if (allowed(lo) && (!best || window_end[lo] - lo > window_end[*best] - *best)) best = lo;
    return best;
  };
  size_t best_lo = *fullest([](size_t) { return true; });
  int64_t best_delta = proposals[best_lo + (window_end[best_lo] - best_lo) / 2];
  std::optional<size_t> other_lo = fullest([&](size_t lo) {
    return std::llabs(proposals[lo] - best_delta) > 4 * kLabelToleranceNs;
  });
  size_t score = lined_up(opens, syns, best_delta) + lined_up(closes, fins, best_delta);
  size_t runner_up = 0;
  if (other_lo) {
    int64_t other = proposals[*other_lo + (window_end[*other_lo] - *other_lo) / 2];
    runner_up = lined_up(opens, syns, other) + lined_up(closes, fins, other);
  }
  bool single = opens.size() == 1 && syns.size() == 1;
  if (!single && (score < 2 || runner_up >= score)) return std::nullopt;
  ClockEvidence e;
  e.delta_ns = best_delta;
  e.how = "labels";
  e.text = single ? "the only connect label and the only captured SYN"
                  : std::to_string(score) + " of " + std::to_string(opens.size() + closes.size()) +
                        " connect/close labels line up with captured SYN/FIN times within " +
                        milliseconds(kLabelToleranceNs) + " (next best offset: " +
                        std::to_string(runner_up) + ")";
  return e;
}

}  // namespace lurk
