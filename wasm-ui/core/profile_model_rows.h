// The row queries of ProfileModel's bulk tables, shared by load() (every row
// up to the ids noted when loading) and append() (the rows past them): each
// reads a rowid range, ?1 < id <= ?2, with only the columns the lanes hold,
// in storage order. Kinds come as numbers (SpanKind's, InstantKind's values)
// so that no row costs a string.
#pragma once

namespace lurk::ui::rows {

inline constexpr const char* kPackets =
    "SELECT connection_id, dir, ts_ns, analysis, payload_len, frame, tcp_flags FROM packets "
    "WHERE id > ?1 AND id <= ?2";
inline constexpr const char* kSpans =
    "SELECT thread_id, start_ns, end_ns, depth, "
    "CASE kind WHEN 'running' THEN 1 WHEN 'async' THEN 2 ELSE 0 END, coalesce(name, 0), "
    "args_json FROM spans WHERE id > ?1 AND id <= ?2";
inline constexpr const char* kInstants =
    "SELECT thread_id, ts_ns, CASE kind WHEN 'label' THEN 1 WHEN 'log' THEN 2 "
    "WHEN 'exception' THEN 3 ELSE 0 END, coalesce(name, 0), args_json FROM instants "
    "WHERE id > ?1 AND id <= ?2";
// One counter lane per (name, thread), global counters one lane per source
// (keyed by minus the source id).
inline constexpr const char* kCounters =
    "SELECT name, coalesce(thread_id, -coalesce(source_id, 0)), ts_ns, value FROM counters "
    "WHERE id > ?1 AND id <= ?2";
inline constexpr const char* kFlows =
    "SELECT f.kind, f.from_thread, f.from_ns, f.to_thread, f.to_ns, p.connection_id, p.dir "
    "FROM flows f LEFT JOIN packets p ON p.id = f.packet_id WHERE f.id > ?1 AND f.id <= ?2";
inline constexpr const char* kPeriods =
    "SELECT kind = 'idle', start_ns, end_ns, source_id FROM periods WHERE id > ?1 AND id <= ?2 "
    "ORDER BY kind = 'idle', start_ns";

}  // namespace lurk::ui::rows
