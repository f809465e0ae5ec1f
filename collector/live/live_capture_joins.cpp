// Merges and thread-to-packet flows while collecting: see live_capture_joins.h.
#include "live/live_capture_joins.h"

#include "join/packet_flows.h"
#include "live/rows_by_ids.h"
#include "storage/sqlite_handle.h"

namespace lurk::live {
LiveCaptureJoins::LiveCaptureJoins(Database& db) : db_(db), capture_isns_(db) {
  Statement s = db.prepare(std::string("SELECT ") + kJoinConnectionColumns +
                           ", src.format IN " + kCaptureFormats +
                           " FROM connections c LEFT JOIN sources src ON src.id = c.source_id "
                           "WHERE " + trace_own_rows_left_out(db) +
                           "coalesce(src.format, '') <> 'lurk-jsonl' ORDER BY c.id");
  while (s.step()) {
    JoinConnection c = join_connection_from(s);
    if (s.column_int(9) != 0) captured_.emplace(endpoint_pair_key(c), c.id);
    merge_targets_.add(c);
  }
}

std::vector<int64_t> LiveCaptureJoins::update(const BatchRows& rows) {
  std::vector<int64_t> merged;
  if (!merge_targets_.empty()) merge(rows.connections, merged);
  write_flows(rows.packets);
  return merged;
}

bool LiveCaptureJoins::on_unix_clock(int64_t source_id) {
  auto [it, fresh] = unix_clock_.try_emplace(source_id, false);
  if (fresh) {
    // Read once the source has rows: its header (which says the clock) came first.
    Statement s = db_.prepare("SELECT clock_domain FROM sources WHERE id = ?");
    s.bind(1, source_id);
    it->second = s.step() && s.column_text(0) == "unix";
  }
  return it->second;
}

// The batch's trace connections not merged yet: the first capture
// connection that is the same (in id order, as the whole pass picks).
void LiveCaptureJoins::merge(const std::set<int64_t>& connections, std::vector<int64_t>& merged) {
  ClientIsns trace_isns(db_);  // per batch: a trace connection's SYN may come in a later one
  Statement update = db_.prepare("UPDATE connections SET same_as = ? WHERE id = ?");
  for_rows_of_ids(db_, std::string("SELECT ") + kJoinConnectionColumns + ", c.source_id " +
                  "FROM connections c LEFT JOIN sources src ON src.id = c.source_id WHERE " +
                  trace_own_rows_left_out(db_) + "c.same_as IS NULL AND c.id IN ",
                  connections, [&](Statement& s) {
    JoinConnection trace = join_connection_from(s);
    if (trace.from_capture || !on_unix_clock(s.column_int(9))) return;
    const JoinConnection* capture = merge_targets_.first_same(trace, trace_isns, capture_isns_);
    if (!capture) return;
    update.bind(1, capture->id).bind(2, trace.id);
    update.run();
    merged.push_back(trace.id);
    merged_.push_back(trace.id);
  });
}

// The batch's traced segments that name their thread.
void LiveCaptureJoins::write_flows(const IdRange& packets) {
  if (packets.empty()) return;
  Statement s = db_.prepare(
      std::string("SELECT p.id, p.ts_ns, p.sender_thread, p.receiver_thread, p.source_id, "
                  "c.addr_a, c.port_a, c.addr_b, c.port_b, ") + kSegmentIdentityColumns +
      " FROM packets p JOIN connections c ON c.id = p.connection_id WHERE p.id BETWEEN ?1 AND ?2 "
      "AND (p.sender_thread IS NOT NULL OR p.receiver_thread IS NOT NULL)");
  s.bind(1, packets.first).bind(2, packets.last);
  PacketFlowWriter writer(db_);
  const std::vector<TracedSegment::Frame> none;
  while (s.step()) {
    // With captures in the profile, which frame a segment is depends on the
    // trace's clock: a clock of its own waits for the stop pass's offset.
    if (!captured_.empty() && !on_unix_clock(s.column_int(4))) continue;
    JoinConnection c;
    c.addr_a = s.column_text(5);
    c.port_a = static_cast<int>(s.column_int(6));
    c.addr_b = s.column_text(7);
    c.port_b = static_cast<int>(s.column_int(8));
    TracedPacket p{s.column_int(0), s.column_int(1), s.column_optional_int(2),
                   s.column_optional_int(3)};
    writer.write(p, captured_.empty() ? none
                                       : frames(endpoint_pair_key(c), segment_identity(s, 9)));
    facts_.add_flow();
  }
  facts_.write(db_);
}

const std::vector<TracedSegment::Frame>& LiveCaptureJoins::frames(const std::string& pair,
                                                                  const std::string& identity) {
  if (pairs_read_.insert(pair).second) {
    auto [begin, end] = captured_.equal_range(pair);
    for (auto it = begin; it != end; ++it) {
      Statement s = db_.prepare(std::string("SELECT p.id, p.ts_ns, ") + kSegmentIdentityColumns +
                                " FROM packets p JOIN connections c ON c.id = p.connection_id "
                                "WHERE p.connection_id = ? ORDER BY p.ts_ns, p.id");
      s.bind(1, it->second);
      while (s.step()) frames_[segment_identity(s, 2)].push_back({s.column_int(0), s.column_int(1)});
    }
  }
  static const std::vector<TracedSegment::Frame> none;
  auto it = frames_.find(identity);
  return it == frames_.end() ? none : it->second;
}

void LiveCaptureJoins::undo_merges() {
  Statement undo = db_.prepare("UPDATE connections SET same_as = NULL WHERE id = ?");
  for (int64_t id : merged_) {
    undo.bind(1, id);
    undo.run();
  }
  merged_.clear();
}

}  // namespace lurk::live
