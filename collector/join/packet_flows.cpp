// Thread-to-packet flows: see packet_flows.h.
#include "join/packet_flows.h"

#include <optional>
#include <unordered_map>

#include "join/segment_matching.h"
#include "storage/lane_facts.h"
#include "storage/savepoint.h"
#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

// A traced segment and its captured frame are the same packet only this
// close in time, once the clocks agree (a lost-and-retransmitted segment has
// the same identity seconds later).
constexpr int64_t kSameSegmentNs = 1'000'000'000;

struct Target {
  int64_t packet_id = 0, ts_ns = 0;
};

std::optional<Target> nearest_frame(const TracedSegment& t) {
  std::optional<Target> best;
  for (const TracedSegment::Frame& f : t.captured) {
    int64_t distance = f.ts_ns > t.ts_ns ? f.ts_ns - t.ts_ns : t.ts_ns - f.ts_ns;
    if (distance > kSameSegmentNs) continue;
    int64_t best_distance = best ? (best->ts_ns > t.ts_ns ? best->ts_ns - t.ts_ns
                                                          : t.ts_ns - best->ts_ns)
                                 : INT64_MAX;
    if (distance < best_distance) best = Target{f.packet_id, f.ts_ns};
  }
  return best;
}

}  // namespace

PacketFlowSummary link_threads_to_packets(Database& db) {
  PacketFlowSummary summary;
  Savepoint pass(db, "packet_flows");
  db.exec("DELETE FROM flows WHERE packet_id IS NOT NULL");
  // Only a trace's segments name threads (lurk JSONL tcp events): with
  // captures alone there is nothing to link, and reading every frame to find
  // that out was 13% of a 40 MB capture's ingest, run after the import.
  bool any_trace = db.query_int("SELECT EXISTS (SELECT 1 FROM sources WHERE format NOT IN "
                                "('pcap', 'pcapng'))") != 0;
  Statement traced = db.prepare(
      "SELECT id, ts_ns, sender_thread, receiver_thread FROM packets "
      "WHERE sender_thread IS NOT NULL OR receiver_thread IS NOT NULL");
  if (any_trace && traced.step()) {
    std::unordered_map<int64_t, TracedSegment> matches;
    for (TracedSegment& t : match_traced_segments(db)) matches.emplace(t.packet_id, std::move(t));
    Statement insert = db.prepare(
        "INSERT INTO flows(kind, from_thread, from_ns, to_thread, to_ns, packet_id) "
        "VALUES (?, ?, ?, ?, ?, ?)");
    do {
      int64_t ts = traced.column_int(1);
      Target target{traced.column_int(0), ts};
      auto match = matches.find(target.packet_id);
      std::optional<Target> frame =
          match == matches.end() ? std::nullopt : nearest_frame(match->second);
      if (frame) target = *frame;
      ++(frame ? summary.to_captured : summary.to_traced);
      if (std::optional<int64_t> sender = traced.column_optional_int(2)) {
        insert.bind(1, "tcp-send").bind(2, *sender).bind(3, ts).bind(4, std::nullopt);
        insert.bind(5, target.ts_ns).bind(6, target.packet_id);
      } else {
        insert.bind(1, "tcp-receive").bind(2, std::nullopt).bind(3, target.ts_ns);
        insert.bind(4, traced.column_int(3)).bind(5, ts).bind(6, target.packet_id);
      }
      insert.run();
    } while (traced.step());
  }
  LaneFacts::recount_flows(db);  // rows removed and written here, not by the writer
  pass.release();
  return summary;
}

}  // namespace lurk
