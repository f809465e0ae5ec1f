// Thread-to-packet flows: see packet_flows.h.
#include "join/packet_flows.h"

#include <algorithm>
#include <compare>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "storage/lane_facts.h"
#include "storage/savepoint.h"

namespace lurk {
namespace {

// A traced segment and its captured frame are the same packet only this
// close in time, once the clocks agree (a lost-and-retransmitted segment has
// the same identity seconds later).
constexpr int64_t kSameSegmentNs = 1'000'000'000;

int64_t distance(int64_t a, int64_t b) { return a > b ? a - b : b - a; }

// Of two frames equally near, the earlier; of two at the same time, the
// first captured (the lower row id). A total order, so the frame picked does
// not depend on the order `frames` come in: the whole pass and `lurk
// collect`'s batches read them differently and pick the same.
bool nearer(const TracedSegment::Frame& a, const TracedSegment::Frame& b, int64_t ts) {
  int64_t from_a = distance(a.ts_ns, ts), from_b = distance(b.ts_ns, ts);
  if (from_a != from_b) return from_a < from_b;
  if (a.ts_ns != b.ts_ns) return a.ts_ns < b.ts_ns;
  return a.packet_id < b.packet_id;
}

std::optional<TracedSegment::Frame> nearest_frame(int64_t ts,
                                                  const std::vector<TracedSegment::Frame>& frames) {
  std::optional<TracedSegment::Frame> best;
  for (const TracedSegment::Frame& f : frames) {
    if (distance(f.ts_ns, ts) > kSameSegmentNs) continue;
    if (!best || nearer(f, *best, ts)) best = f;
  }
  return best;
}

}  // namespace

// The packet flows a profile holds, by what each says: its kind, the thread
// and the time at the thread's end, the time at the packet's end and the
// packet. The pass takes each one it would write again; what is left was not
// decided again and is deleted.
class KeptPacketFlows {
 public:
  struct Flow {
    bool send = false;
    int64_t thread = 0, thread_ns = 0, packet_ns = 0, packet_id = 0;
    auto operator<=>(const Flow&) const = default;
  };

  explicit KeptPacketFlows(Database& db) {
    Statement s = db.prepare(
        "SELECT id, kind, from_thread, from_ns, to_thread, to_ns, packet_id FROM flows "
        "WHERE packet_id IS NOT NULL");
    while (s.step()) {
      std::string kind = s.column_text(1);
      std::optional<int64_t> from_thread = s.column_optional_int(2), to_thread = s.column_optional_int(4);
      // Only the two shapes the writer writes can be written again.
      if (kind == "tcp-send" && from_thread && !to_thread)
        rows_.push_back({{true, *from_thread, s.column_int(3), s.column_int(5), s.column_int(6)}, s.column_int(0)});
      else if (kind == "tcp-receive" && to_thread && !from_thread)
        rows_.push_back({{false, *to_thread, s.column_int(5), s.column_int(3), s.column_int(6)}, s.column_int(0)});
      else
        stale_.push_back(s.column_int(0));
    }
    // Sorted, one flat array: a profile's flows can be millions (a hash of
    // nodes cost three times the memory).
    std::sort(rows_.begin(), rows_.end(),
              [](const Row& a, const Row& b) { return std::tie(a.flow, a.id) < std::tie(b.flow, b.id); });
  }

  // True when such a row is there (it is kept, and taken once).
  bool take(const Flow& flow) {
    auto it = std::lower_bound(rows_.begin(), rows_.end(), flow,
                               [](const Row& row, const Flow& f) { return row.flow < f; });
    for (; it != rows_.end() && it->flow == flow; ++it)
      if (!it->taken) return it->taken = true;
    return false;
  }

  // The rows no flow of the pass took.
  void delete_rest(Database& db) {
    for (const Row& row : rows_)
      if (!row.taken) stale_.push_back(row.id);
    if (stale_.empty()) return;
    Statement remove = db.prepare("DELETE FROM flows WHERE id = ?");
    for (int64_t id : stale_) {
      remove.bind(1, id);
      remove.run();
    }
  }

 private:
  struct Row {
    Flow flow;
    int64_t id = 0;
    bool taken = false;
  };
  std::vector<Row> rows_;
  std::vector<int64_t> stale_;
};

PacketFlowWriter::PacketFlowWriter(Database& db)
    : insert_(db.prepare("INSERT INTO flows(kind, from_thread, from_ns, to_thread, to_ns, packet_id) "
                         "VALUES (?, ?, ?, ?, ?, ?)")) {}

bool PacketFlowWriter::write(const TracedPacket& p, const std::vector<TracedSegment::Frame>& captured,
                             KeptPacketFlows* kept) {
  std::optional<TracedSegment::Frame> frame = nearest_frame(p.ts_ns, captured);
  TracedSegment::Frame target = frame ? *frame : TracedSegment::Frame{p.packet_id, p.ts_ns};
  int64_t thread = p.sender_thread ? *p.sender_thread : p.receiver_thread.value_or(0);
  if (kept && kept->take({p.sender_thread.has_value(), thread, p.ts_ns, target.ts_ns, target.packet_id}))
    return frame.has_value();
  if (p.sender_thread) {
    insert_.bind(1, "tcp-send").bind(2, *p.sender_thread).bind(3, p.ts_ns).bind(4, std::nullopt);
    insert_.bind(5, target.ts_ns).bind(6, target.packet_id);
  } else {
    insert_.bind(1, "tcp-receive").bind(2, std::nullopt).bind(3, target.ts_ns);
    insert_.bind(4, p.receiver_thread).bind(5, p.ts_ns).bind(6, target.packet_id);
  }
  insert_.run();
  return frame.has_value();
}

PacketFlowSummary link_threads_to_packets(Database& db) {
  PacketFlowSummary summary;
  Savepoint pass(db, "packet_flows");
  KeptPacketFlows kept(db);
  // Only a trace's segments name threads (lurk JSONL tcp events): with
  // captures alone there is nothing to link, and reading every frame to find
  // that out was 13% of a 40 MB capture's ingest, run after the import.
  bool any_trace = db.query_int(std::string("SELECT EXISTS (SELECT 1 FROM sources WHERE format "
                                            "NOT IN ") + kCaptureFormats + ")") != 0;
  Statement traced = db.prepare(
      "SELECT id, ts_ns, sender_thread, receiver_thread FROM packets "
      "WHERE sender_thread IS NOT NULL OR receiver_thread IS NOT NULL");
  if (any_trace && traced.step()) {
    std::unordered_map<int64_t, TracedSegment> matches;
    for (TracedSegment& t : match_traced_segments(db)) matches.emplace(t.packet_id, std::move(t));
    PacketFlowWriter writer(db);
    const std::vector<TracedSegment::Frame> none;
    do {
      TracedPacket p{traced.column_int(0), traced.column_int(1), traced.column_optional_int(2),
                     traced.column_optional_int(3)};
      auto match = matches.find(p.packet_id);
      bool captured = writer.write(p, match == matches.end() ? none : match->second.captured, &kept);
      ++(captured ? summary.to_captured : summary.to_traced);
    } while (traced.step());
  }
  kept.delete_rest(db);
  LaneFacts::recount_flows(db);  // rows removed and written here, not by the writer
  pass.release();
  return summary;
}

}  // namespace lurk
