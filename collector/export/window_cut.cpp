// A window cut out of a profile (window_cut.h).
//
// Rows are picked on the profile through its lane indexes with the union of
// the sources' windows (one window unless a source is drawn moved), so a
// window of a 100M-event profile reads the rows near it, not every row;
// each kept row is then checked against its own source's window, trimmed and
// its references tidied in the cut (in memory or a scratch file), which holds
// the window's rows only.
#include "export/window_cut.h"

#include <algorithm>
#include <filesystem>
#include <string>

#include "storage/lane_facts.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"
#include "storage/table_copy.h"

namespace lurk {
namespace {

// The window's bounds for the source `source_sql` (an SQL expression naming
// its table's columns in full, NULL for rows of no source): temp.cut_range
// holds every source's, and 0's for none.
std::string lo_of(const std::string& source_sql) {
  return "(SELECT lo FROM temp.cut_range WHERE src = coalesce(" + source_sql + ", 0))";
}
std::string hi_of(const std::string& source_sql) {
  return "(SELECT hi FROM temp.cut_range WHERE src = coalesce(" + source_sql + ", 0))";
}
// A time brought into its source's window (NULL stays NULL).
std::string into_window(const std::string& column, const std::string& source_sql) {
  return "min(max(" + column + ", " + lo_of(source_sql) + "), " + hi_of(source_sql) + ")";
}
// A thread's source, for the rows on a thread (their lanes are drawn moved with it).
std::string source_of_thread(const std::string& thread_sql) {
  return "(SELECT source_id FROM threads WHERE id = " + thread_sql + ")";
}

// Rows picked with the union of the windows [lo, hi] (?1, ?2).
void pick_bulk_rows(Database& from, Database& cut, int64_t lo, int64_t hi) {
  const std::vector<int64_t> window = {lo, hi};
  copy_rows(from, cut, "packets",
            "SELECT * FROM packets WHERE connection_id IN (SELECT id FROM connections) AND ts_ns BETWEEN ?1 AND ?2",
            window);
  copy_rows(from, cut, "spans",
            "SELECT * FROM spans WHERE thread_id IN (SELECT id FROM threads) AND start_ns <= ?2 AND end_ns >= ?1",
            window);
  copy_rows(from, cut, "instants",
            "SELECT * FROM instants WHERE thread_id IN (SELECT id FROM threads) AND ts_ns BETWEEN ?1 AND ?2", window);
  copy_rows(from, cut, "instants", "SELECT * FROM instants WHERE thread_id IS NULL AND ts_ns BETWEEN ?1 AND ?2",
            window);
  // Counters lane by lane (counters_by_lane: name, thread, time), each with
  // its last sample before the window: the value the window starts with.
  // The lanes from their facts (global ones: lane = minus the source) when
  // they count every sample (lurk's writer numbers them 1, 2 ...: as
  // lane_summary_from_facts trusts them), else from the index (every entry).
  const bool has_lane_facts =
      from.query_int("SELECT count(*) FROM sqlite_master WHERE name = 'lane_facts'") > 0 &&
      from.query_int("SELECT coalesce(sum(events), 0) FROM lane_facts WHERE kind = 2") ==
          from.query_int("SELECT coalesce(max(id), 0) FROM counters");
  Statement lanes = from.prepare(has_lane_facts ? "SELECT DISTINCT name, CASE WHEN lane > 0 THEN lane END FROM "
                                                  "lane_facts WHERE kind = 2"
                                                : "SELECT DISTINCT name, thread_id FROM counters");
  while (lanes.step()) {
    int64_t name = lanes.column_int(0);
    bool global = lanes.column_is_null(1);
    std::string lane = global ? "name = ?1 AND thread_id IS NULL" : "name = ?1 AND thread_id = ?2";
    std::vector<int64_t> binds = {name, global ? 0 : lanes.column_int(1), lo, hi};
    copy_rows(from, cut, "counters", "SELECT * FROM counters WHERE " + lane + " AND ts_ns BETWEEN ?3 AND ?4", binds);
    if (global) {
      // One global lane per source: each source's sample before the window
      // (the sources with one, from the lane facts when the profile has them).
      Statement sources = from.prepare(
          has_lane_facts ? "SELECT source_id FROM lane_facts WHERE kind = 2 AND name = ?1 AND lane = -source_id "
                           "AND first_ns < ?2"
                         : "SELECT id FROM sources UNION ALL SELECT 0");
      if (has_lane_facts) sources.bind(1, name).bind(2, lo);
      while (sources.step()) {
        std::vector<int64_t> of_source = {name, 0, lo, hi, sources.column_int(0)};
        copy_rows(from, cut, "counters",
                  "SELECT * FROM counters WHERE " + lane + " AND coalesce(source_id, 0) = ?5 AND ts_ns < ?3 "
                  "ORDER BY ts_ns DESC, id DESC LIMIT 1",
                  of_source);
      }
    } else {
      copy_rows(from, cut, "counters",
                "SELECT * FROM counters WHERE " + lane + " AND ts_ns < ?3 ORDER BY ts_ns DESC, id DESC LIMIT 1", binds);
    }
  }
  copy_rows(from, cut, "flows", "SELECT * FROM flows WHERE from_ns BETWEEN ?1 AND ?2 AND to_ns BETWEEN ?1 AND ?2",
            window);
  copy_rows(from, cut, "periods", "SELECT * FROM periods WHERE start_ns <= ?2 AND end_ns >= ?1", window);
}

// Each row against its own source's window; times brought to its edges.
void trim_to_sources_windows(Database& cut) {
  auto exec = [&](const std::string& sql) { cut.exec(sql); };
  exec("DELETE FROM packets WHERE ts_ns < " + lo_of("packets.source_id") + " OR ts_ns > " + hi_of("packets.source_id"));
  const std::string span_source = source_of_thread("spans.thread_id");
  exec("DELETE FROM spans WHERE start_ns > " + hi_of(span_source) + " OR end_ns < " + lo_of(span_source));
  exec("UPDATE spans SET start_ns = max(start_ns, " + lo_of(span_source) + "), end_ns = min(end_ns, " +
       hi_of(span_source) + ")");
  const std::string instant_source =
      "CASE WHEN instants.thread_id IS NULL THEN instants.source_id ELSE " + source_of_thread("instants.thread_id") +
      " END";
  exec("DELETE FROM instants WHERE ts_ns < " + lo_of(instant_source) + " OR ts_ns > " + hi_of(instant_source));
  const std::string counter_source =
      "CASE WHEN c.thread_id IS NULL THEN c.source_id ELSE " + source_of_thread("c.thread_id") + " END";
  exec("DELETE FROM counters AS c WHERE ts_ns > " + hi_of(counter_source));
  // Before its window, a lane keeps its last sample only, moved to the window's start.
  exec("DELETE FROM counters WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY name, "
       "thread_id, CASE WHEN thread_id IS NULL THEN coalesce(source_id, 0) END ORDER BY ts_ns DESC, id DESC) AS k "
       "FROM counters AS c WHERE ts_ns < " + lo_of(counter_source) + ") WHERE k > 1)");
  // (A thread's counter carries no value into a window the thread does not reach.)
  exec("DELETE FROM counters AS c WHERE ts_ns < " + lo_of(counter_source) +
       " AND c.thread_id IS NOT NULL AND coalesce((SELECT end_ns FROM threads WHERE id = c.thread_id), " +
       std::to_string(INT64_MAX) + ") < " + lo_of(counter_source));
  // (Nor where the lane has a sample at the window's start itself.)
  exec("DELETE FROM counters AS c WHERE ts_ns < " + lo_of(counter_source) +
       " AND EXISTS (SELECT 1 FROM counters d WHERE d.name = c.name AND d.thread_id IS c.thread_id AND "
       "(c.thread_id IS NOT NULL OR coalesce(d.source_id, 0) = coalesce(c.source_id, 0)) AND d.ts_ns = " +
       lo_of(counter_source) + ")");
  exec("UPDATE counters AS c SET ts_ns = max(ts_ns, " + lo_of(counter_source) + ")");
  // A flow is drawn on the clock of its thread end (the from end's when both are threads).
  const std::string flow_source =
      "coalesce(" + source_of_thread("flows.from_thread") + ", " + source_of_thread("flows.to_thread") + ")";
  exec("DELETE FROM flows WHERE from_ns < " + lo_of(flow_source) + " OR from_ns > " + hi_of(flow_source) +
       " OR to_ns < " + lo_of(flow_source) + " OR to_ns > " + hi_of(flow_source) +
       " OR (packet_id IS NOT NULL AND packet_id NOT IN (SELECT id FROM packets))");
  const std::string period_source = "periods.source_id";
  exec("DELETE FROM periods WHERE start_ns > " + hi_of(period_source) + " OR end_ns < " + lo_of(period_source));
  exec("UPDATE periods SET start_ns = max(start_ns, " + lo_of(period_source) + "), end_ns = min(end_ns, " +
       hi_of(period_source) + ")");
  // Findings that reach into the window (those of no time: by what they name, below).
  for (const char* table : {"findings", "capture_findings"}) {
    const std::string t = table;
    const std::string source =
        t == "findings" ? "coalesce(" + source_of_thread("findings.thread_id") +
                              ", (SELECT k.source_id FROM connections k WHERE k.id = findings.connection_id))"
                        : "capture_findings.source_id";
    exec("DELETE FROM " + t + " WHERE ts_ns > " + hi_of(source) + " OR ts_ns + coalesce(duration_ns, 0) < " +
         lo_of(source));
    exec("UPDATE " + t + " SET duration_ns = min(ts_ns + duration_ns, " + hi_of(source) + ") - max(ts_ns, " +
         lo_of(source) + ") WHERE duration_ns IS NOT NULL");
    exec("UPDATE " + t + " SET ts_ns = max(ts_ns, " + lo_of(source) + ")");
  }
}

// The threads and connections that live in the window or that a kept row
// names; references to those left out made NULL.
void keep_what_the_window_names(Database& cut) {
  auto exec = [&](const std::string& sql) { cut.exec(sql); };
  const std::string thread_source = "threads.source_id", connection_source = "connections.source_id";
  exec("DELETE FROM threads WHERE NOT (coalesce(start_ns, " + std::to_string(INT64_MIN) + ") <= " +
       hi_of(thread_source) + " AND coalesce(end_ns, " + std::to_string(INT64_MAX) + ") >= " + lo_of(thread_source) +
       ") AND id NOT IN (SELECT thread_id FROM spans UNION SELECT thread_id FROM instants WHERE thread_id IS NOT NULL "
       "UNION SELECT thread_id FROM counters WHERE thread_id IS NOT NULL UNION SELECT from_thread FROM flows WHERE "
       "from_thread IS NOT NULL UNION SELECT to_thread FROM flows WHERE to_thread IS NOT NULL UNION SELECT "
       "sender_thread FROM packets WHERE sender_thread IS NOT NULL UNION SELECT receiver_thread FROM packets WHERE "
       "receiver_thread IS NOT NULL)");
  // Times into the window (one kept only because a row names it lies at an edge).
  exec("UPDATE threads SET start_ns = " + into_window("start_ns", thread_source) + ", end_ns = " +
       into_window("end_ns", thread_source));
  exec("DELETE FROM connections WHERE NOT (first_ns <= " + hi_of(connection_source) + " AND last_ns >= " +
       lo_of(connection_source) + ") AND id NOT IN (SELECT connection_id FROM packets UNION SELECT connection_id FROM "
       "threads WHERE connection_id IS NOT NULL)");
  exec("UPDATE connections SET close_ns = NULL WHERE close_ns > " + hi_of(connection_source));
  exec("UPDATE connections SET first_ns = " + into_window("first_ns", connection_source) + ", last_ns = " +
       into_window("last_ns", connection_source) + ", close_ns = " + into_window("close_ns", connection_source));
  exec("UPDATE connections SET same_as = NULL WHERE same_as NOT IN (SELECT id FROM connections)");
  exec("UPDATE connections SET root_thread_id = NULL WHERE root_thread_id NOT IN (SELECT id FROM threads)");
  exec("UPDATE threads SET parent_id = NULL WHERE parent_id NOT IN (SELECT id FROM threads)");
  exec("UPDATE threads SET became_id = NULL WHERE became_id NOT IN (SELECT id FROM threads)");
  for (const char* t : {"findings", "capture_findings"}) {
    const std::string table = t;
    if (table == "findings")
      exec("DELETE FROM findings WHERE ts_ns IS NULL AND (thread_id IS NULL OR thread_id NOT IN (SELECT id FROM "
           "threads)) AND (connection_id IS NULL OR connection_id NOT IN (SELECT id FROM connections))");
    else
      exec("DELETE FROM capture_findings WHERE ts_ns IS NULL AND (connection_id IS NULL OR connection_id NOT IN "
           "(SELECT id FROM connections))");
    exec("UPDATE " + table + " SET connection_id = NULL WHERE connection_id NOT IN (SELECT id FROM connections)");
  }
  exec("UPDATE findings SET thread_id = NULL WHERE thread_id NOT IN (SELECT id FROM threads)");
  // A frame's comment goes with its packet; the section's and interfaces' stay.
  exec("CREATE TEMP TABLE kept_frames (source_id INTEGER, frame INTEGER, PRIMARY KEY (source_id, frame)) "
       "WITHOUT ROWID");
  exec("INSERT OR IGNORE INTO temp.kept_frames SELECT source_id, frame FROM packets");
  exec("DELETE FROM comments WHERE scope = 'frame' AND NOT EXISTS (SELECT 1 FROM temp.kept_frames k WHERE "
       "k.source_id = comments.source_id AND k.frame = comments.frame)");
  exec("DROP TABLE temp.kept_frames");
}

// The strings the kept rows name, and no others (a profile's whole log and
// exception vocabulary is not the window's to give away), numbered 1, 2 ...
// again in their order: readers index them by id (ProfileModel refuses
// sparse ids).
void keep_the_strings_named(Database& cut) {
  static const char* const kNamed[][2] = {{"threads", "name"}, {"threads", "exception"}, {"spans", "name"},
                                          {"instants", "name"}, {"counters", "name"}};
  std::string named;
  for (const auto& [table, column] : kNamed)
    named += std::string(named.empty() ? "" : " UNION ") + "SELECT " + column + " FROM " + table + " WHERE " +
             column + " IS NOT NULL";
  cut.exec("CREATE TEMP TABLE string_ids (old INTEGER PRIMARY KEY, new INTEGER NOT NULL)");
  cut.exec("INSERT INTO temp.string_ids SELECT id, row_number() OVER (ORDER BY id) FROM strings WHERE id IN (" +
           named + ")");
  for (const auto& [table, column] : kNamed)
    cut.exec(std::string("UPDATE ") + table + " SET " + column + " = (SELECT new FROM temp.string_ids WHERE old = " +
             table + "." + column + ") WHERE " + column + " IS NOT NULL");
  cut.exec("CREATE TEMP TABLE kept_strings AS SELECT n.new AS id, s.text AS text FROM strings s JOIN temp.string_ids n "
           "ON n.old = s.id");
  cut.exec("DELETE FROM strings");
  cut.exec("INSERT INTO strings (id, text) SELECT id, text FROM temp.kept_strings ORDER BY id");
  cut.exec("DROP TABLE temp.kept_strings");
  cut.exec("DROP TABLE temp.string_ids");
}

}  // namespace

std::unique_ptr<Database> cut_window(Database& source, const CutWindow& window, CutReport& report,
                                     const std::string& scratch) {
  int64_t lo = window.all.from_ns, hi = window.all.to_ns;
  for (const auto& [id, range] : window.by_source) lo = std::min(lo, range.from_ns), hi = std::max(hi, range.to_ns);
  if (scratch != ":memory:") {
    std::error_code ignored;
    std::filesystem::remove(scratch, ignored);
  }
  auto cut = std::make_unique<Database>(scratch, Database::Mode::ReadWriteCreate);
  cut->exec("PRAGMA journal_mode = OFF");  // a scratch copy: a crash leaves nothing worth keeping
  cut->exec("PRAGMA synchronous = OFF");
  source.exec("BEGIN");  // one snapshot of a profile a writer may be appending to
  try {
    cut->exec("BEGIN");
    std::vector<SchemaObject> schema = schema_objects(source);
    for (const SchemaObject& o : schema) cut->exec(o.sql);
    cut->exec("PRAGMA user_version = " + std::to_string(source.query_int("PRAGMA user_version")));
    // The small tables whole (connections and threads trimmed below); no
    // live stream goes on in a cut, and its lane facts are made again.
    const std::vector<std::string> bulk = {"packets", "spans", "instants", "counters", "flows", "periods",
                                           "live_streams", "lane_facts"};
    for (const SchemaObject& o : schema)
      if (o.type == "table" && std::find(bulk.begin(), bulk.end(), o.name) == bulk.end())
        copy_rows(source, *cut, o.name);
    pick_bulk_rows(source, *cut, lo, hi);
    source.exec("COMMIT");
  } catch (...) {
    try {
      source.exec("ROLLBACK");
    } catch (...) {
    }
    throw;
  }
  cut->exec("CREATE TEMP TABLE cut_range (src INTEGER PRIMARY KEY, lo INTEGER NOT NULL, hi INTEGER NOT NULL)");
  {
    Statement add = cut->prepare("INSERT INTO temp.cut_range VALUES (?, ?, ?)");
    add.bind(1, int64_t(0)).bind(2, window.all.from_ns).bind(3, window.all.to_ns).run();
    Statement sources = cut->prepare("SELECT id FROM sources");
    while (sources.step()) {
      const CutWindow::Range& r = window.of(sources.column_int(0));
      Statement one = cut->prepare("INSERT OR REPLACE INTO temp.cut_range VALUES (?, ?, ?)");
      one.bind(1, sources.column_int(0)).bind(2, r.from_ns).bind(3, r.to_ns).run();
    }
  }
  trim_to_sources_windows(*cut);
  keep_what_the_window_names(*cut);
  keep_the_strings_named(*cut);
  cut->exec("DROP TABLE temp.cut_range");
  cut->exec("COMMIT");
  migrate_to_current(*cut);
  cut->exec("BEGIN");
  LaneFacts::rebuild(*cut);
  cut->exec("COMMIT");
  report.packets = cut->query_int("SELECT count(*) FROM packets");
  report.spans = cut->query_int("SELECT count(*) FROM spans");
  report.instants = cut->query_int("SELECT count(*) FROM instants");
  report.counters = cut->query_int("SELECT count(*) FROM counters");
  report.flows = cut->query_int("SELECT count(*) FROM flows");
  report.connections = cut->query_int("SELECT count(*) FROM connections");
  report.threads = cut->query_int("SELECT count(*) FROM threads");
  report.findings = cut->query_int("SELECT count(*) FROM findings");
  return cut;
}

}  // namespace lurk
