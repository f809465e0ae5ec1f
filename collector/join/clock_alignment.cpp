// The clock pass: see clock_alignment.h and docs/clocks.md.
#include "join/clock_alignment.h"

#include <optional>
#include <string>
#include <vector>

#include "join/clock_evidence.h"
#include "join/segment_matching.h"
#include "storage/lane_facts.h"
#include "storage/savepoint.h"
#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

// A Unix-clock trace is moved only when its segments say its clock is off
// by more than this (a host whose clock is not synchronised). Less is the
// path between the stack and the capture point (a forwarder's delay, a
// queue), which a shift would hide.
constexpr int64_t kUnixClockToleranceNs = 1'000'000'000;

struct Source {
  int64_t id = 0;
  std::string format, domain, how;
  int64_t offset_ns = 0;
  bool capture() const { return format == "pcap" || format == "pcapng"; }
};

std::vector<Source> load_sources(Database& db) {
  Statement s = db.prepare(
      "SELECT id, format, clock_domain, clock_how, clock_offset_ns FROM sources ORDER BY id");
  std::vector<Source> out;
  while (s.step())
    out.push_back({s.column_int(0), s.column_text(1), s.column_text(2), s.column_text(3),
                   s.column_int(4)});
  return out;
}

void record(Database& db, const Source& s, const std::string& how, const std::string& evidence) {
  Statement u = db.prepare(
      "UPDATE sources SET clock_domain = ?, clock_offset_ns = ?, clock_how = ?, "
      "clock_evidence = ? WHERE id = ?");
  u.bind(1, s.domain).bind(2, s.offset_ns).bind(3, how).bind(4, evidence).bind(5, s.id);
  u.run();
}

// The earliest time the source stored anywhere, or nothing for an empty one.
std::optional<int64_t> first_time(Database& db, int64_t source_id) {
  Statement s = db.prepare(
      "SELECT min(t) FROM (SELECT min(ts_ns) AS t FROM packets WHERE source_id = ?1 "
      "UNION ALL SELECT min(start_ns) FROM threads WHERE source_id = ?1 "
      "UNION ALL SELECT min(ts_ns) FROM instants WHERE source_id = ?1 "
      "UNION ALL SELECT min(ts_ns) FROM counters WHERE source_id = ?1)");
  s.bind(1, source_id);
  if (!s.step() || s.column_is_null(0)) return std::nullopt;
  return s.column_int(0);
}

bool decided(const std::string& how) {
  return how == "manual" || how == "tcp-segments" || how == "handshake-isn" || how == "labels" ||
         how == "reference";
}

}  // namespace

bool looks_like_unix_ns(int64_t ts_ns) {
  constexpr int64_t k2000 = 946'684'800LL * 1'000'000'000LL;
  constexpr int64_t k2100 = 4'102'444'800LL * 1'000'000'000LL;
  return ts_ns >= k2000 && ts_ns < k2100;
}

void shift_source_times(Database& db, int64_t source_id, int64_t delta_ns) {
  if (delta_ns == 0) return;
  const std::string threads = "(SELECT id FROM threads WHERE source_id = ?2)";
  const std::string statements[] = {
      "UPDATE packets SET ts_ns = ts_ns + ?1 WHERE source_id = ?2",
      "UPDATE connections SET first_ns = first_ns + ?1, last_ns = last_ns + ?1, "
      "close_ns = close_ns + ?1 WHERE source_id = ?2",
      "UPDATE threads SET start_ns = start_ns + ?1, end_ns = end_ns + ?1 WHERE source_id = ?2",
      "UPDATE spans SET start_ns = start_ns + ?1, end_ns = end_ns + ?1 WHERE thread_id IN " +
          threads,
      "UPDATE instants SET ts_ns = ts_ns + ?1 WHERE source_id = ?2",
      "UPDATE counters SET ts_ns = ts_ns + ?1 WHERE source_id = ?2",
      "UPDATE flows SET from_ns = from_ns + ?1 WHERE packet_id IS NULL AND from_thread IN " +
          threads,
      "UPDATE flows SET to_ns = to_ns + ?1 WHERE packet_id IS NULL AND to_thread IN " + threads,
      "UPDATE periods SET start_ns = start_ns + ?1, end_ns = end_ns + ?1 WHERE source_id = ?2",
      "UPDATE capture_findings SET ts_ns = ts_ns + ?1 WHERE source_id = ?2",
  };
  for (const std::string& sql : statements) {
    Statement s = db.prepare(sql);
    s.bind(1, delta_ns).bind(2, source_id);
    s.run();
  }
  LaneFacts::shift_source(db, source_id, delta_ns);  // the lanes' bounds move with their rows
}

ClockSummary align_clocks(Database& db) {
  ClockSummary summary;
  Savepoint pass(db, "align_clocks");
  std::vector<Source> sources = load_sources(db);
  bool any_reference = false;
  for (Source& s : sources) {
    if (s.capture() && s.how.empty()) record(db, s, "reference", "a capture: Unix time");
    if (s.capture()) s.how = "reference";
    if (!s.capture() && s.domain == "own" && !decided(s.how)) {
      // Its own times: an offset `lurk collect` applied while collecting
      // (clock_how 'live-segments' or 'live-labels', docs/live.md) is taken off.
      std::optional<int64_t> first = first_time(db, s.id);
      if (first && looks_like_unix_ns(*first - s.offset_ns)) s.domain = "unix";  // Unix time after all
    }
    any_reference = any_reference || s.domain == "unix";
  }
  std::vector<TracedSegment> segments;
  bool segments_loaded = false;
  for (Source& s : sources) {
    if (s.capture() || decided(s.how)) continue;
    if (!segments_loaded) {
      segments = match_traced_segments(db);
      segments_loaded = true;
    }
    std::optional<ClockEvidence> e = segment_evidence(segments, s.id);
    if (e && s.domain == "unix" && std::llabs(e->delta_ns) <= kUnixClockToleranceNs) {
      record(db, s, "unix-clock", e->text);
      continue;
    }
    if (!e && s.domain == "own" && any_reference) e = label_evidence(db, s.id);
    if (!e && s.offset_ns != 0 && (s.how == "live-segments" || s.how == "live-labels")) {
      // `lurk collect` decided an offset on the evidence so far, which the
      // whole trace does not bear out (a segment seen again is no longer
      // unique; more labels tie): as after `lurk ingest`, the source keeps
      // its own clock. Its merges and flows are decided again below.
      shift_source_times(db, s.id, -s.offset_ns);
      s.offset_ns = 0;
    }
    if (e) {
      shift_source_times(db, s.id, e->delta_ns);
      s.offset_ns += e->delta_ns;
      record(db, s, e->how, e->text);
      ++summary.aligned;
    } else if (s.domain == "unix") {
      record(db, s, "unix-clock", "Unix time (its times say so)");
    } else {
      record(db, s, "not-aligned",
             any_reference ? "no segments or labels matching a capture of the same run"
                           : "no capture or Unix-time source in the profile");
      ++summary.not_aligned;
    }
  }
  pass.release();
  return summary;
}

void take_back_clock_offset(Database& db, int64_t source_id) {
  Statement read = db.prepare("SELECT clock_offset_ns FROM sources WHERE id = ?");
  read.bind(1, source_id);
  if (!read.step() || read.column_int(0) == 0) return;
  int64_t offset_ns = read.column_int(0);
  Savepoint pass(db, "take_back_clock_offset");
  shift_source_times(db, source_id, -offset_ns);
  const char* statements[] = {
      "UPDATE sources SET clock_offset_ns = 0, clock_how = '', clock_evidence = '' WHERE id = ?",
      "UPDATE connections SET same_as = NULL WHERE source_id = ?",
      "UPDATE threads SET connection_id = NULL, link_how = NULL WHERE source_id = ? AND "
      "link_how IN ('port', 'label+time')",
  };
  for (const char* sql : statements) {
    Statement s = db.prepare(sql);
    s.bind(1, source_id);
    s.run();
  }
  pass.release();
}

void set_clock_offset(Database& db, int64_t source_id, int64_t offset_ns) {
  Savepoint pass(db, "set_clock_offset");
  std::vector<Source> sources = load_sources(db);
  Source* found = nullptr;
  for (Source& s : sources)
    if (s.id == source_id) found = &s;
  if (!found) throw StorageError(db.path() + ": no source " + std::to_string(source_id));
  shift_source_times(db, source_id, offset_ns - found->offset_ns);
  found->offset_ns = offset_ns;
  record(db, *found, "manual", "set by hand");
  // Links the joiner made by time were made on the old clock.
  Statement unlink = db.prepare(
      "UPDATE threads SET connection_id = NULL, link_how = NULL WHERE source_id = ? AND "
      "link_how IN ('port', 'label+time')");
  unlink.bind(1, source_id);
  unlink.run();
  Statement unmerge = db.prepare("UPDATE connections SET same_as = NULL WHERE source_id = ?");
  unmerge.bind(1, source_id);
  unmerge.run();
  pass.release();
}

}  // namespace lurk
