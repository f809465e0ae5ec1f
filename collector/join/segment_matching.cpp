// Matching traced segments to captured frames: see segment_matching.h.
#include "join/segment_matching.h"

#include <algorithm>
#include <string>
#include <unordered_map>

#include "storage/sqlite_handle.h"

namespace lurk {

// The columns both queries end with: a segment's identity. The sender is the
// connection's A side for dir 0.
const char* const kSegmentIdentityColumns =
    "p.seq, p.ack, p.payload_len, p.tcp_flags, "
    "CASE p.dir WHEN 0 THEN c.addr_a ELSE c.addr_b END, "
    "CASE p.dir WHEN 0 THEN c.port_a ELSE c.port_b END, "
    "CASE p.dir WHEN 0 THEN c.addr_b ELSE c.addr_a END, "
    "CASE p.dir WHEN 0 THEN c.port_b ELSE c.port_a END";

std::string segment_identity(const Statement& s, int first) {
  std::string key;
  for (int i = first; i < first + 8; ++i) {
    key += s.column_text(i);
    key += '|';
  }
  return key;
}

std::vector<TracedSegment> match_traced_segments(Database& db) {
  // The stack's own segments, from every source that is not a capture, on
  // the connections whose endpoints a capture's connection shares: no other
  // segment can match a frame, and a profile without a capture (most JSONL
  // ingests) then reads no packets at all (this pass ran over every traced
  // segment before: 17% of a JSONL ingest's instructions). Segments with the
  // same identity have the same endpoints, so uniqueness is counted the same.
  // Only trace connections are compared with capture ones (as below), so a
  // capture with many connections and no trace costs no pairs.
  Statement traced = db.prepare(
      std::string("SELECT p.id, p.source_id, p.ts_ns, ") + kSegmentIdentityColumns +
      " FROM packets p JOIN connections c ON c.id = p.connection_id "
      "JOIN sources s ON s.id = p.source_id WHERE s.format NOT IN " + kCaptureFormats + " "
      "AND c.id IN (SELECT tc.id FROM connections tc WHERE (tc.source_id IS NULL OR "
      "  tc.source_id IN (SELECT id FROM sources WHERE format NOT IN " + kCaptureFormats + ")) AND "
      "  EXISTS (SELECT 1 FROM connections cc "
      "  JOIN sources cs ON cs.id = cc.source_id WHERE cs.format IN " + kCaptureFormats + " AND "
      "  ((cc.addr_a = tc.addr_a AND cc.port_a = tc.port_a AND cc.addr_b = tc.addr_b AND "
      "    cc.port_b = tc.port_b) OR (cc.addr_a = tc.addr_b AND cc.port_a = tc.port_b AND "
      "    cc.addr_b = tc.addr_a AND cc.port_b = tc.port_a))))");
  std::vector<TracedSegment> segments;
  std::unordered_map<std::string, std::vector<size_t>> by_identity;
  std::unordered_map<std::string, int> per_source_count;
  while (traced.step()) {
    TracedSegment t;
    t.packet_id = traced.column_int(0);
    t.source_id = traced.column_int(1);
    t.ts_ns = traced.column_int(2);
    t.tcp_flags = static_cast<uint8_t>(traced.column_int(6));
    std::string key = segment_identity(traced, 3);
    ++per_source_count[std::to_string(t.source_id) + "|" + key];
    by_identity[key].push_back(segments.size());
    segments.push_back(std::move(t));
  }
  if (segments.empty()) return {};
  for (auto& [key, indexes] : by_identity)
    for (size_t i : indexes)
      segments[i].unique_in_trace =
          per_source_count[std::to_string(segments[i].source_id) + "|" + key] == 1;

  // Frames of the capture connections that share endpoints with a trace's.
  Statement captured = db.prepare(
      std::string("SELECT p.id, 0, p.ts_ns, ") + kSegmentIdentityColumns +
      " FROM packets p JOIN connections c ON c.id = p.connection_id "
      "WHERE c.id IN (SELECT cc.id FROM connections cc JOIN sources cs ON cs.id = cc.source_id "
      "  WHERE cs.format IN " + kCaptureFormats + " AND EXISTS (SELECT 1 FROM connections tc "
      "  JOIN sources ts ON ts.id = tc.source_id "
      "  WHERE ts.format NOT IN " + kCaptureFormats + " AND "
      "  ((tc.addr_a = cc.addr_a AND tc.port_a = cc.port_a AND tc.addr_b = cc.addr_b AND "
      "    tc.port_b = cc.port_b) OR (tc.addr_a = cc.addr_b AND tc.port_a = cc.port_b AND "
      "    tc.addr_b = cc.addr_a AND tc.port_b = cc.port_a)))) "
      "ORDER BY p.connection_id, p.ts_ns");
  while (captured.step()) {
    auto it = by_identity.find(segment_identity(captured, 3));
    if (it == by_identity.end()) continue;
    TracedSegment::Frame frame{captured.column_int(0), captured.column_int(2)};
    for (size_t i : it->second) segments[i].captured.push_back(frame);
  }
  std::erase_if(segments, [](const TracedSegment& t) { return t.captured.empty(); });
  // Ties by row id: std::sort is not stable, and frames of one time (a
  // segment captured twice in a tick) would otherwise come in any order.
  for (TracedSegment& t : segments)
    std::sort(t.captured.begin(), t.captured.end(), [](const auto& a, const auto& b) {
      return a.ts_ns != b.ts_ns ? a.ts_ns < b.ts_ns : a.packet_id < b.packet_id;
    });
  return segments;
}

}  // namespace lurk
