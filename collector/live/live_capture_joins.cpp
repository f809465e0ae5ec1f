// Merges and thread-to-packet flows while collecting: see live_capture_joins.h.
#include "live/live_capture_joins.h"

#include <cstdint>
#include <optional>

#include "join/clock_alignment.h"
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
  // Read once: the captures are the profile's at start.
  if (!captured_.empty()) labels_.emplace(read_captured_edges(db));
}

std::vector<int64_t> LiveCaptureJoins::update(const BatchRows& rows,
                                              std::vector<OffsetChange>& offsets) {
  std::vector<int64_t> merged;
  // First the clocks: the batch's merges and flows are then made on them.
  for (int64_t source : match_segments(rows.packets)) {
    if (std::optional<LiveClockOffsets::Decision> d = offsets_.decide(source)) {
      int64_t before = offsets_.offset(source).value_or(0);
      apply_offset(source, d->offset_ns, d->evidence, "live-segments", rows.packets.first, merged);
      offsets.push_back({source, d->offset_ns, d->offset_ns - before});
    }
  }
  // Then the labels of sources with no segment matched (the stop pass's order).
  for (int64_t source : match_labels(rows.instants)) {
    if (offsets_.has_matched(source)) continue;
    std::optional<int64_t> before = offsets_.offset(source);
    if (std::optional<LiveLabelOffsets::Decision> d = labels_->decide(source, before)) {
      apply_offset(source, d->offset_ns, d->evidence, "live-labels", rows.packets.first, merged);
      offsets.push_back({source, d->offset_ns, d->offset_ns - before.value_or(0)});
    }
  }
  if (!merge_targets_.empty()) merge(rows.connections, merged);
  if (!rows.packets.empty()) write_flows("p.id BETWEEN ?1 AND ?2", rows.packets.first, rows.packets.last);
  facts_.write(db_);
  return merged;
}

bool LiveCaptureJoins::aligned(int64_t source_id) {
  return on_unix_clock(source_id) || offsets_.offset(source_id).has_value();
}

std::optional<int64_t> LiveCaptureJoins::own_time(int64_t source_id, int64_t stored_ts) {
  if (on_unix_clock(source_id)) return std::nullopt;
  // Applied offsets are taken off: the evidence is on the source's own clock.
  int64_t own_ts = stored_ts - offsets_.offset(source_id).value_or(0);
  // Its first row of evidence says whether its times are Unix time after all.
  auto [own, fresh] = own_clock_.try_emplace(source_id, true);
  if (fresh) own->second = !looks_like_unix_ns(own_ts);
  if (!own->second) return std::nullopt;
  return own_ts;
}

std::set<int64_t> LiveCaptureJoins::match_segments(const IdRange& packets) {
  std::set<int64_t> sources;
  if (captured_.empty() || packets.empty()) return sources;
  Statement s = db_.prepare(
      std::string("SELECT p.source_id, p.ts_ns, c.addr_a, c.port_a, c.addr_b, c.port_b, 0, ") +
      kSegmentIdentityColumns +
      " FROM packets p JOIN connections c ON c.id = p.connection_id JOIN sources src ON "
      "src.id = p.source_id WHERE p.id BETWEEN ?1 AND ?2 AND src.format NOT IN " + kCaptureFormats);
  s.bind(1, packets.first).bind(2, packets.last);
  while (s.step()) {
    int64_t source = s.column_int(0);
    std::optional<int64_t> own_ts = own_time(source, s.column_int(1));
    if (!own_ts) continue;
    JoinConnection c;
    c.addr_a = s.column_text(2);
    c.port_a = static_cast<int>(s.column_int(3));
    c.addr_b = s.column_text(4);
    c.port_b = static_cast<int>(s.column_int(5));
    std::string pair = endpoint_pair_key(c);
    if (!captured_.count(pair)) continue;  // no frame can be this segment
    std::string identity = segment_identity(s, 7);
    offsets_.add(source, identity, *own_ts, static_cast<uint8_t>(s.column_int(10)),
                 frames(pair, identity));
    sources.insert(source);
  }
  return sources;
}

std::set<int64_t> LiveCaptureJoins::match_labels(const IdRange& instants) {
  std::set<int64_t> sources;
  if (!labels_ || instants.empty()) return sources;
  Statement s = db_.prepare(
      std::string("SELECT i.source_id, i.ts_ns, str.text FROM instants i "
                  "JOIN strings str ON str.id = i.name JOIN sources src ON src.id = i.source_id "
                  "WHERE i.id BETWEEN ?1 AND ?2 AND i.kind = 'label' AND src.format NOT IN ") +
      kCaptureFormats);
  s.bind(1, instants.first).bind(2, instants.last);
  while (s.step()) {
    int64_t source = s.column_int(0);
    std::optional<int64_t> own_ts = own_time(source, s.column_int(1));
    if (!own_ts) continue;
    labels_->add(source, s.column_text(2), *own_ts);
    sources.insert(source);
  }
  return sources;
}

// Cost: the source's rows so far, once per decision (the first, and each
// move), as the stop pass's own shift.
void LiveCaptureJoins::apply_offset(int64_t source_id, int64_t offset_ns,
                                    const ClockEvidence& evidence, const char* how,
                                    int64_t first_of_batch, std::vector<int64_t>& merged) {
  std::optional<int64_t> before = offsets_.offset(source_id);
  shift_source_times(db_, source_id, offset_ns - before.value_or(0));
  offsets_.applied(source_id, offset_ns);
  // 'live-segments', 'live-labels': not a decided clock_how, so the stop
  // pass decides the offset again on all the evidence (and rewrites nothing
  // when it agrees).
  Statement record = db_.prepare(
      "UPDATE sources SET clock_offset_ns = ?, clock_how = ?, clock_evidence = ? WHERE id = ?");
  record.bind(1, offset_ns).bind_static(2, how)
      .bind(3, evidence.text + " (while collecting)").bind(4, source_id);
  record.run();
  if (before) {
    // Moved: the merges and flows made on the old offset are made again.
    Statement undo = db_.prepare("UPDATE connections SET same_as = NULL WHERE id = ?");
    std::erase_if(merged_, [&](int64_t id) {
      Statement of = db_.prepare("SELECT source_id FROM connections WHERE id = ?");
      of.bind(1, id);
      if (!of.step() || of.column_int(0) != source_id) return false;
      undo.bind(1, id);
      undo.run();
      return true;
    });
    Statement drop = db_.prepare(
        "DELETE FROM flows WHERE kind IN ('tcp-send', 'tcp-receive') AND packet_id IS NOT NULL "
        "AND coalesce(from_thread, to_thread) IN (SELECT id FROM threads WHERE source_id = ?)");
    drop.bind(1, source_id);
    drop.run();
    LaneFacts::recount_flows(db_);
  }
  if (!merge_targets_.empty()) {
    std::set<int64_t> connections;
    Statement of = db_.prepare("SELECT id FROM connections WHERE source_id = ? AND same_as IS NULL");
    of.bind(1, source_id);
    while (of.step()) connections.insert(of.column_int(0));
    merge(connections, merged);
  }
  // By its connections (packets_by_lane), not by source_id, which no index
  // has: the source's segments, not every packet of the profile.
  write_flows("p.connection_id IN (SELECT id FROM connections WHERE source_id = ?1) AND "
              "p.source_id = ?1 AND p.id < ?2", source_id, first_of_batch);
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
    if (trace.from_capture || !aligned(s.column_int(9))) return;
    const JoinConnection* capture = merge_targets_.first_same(trace, trace_isns, capture_isns_);
    if (!capture) return;
    update.bind(1, capture->id).bind(2, trace.id);
    update.run();
    merged.push_back(trace.id);
    merged_.push_back(trace.id);
  });
}

void LiveCaptureJoins::write_flows(const std::string& condition, int64_t first, int64_t second) {
  Statement s = db_.prepare(
      std::string("SELECT p.id, p.ts_ns, p.sender_thread, p.receiver_thread, p.source_id, "
                  "c.addr_a, c.port_a, c.addr_b, c.port_b, ") + kSegmentIdentityColumns +
      " FROM packets p JOIN connections c ON c.id = p.connection_id WHERE " + condition +
      " AND (p.sender_thread IS NOT NULL OR p.receiver_thread IS NOT NULL)");
  s.bind(1, first).bind(2, second);
  PacketFlowWriter writer(db_);
  const std::vector<TracedSegment::Frame> none;
  while (s.step()) {
    // With captures in the profile, which frame a segment is depends on the
    // trace's clock: a clock of its own waits for its offset.
    if (!captured_.empty() && !aligned(s.column_int(4))) continue;
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
