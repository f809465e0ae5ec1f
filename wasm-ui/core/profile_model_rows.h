// The row queries of ProfileModel's bulk tables, shared by load() (every row
// up to the ids noted when loading) and append() (the rows past them): each
// reads a rowid range, past ?1, with only the columns the lanes hold,
// in storage order. Packets, spans, instants and counters are fed to row
// functions (row_feed.h); flows and periods (few rows) are stepped.
#pragma once

namespace lurk::ui::rows {

// Fed to the row functions (row_feed.h: ?2 is the feed; read inside a
// ReadSnapshot, so up to the ids noted with no bound); kinds come as text,
// names and NULLs raw (a NULL reads as 0).
inline constexpr const char* kPackets =
    "SELECT lurk_rows(?2, connection_id, dir, ts_ns, analysis, payload_len, frame, tcp_flags) "
    "FROM packets WHERE id > ?1";
inline constexpr const char* kSpans =
    "SELECT lurk_rows(?2, thread_id, start_ns, end_ns, depth, kind, name, args_json) "
    "FROM spans WHERE id > ?1";
inline constexpr const char* kInstants =
    "SELECT lurk_rows(?2, thread_id, ts_ns, kind, name, args_json) FROM instants WHERE id > ?1";
// One counter lane per (name, thread), global counters one lane per source
// (keyed by minus the source id).
inline constexpr const char* kCounters =
    "SELECT lurk_rows(?2, name, thread_id, source_id, ts_ns, value) FROM counters WHERE id > ?1";
inline constexpr const char* kFlows =
    "SELECT f.kind, f.from_thread, f.from_ns, f.to_thread, f.to_ns, p.connection_id, p.dir "
    "FROM flows f LEFT JOIN packets p ON p.id = f.packet_id WHERE f.id > ?1 AND f.id <= ?2";
inline constexpr const char* kPeriods =
    "SELECT kind = 'idle', start_ns, end_ns, source_id FROM periods WHERE id > ?1 AND id <= ?2 "
    "ORDER BY kind = 'idle', start_ns";

}  // namespace lurk::ui::rows
