#include "storage/trace_writer.h"

#include <algorithm>
#include <array>
#include <memory>
#include <type_traits>
#include <ctime>
#include <iostream>

#include <sqlite3.h>

#include "storage/packet_batch_table.h"
#include "storage/schema.h"

namespace lurk {

TraceWriter::TraceWriter(Database& db) : db_(db) {
  ensure_schema(db_);
  register_packet_batch_table(db_.raw());
  // Bulk ingest: in-memory temp tables, and a page cache of a fixed size
  // (it does not grow with the file). Rows arrive in id order, but index
  // entries of events in random time order land on random pages of the
  // (thread, ts) indexes: once those outgrow the cache, nearly every insert
  // spills a dirty page and reads another back: with 2 MiB, 270,000 JSONL
  // events in random time order cost 210,000 page writes and 206,000 reads
  // (90,000: 10,900 and 9,700; 30,000: 620 and 100), CPU time 15-20x for 9x
  // the events. 32 MiB holds those indexes (8 MB per 270,000 such events)
  // up to ~800,000 events: 5,000 writes and no reads back at 270,000, 7-13x
  // for 9x (bench/RESULTS.md, hostile input). Past that, each insert costs
  // at most a page read and a write: a larger constant, not a larger power.
  // The rollback journal stays on, which is what keeps a killed ingest from
  // damaging the file.
  db_.exec("PRAGMA cache_size = -32768; PRAGMA temp_store = MEMORY");
  // SQLite refuses to change this inside a transaction; a writer made there
  // (a pass of an ingest, findings_pass.cpp) runs under the ingest's setting.
  if (sqlite3_get_autocommit(db_.raw())) db_.exec("PRAGMA synchronous = NORMAL");
}

// A destructor cannot throw, but what fails here (rows still queued that
// could not be written, a rollback that did not happen) must not vanish.
TraceWriter::~TraceWriter() {
  try {
    if (in_transaction_) rollback_source();
    else sync();
  } catch (const std::exception& e) {
    std::cerr << "lurk: " << db_.path() << ": while closing the writer: " << e.what() << "\n";
  } catch (...) {
    std::cerr << "lurk: " << db_.path() << ": while closing the writer: unknown error\n";
  }
}

Database& TraceWriter::db() {
  sync();  // whoever reads the file through it sees every row
  return db_;
}

void TraceWriter::sync() {
  queue_pending_rows();
  queue_.drain();
}

Statement& TraceWriter::statement(std::string_view key, std::string_view sql) {
  auto it = statements_.find(key);
  if (it == statements_.end())
    it = statements_.emplace(std::string(key), db_.prepare(sql)).first;
  return it->second;
}

BindOnChange& TraceWriter::bulk_statement(std::string_view key, std::string_view sql) {
  auto it = bulk_statements_.find(key);
  if (it == bulk_statements_.end())
    it = bulk_statements_.emplace(std::string(key), BindOnChange(db_.prepare(sql))).first;
  return it->second;
}

template <typename Value>
bool TraceWriter::any_row(std::string_view key, std::string_view sql, const Value& value) {
  sync();
  Statement& s = statement(key, sql);
  s.bind(1, value);
  bool found = s.step();
  s.reset();
  return found;
}

bool TraceWriter::has_source_with_hash(std::string_view content_hash) {
  return any_row("source_by_hash", "SELECT id FROM sources WHERE content_hash = ?", content_hash);
}

bool TraceWriter::has_source_with_size(int64_t size_bytes) {
  return any_row("source_by_size", "SELECT id FROM sources WHERE size_bytes = ?", size_bytes);
}

int64_t TraceWriter::begin_source(SourceRow& source) {
  sync();
  // A savepoint: the source's own transaction, or nested in the one lurk
  // ingest holds for its whole run (sources, then analysis; ingest.cpp).
  db_.exec("SAVEPOINT source");
  in_transaction_ = true;
  Statement& s = statement(
      "source_insert",
      "INSERT INTO sources(path, format, content_hash, size_bytes, ingested_at, status) "
      "VALUES (?, ?, ?, ?, ?, 'partial')");
  s.bind(1, source.path).bind(2, source.format).bind(3, source.content_hash);
  s.bind(4, source.size_bytes).bind(5, static_cast<int64_t>(std::time(nullptr)));
  s.run();
  source.id = db_.last_insert_id();
  source_id_ = source.id;
  shown_rows_ = 0;
  load_next_ids();
  load_strings();
  queue_.go_background();
  return source.id;
}

void TraceWriter::update_source_row(const SourceRow& source) {
  Statement& s = statement(
      "source_update",
      "UPDATE sources SET records = ?, skipped = ?, errors = ?, status = ?, content_hash = ?, "
      "clock_domain = ?, size_bytes = ? WHERE id = ?");
  s.bind(1, source.records).bind(2, source.skipped).bind(3, source.errors);
  s.bind(4, source.status).bind(5, source.content_hash).bind(6, source.clock_domain);
  s.bind(7, source.size_bytes).bind(8, source.id);
  s.run();
}

void TraceWriter::commit_source(const SourceRow& source) {
  queue_pending_rows();
  queue_.go_inline();  // every row written; a failed one throws here
  update_source_row(source);
  lane_facts_.write(db_);
  db_.exec("RELEASE source");
  in_transaction_ = false;
  ids_loaded_ = false;
}

void TraceWriter::begin_live(const std::function<void()>& under_lock) {
  sync();
  // Live batches arrive in time order and commit every fraction of a
  // second: the bulk ingest's 32 MiB cache would only hold committed pages
  // and grow the collector's memory (docs/live.md states its bound). 8 MiB
  // holds a batch's pages: with 2 MiB a 100,000-event batch spilled pages
  // to the WAL before its COMMIT and read them back (the writer's thread
  // 21% lighter with this and the checkpoints off it; 16 MiB: 23%;
  // bench/RESULTS.md, "live12").
  db_.exec("PRAGMA cache_size = -8192");
  // IMMEDIATE: the collector holds the profile's write lock from batch to
  // batch, so no other writer commits under the collector's open
  // transaction, whose snapshot it would make stale (the collector then
  // failed at its next write). lurk's own writers are kept out before they
  // open the file (profile_writer_lock.h); this keeps out the others.
  db_.exec("BEGIN IMMEDIATE");
  in_transaction_ = true;
  live_ = true;
  next_source_id_ = db_.query_int("SELECT coalesce(max(id), 0) + 1 FROM sources");
  load_next_ids();
  load_strings();
  if (under_lock) under_lock();
  queue_.go_background();
}

// The source's id is handed out here, like a thread's, so adding a sender
// does not wait for the rows queued before it.
int64_t TraceWriter::add_live_source(SourceRow& source) {
  source.id = next_source_id_++;
  queue_.push([this, source] {
    Statement& s = statement(
        "live_source_insert",
        "INSERT INTO sources(path, format, content_hash, size_bytes, ingested_at, status, "
        "clock_domain, id) VALUES (?, ?, ?, ?, ?, 'partial', ?, ?)");
    s.bind(1, source.path).bind(2, source.format).bind(3, source.content_hash);
    s.bind(4, source.size_bytes).bind(5, static_cast<int64_t>(std::time(nullptr)));
    s.bind(6, source.clock_domain).bind(7, source.id);
    s.run();
  });
  return source.id;
}

void TraceWriter::commit_batch(const std::vector<const SourceRow*>& sources, bool last,
                               const std::function<void()>& in_batch) {
  std::vector<SourceRow> rows;
  for (const SourceRow* source : sources) rows.push_back(*source);
  queue_commit_batch(std::move(rows), last, in_batch, nullptr);
  if (!last) sync();  // returns when the batch is in the file; a failed one throws here
}

void TraceWriter::queue_commit_batch(std::vector<SourceRow> sources, bool last,
                                     std::function<void()> in_batch,
                                     std::function<void(std::exception_ptr)> finished) {
  queue_pending_rows();
  // Behind every row of the batch, before any of the next: the job's
  // COMMIT holds exactly the rows queued so far. The statements and the
  // connection are the writer thread's while jobs are queued (write_behind.h).
  auto facts = std::make_shared<LaneFacts>(std::move(lane_facts_));
  lane_facts_.clear();
  queue_.push([this, sources = std::move(sources), last, in_batch = std::move(in_batch),
               finished = std::move(finished), facts] {
    try {
      for (const SourceRow& source : sources) update_source_row(source);
      facts->shift_gathered(live_offsets_);  // gathered on the sources' own clocks
      facts->write(db_);
      if (in_batch) in_batch();
      db_.exec("COMMIT");
      if (!last) db_.exec("BEGIN IMMEDIATE");  // as begin_live's
    } catch (...) {
      if (finished) finished(std::current_exception());
      throw;  // the queue keeps it and drops the jobs behind it
    }
    if (finished) finished(nullptr);
  });
  if (!last) return;
  queue_.go_inline();  // every job ran; a failed one throws here
  in_transaction_ = false;
  live_ = false;
  ids_loaded_ = false;
}

void TraceWriter::rollback_source() {
  in_transaction_ = false;
  // Never written: the rows still here and the jobs not yet run.
  pending_connections_.clear();
  pending_capture_findings_.clear();
  pending_packets_.clear();
  pending_spans_.clear();
  pending_instants_.clear();
  pending_counters_.clear();
  pending_flows_.clear();
  lane_facts_.clear();
  queue_.discard();
  queue_.go_inline();
  // Ids handed out inside the transaction are gone with it.
  interned_.clear();
  strings_loaded_ = false;
  ids_loaded_ = false;
  // Some errors (a full disk, an I/O error) make SQLite roll the whole
  // transaction back itself: then there is nothing left to undo.
  if (sqlite3_get_autocommit(db_.raw())) return;
  if (live_) {  // a live batch is a plain transaction (begin_live)
    live_ = false;
    db_.exec("ROLLBACK");
    return;
  }
  db_.exec("ROLLBACK TO source");
  db_.exec("RELEASE source");
}

void TraceWriter::load_next_ids() {
  sync();
  next_connection_id_ = db_.query_int("SELECT coalesce(max(id), 0) + 1 FROM connections");
  next_thread_id_ = db_.query_int("SELECT coalesce(max(id), 0) + 1 FROM threads");
  ids_loaded_ = true;
}

// The strings of the file, once: interning then never reads the file, so
// it does not have to wait for the background writer.
void TraceWriter::load_strings() {
  if (strings_loaded_) return;
  sync();
  Statement all = db_.prepare("SELECT id, text FROM strings");
  next_string_id_ = 1;
  while (all.step()) {
    int64_t id = all.column_int(0);
    interned_.emplace(all.column_text(1), id);
    next_string_id_ = std::max(next_string_id_, id + 1);
  }
  strings_loaded_ = true;
}

int64_t TraceWriter::intern(std::string_view text) {
  load_strings();
  if (auto it = interned_.find(text); it != interned_.end()) return it->second;
  int64_t id = next_string_id_++;
  interned_.emplace(std::string(text), id);
  queue_.push([this, id, owned = std::string(text)] {
    Statement& insert = statement("string_insert", "INSERT INTO strings(id, text) VALUES (?, ?)");
    insert.bind(1, id).bind(2, owned);
    insert.run();
  });
  return id;
}

namespace {

// A connection's columns (kConnectionColumns, in order) bound from `first`
// into a Statement or a BindOnChange; returns the next parameter index.
template <class Binder>
int bind_connection_columns(Binder& s, int first, const ConnectionRow& r) {
  int i = first;
  s.bind(i++, r.source_id);
  s.bind(i++, r.addr_a).bind(i++, r.port_a).bind(i++, r.addr_b).bind(i++, r.port_b);
  s.bind(i++, r.first_ns).bind(i++, r.last_ns);
  s.bind(i++, r.syn_seen).bind(i++, r.synack_seen).bind(i++, r.fin_a).bind(i++, r.fin_b);
  s.bind(i++, r.rst_seen);
  s.bind(i++, r.packets_ab).bind(i++, r.packets_ba).bind(i++, r.bytes_ab).bind(i++, r.bytes_ba);
  s.bind(i++, r.state).bind(i++, r.flags_json);
  return i;
}

// Columns shared by connection insert and update, bound from index 1.
int bind_connection(Statement& s, const ConnectionRow& r) { return bind_connection_columns(s, 1, r); }

constexpr const char* kConnectionColumns =
    "source_id, addr_a, port_a, addr_b, port_b, first_ns, last_ns, syn_seen, synack_seen, "
    "fin_a, fin_b, rst_seen, packets_ab, packets_ba, bytes_ab, bytes_ba, state, flags_json";

int bind_thread(Statement& s, const ThreadRow& r) {
  int i = 1;
  s.bind(i++, r.source_id).bind(i++, r.ext_id).bind(i++, r.name).bind(i++, r.kind);
  s.bind(i++, r.parent_id).bind(i++, r.start_ns).bind(i++, r.end_ns).bind(i++, r.failed);
  s.bind(i++, r.exception).bind(i++, r.should_resolve).bind(i++, r.became_id);
  s.bind(i++, r.connection_id);
  if (r.link_how) s.bind(i++, *r.link_how);
  else s.bind(i++, std::nullopt);
  s.bind(i++, r.sort_index);
  return i;
}

constexpr const char* kThreadColumns =
    "source_id, ext_id, name, kind, parent_id, start_ns, end_ns, failed, exception, "
    "should_resolve, became_id, connection_id, link_how, sort_index";

std::string placeholders(int count) {
  std::string text = "?";
  for (int i = 1; i < count; ++i) text += ",?";
  return text;
}

// Rows whose id the writer handed out: the columns, then the id.
std::string insert_with_id_sql(const char* table, const char* columns, int params) {
  return std::string("INSERT INTO ") + table + "(" + columns + ", id) VALUES (" +
         placeholders(params + 1) + ")";
}

std::string update_by_id_sql(const char* table, const char* columns, int params) {
  return std::string("UPDATE ") + table + " SET (" + columns + ") = (" + placeholders(params) +
         ") WHERE id = ?";
}

}  // namespace

// Each row's source and times, for the live offsets (set_live_offset).
namespace trace_writer_offsets {

int64_t source_of(const ConnectionRow& r) { return r.source_id.value_or(0); }
template <typename Row>
int64_t source_of(const Row& r) { return r.source_id; }

void shift(ConnectionRow& r, int64_t d) { r.first_ns += d, r.last_ns += d; }
void shift(PacketRow& r, int64_t d) { r.ts_ns += d; }  // its RTTs are durations
void shift(ThreadRow& r, int64_t d) {
  if (r.start_ns) *r.start_ns += d;
  if (r.end_ns) *r.end_ns += d;
}
void shift(SpanRow& r, int64_t d) { r.start_ns += d, r.end_ns += d; }
void shift(InstantRow& r, int64_t d) { r.ts_ns += d; }
void shift(CounterRow& r, int64_t d) { r.ts_ns += d; }
// A trace's own flows, between its threads (a flow to a packet is the
// joiner's, written by it on the rows' shifted times).
void shift(FlowRow& r, int64_t d) { r.from_ns += d, r.to_ns += d; }
void shift(PeriodRow& r, int64_t d) { r.start_ns += d, r.end_ns += d; }

}  // namespace trace_writer_offsets

void TraceWriter::set_live_offset(int64_t source_id, int64_t offset_ns) {
  if (offset_ns == 0) live_offsets_.erase(source_id);
  else live_offsets_[source_id] = offset_ns;
}

template <typename Row>
void TraceWriter::apply_live_offset(Row& row) const {
  if (live_offsets_.empty()) return;  // every ingest, and most collections
  auto it = live_offsets_.find(trace_writer_offsets::source_of(row));
  if (it != live_offsets_.end()) trace_writer_offsets::shift(row, it->second);
}

template <typename Row>
void TraceWriter::apply_live_offsets(std::vector<Row>& rows) const {
  if (live_offsets_.empty()) return;
  for (Row& row : rows) apply_live_offset(row);
}

template <typename Row>
void TraceWriter::queue_by_id(const char* key, const std::string& sql, const Row& row,
                              int (*bind_columns)(Statement&, const Row&)) {
  queue_.push([this, key, &sql, row = Row(row), bind_columns]() mutable {
    apply_live_offset(row);
    Statement& s = statement(key, sql);
    s.bind(bind_columns(s, row), row.id);
    s.run();
  });
}


int64_t TraceWriter::insert_thread(ThreadRow& row) {
  static const std::string sql = insert_with_id_sql("threads", kThreadColumns, 14);
  if (!ids_loaded_) load_next_ids();
  row.id = next_thread_id_++;
  ++shown_rows_;
  queue_by_id("thread_insert", sql, row, bind_thread);
  return row.id;
}

void TraceWriter::update_thread(const ThreadRow& row) {
  static const std::string sql = update_by_id_sql("threads", kThreadColumns, 14);
  queue_by_id("thread_update", sql, row, bind_thread);
}

// The tables that take rows in bulk: each is written kRowsPerInsert rows per
// INSERT statement, which spreads SQLite's per-statement cost (step, halt,
// reset) over many rows. Rows keep their order, so their ids are the same as
// with one INSERT per row.
//
// OR FAIL: a statement of many rows that could stop half-way on a NOT NULL
// column (ABORT, SQLite's default) gets a statement journal, a copy of every
// page it changes that existed before it: 9-15% of the writer's work (on a
// capture of many connections, each statement changes dozens of index
// pages). With FAIL nothing is journalled per statement; a failed insert
// throws, and the caller rolls the whole source (or live batch) back, so
// the rows a failed statement left are never kept.
namespace {

constexpr size_t kRowsPerInsert = 64;
// Connections (rows of 19 columns) in shorter runs: per row the shorter
// statement costs less (measured on packet rows when they were bound the
// same way: 64 rows per INSERT 232.8 M instructions, 32 227.9 M, 16 226.5 M;
// JSON spans unchanged at 64; bench/RESULTS.md, pcap10).
constexpr size_t kConnectionRowsPerInsert = 16;

std::string insert_sql(const char* table, const char* columns, int params, size_t rows) {
  std::string one = "(" + placeholders(params) + ")";
  std::string sql =
      std::string("INSERT OR FAIL INTO ") + table + "(" + columns + ") VALUES " + one;
  for (size_t i = 1; i < rows; ++i) sql += "," + one;
  return sql;
}

}  // namespace

template <typename Row>
struct BulkTable {
  BulkTable(const char* table, const char* columns, int params,
            void (*bind_row)(BindOnChange&, int first, const Row&),
            size_t rows_per_insert = kRowsPerInsert)
      : params(params),
        rows_per_insert(rows_per_insert),
        bind(bind_row),
        bulk_key(std::string(table) + "_bulk"),
        one_key(std::string(table) + "_one"),
        bulk_sql(insert_sql(table, columns, params, rows_per_insert)),
        one_sql(insert_sql(table, columns, params, 1)) {}
  int params;
  size_t rows_per_insert;
  void (*bind)(BindOnChange&, int first, const Row&);
  // Built once: the statements' cache keys and SQL, rows_per_insert rows or one.
  std::string bulk_key, one_key, bulk_sql, one_sql;
};

namespace {

void bind_optional_text(Statement& s, int index, const std::optional<std::string>& text) {
  if (text) s.bind(index, *text);
  else s.bind(index, std::nullopt);
}

void bind_optional_text(BindOnChange& s, int index, const std::optional<std::string>& text) {
  s.bind(index, text);
}

void bind_span(BindOnChange& s, int first, const SpanRow& r) {
  int i = first;
  s.bind(i++, r.thread_id).bind(i++, r.start_ns).bind(i++, r.end_ns).bind(i++, r.depth);
  s.bind(i++, r.kind).bind(i++, r.name);
  bind_optional_text(s, i++, r.args_json);
}

void bind_instant(BindOnChange& s, int first, const InstantRow& r) {
  int i = first;
  s.bind(i++, r.thread_id).bind(i++, r.source_id).bind(i++, r.ts_ns).bind(i++, r.kind);
  s.bind(i++, r.name);
  bind_optional_text(s, i++, r.args_json);
}

void bind_counter(BindOnChange& s, int first, const CounterRow& r) {
  int i = first;
  s.bind(i++, r.thread_id).bind(i++, r.source_id).bind(i++, r.name).bind(i++, r.ts_ns);
  s.bind(i++, r.value);
}

void bind_flow(BindOnChange& s, int first, const FlowRow& r) {
  int i = first;
  s.bind(i++, r.kind).bind(i++, r.from_thread).bind(i++, r.from_ns).bind(i++, r.to_thread);
  s.bind(i++, r.to_ns).bind(i++, r.packet_id);
}

// A connection's columns and then its id (the writer hands ids out:
// claim_connection_id), bound from `first`.
void bind_connection_bulk(BindOnChange& s, int first, const ConnectionRow& r) {
  s.bind(bind_connection_columns(s, first, r), r.id);
}

// Connections in bulk too: a capture of many connections inserts them all
// at its end, and one queued job and one INSERT per row cost 2,000 hand-
// overs to the writer thread and 5% of its work (bench/RESULTS.md, pcap10).
const std::string kConnectionBulkColumns = std::string(kConnectionColumns) + ", id";
const BulkTable<ConnectionRow> kConnections{"connections", kConnectionBulkColumns.c_str(), 19,
                                            bind_connection_bulk, kConnectionRowsPerInsert};

constexpr const char* kPacketColumns =
    "source_id, frame, connection_id, ts_ns, dir, seq, ack, payload_len, tcp_flags, window, "
    "wire_len, analysis, dup_ack_num, dup_ack_frame, rtt_ns, ts_rtt_ns, sender_thread, "
    "receiver_thread";
// Queued like the others, written otherwise: write_packet_rows.
const BulkTable<PacketRow> kPackets{"packets", kPacketColumns, 18, nullptr};
const BulkTable<SpanRow> kSpans{"spans",
                                "thread_id, start_ns, end_ns, depth, kind, name, args_json", 7,
                                bind_span};
const BulkTable<InstantRow> kInstants{"instants",
                                      "thread_id, source_id, ts_ns, kind, name, args_json", 6,
                                      bind_instant};
const BulkTable<CounterRow> kCounters{"counters", "thread_id, source_id, name, ts_ns, value", 5,
                                      bind_counter};
const BulkTable<FlowRow> kFlows{"flows", "kind, from_thread, from_ns, to_thread, to_ns, packet_id",
                                6, bind_flow};

}  // namespace

template <typename Row>
void TraceWriter::add_row(std::vector<Row>& pending, const BulkTable<Row>& table, Row row) {
  pending.push_back(std::move(row));
  if (pending.size() >= kRowsPerJob) queue_rows(pending, table);
}

template <typename Row>
void TraceWriter::queue_rows(std::vector<Row>& pending, const BulkTable<Row>& table) {
  if (pending.empty()) return;
  auto& spares = std::get<SpareRowBatches<Row>>(spare_batches_);
  std::vector<Row> rows = spares.take(kRowsPerJob);
  rows.swap(pending);
  queue_.push([this, &table, &spares, rows = std::move(rows)]() mutable {
    apply_live_offsets(rows);
    write_rows(table, rows);
    spares.give_back(std::move(rows));
  });
}

namespace {

// The packet columns that may be NULL, in kPacketColumns' order after the
// twelve that never are.
constexpr std::array<const char*, 6> kNullablePacketColumns = {
    "dup_ack_num", "dup_ack_frame", "rtt_ns", "ts_rtt_ns", "sender_thread", "receiver_thread"};
constexpr const char* kPacketColumnsNeverNull =
    "source_id, frame, connection_id, ts_ns, dir, seq, ack, payload_len, tcp_flags, window, "
    "wire_len, analysis";

// Bit i set: some row of the job has kNullablePacketColumns[i]. Bit
// kOneSourceBit set: every row of the job has the first row's source.
constexpr unsigned kOneSourceBit = 1u << kNullablePacketColumns.size();

unsigned packet_job_shape(const std::vector<PacketRow>& rows) {
  unsigned used = 0;
  bool one_source = !rows.empty();
  for (const PacketRow& r : rows) {
    used |= (r.dup_ack_num ? 1u : 0u) | (r.dup_ack_frame ? 2u : 0u) | (r.rtt_ns ? 4u : 0u) |
            (r.ts_rtt_ns ? 8u : 0u) | (r.sender_thread ? 16u : 0u) | (r.receiver_thread ? 32u : 0u);
    one_source = one_source && r.source_id == rows.front().source_id;
  }
  return used | (one_source ? kOneSourceBit : 0u);
}

// A job of one source (any but a live batch of several senders) gives its
// source as the parameter ?2, read once per statement, not per row (each
// column read from lurk_packet_batch costs SQLite ~100 instructions a row).
std::string packet_insert_sql(unsigned shape) {
  std::string columns = kPacketColumnsNeverNull;
  for (size_t i = 0; i < kNullablePacketColumns.size(); ++i)
    if (shape & (1u << i)) columns += std::string(", ") + kNullablePacketColumns[i];
  std::string read = columns;
  if (shape & kOneSourceBit) read = "?2" + read.substr(std::string("source_id").size());
  return "INSERT OR FAIL INTO packets(" + columns + ") SELECT " + read +
         " FROM lurk_packet_batch(?1)";
}

}  // namespace

// One INSERT per job: SQLite reads the rows from the job's vector through
// lurk_packet_batch (storage/packet_batch_table.h) in file order, so their
// ids are what one INSERT per row would give them. The nullable columns
// that no row of the job fills are left out of it (NULL, as they would be
// read): each column read costs SQLite ~100 instructions a row (the VColumn
// call, a copy, the affinity); a capture never fills the traced segments'
// threads, and a job without loss no duplicate-ACK pair (bench/RESULTS.md,
// writer13: -2.9% on the writer thread of a 3,000-connection capture).
void TraceWriter::write_packet_rows(const std::vector<PacketRow>& rows) {
  unsigned shape = packet_job_shape(rows);
  // packet_inserts_ holds the statements of one-source jobs (all of an
  // ingest's); a job of several senders' rows builds its key.
  Statement* insert = nullptr;
  if (shape & kOneSourceBit) {
    Statement*& cached = packet_inserts_[shape & ~kOneSourceBit];
    if (!cached) cached = &statement("packets_batch_" + std::to_string(shape), packet_insert_sql(shape));
    insert = cached;
  } else {
    insert = &statement("packets_batch_" + std::to_string(shape), packet_insert_sql(shape));
  }
  PacketBatch batch{rows.data(), rows.size()};
  // Reset (the pointer cleared with the bindings) also when the step throws:
  // a statement left halted with a dead pointer bound would fail the next
  // bind with SQLITE_MISUSE, hiding the first error.
  struct ResetOnExit {
    Statement& statement;
    ~ResetOnExit() { statement.reset(); }
  } reset_on_exit{*insert};
  insert->bind_pointer(1, &batch, kPacketBatchPointerType);
  if (shape & kOneSourceBit) insert->bind(2, rows.front().source_id);
  insert->step();
}

template <typename Row>
void TraceWriter::write_rows(const BulkTable<Row>& table, const std::vector<Row>& rows) {
  if constexpr (std::is_same_v<Row, PacketRow>) {
    write_packet_rows(rows);
    return;
  }
  size_t done = 0, run = table.rows_per_insert;
  if (rows.size() >= run) {
    BindOnChange& bulk = bulk_statement(table.bulk_key, table.bulk_sql);
    for (; done + run <= rows.size(); done += run) {
      for (size_t row = 0; row < run; ++row)
        table.bind(bulk, 1 + int(row) * table.params, rows[done + row]);
      bulk.run();
    }
  }
  write_rows_one_by_one(table, rows, done);
}

template <typename Row>
void TraceWriter::write_rows_one_by_one(const BulkTable<Row>& table, const std::vector<Row>& rows,
                                        size_t from) {
  if (from == rows.size()) return;
  BindOnChange& single = bulk_statement(table.one_key, table.one_sql);
  for (size_t i = from; i < rows.size(); ++i) {
    table.bind(single, 1, rows[i]);
    single.run();
  }
}

void TraceWriter::queue_pending_rows() {
  queue_rows(pending_connections_, kConnections);
  queue_capture_findings();
  queue_rows(pending_packets_, kPackets);
  queue_rows(pending_spans_, kSpans);
  queue_rows(pending_instants_, kInstants);
  queue_rows(pending_counters_, kCounters);
  queue_rows(pending_flows_, kFlows);
}

int64_t TraceWriter::insert_connection(ConnectionRow& row) {
  if (!ids_loaded_) load_next_ids();
  row.id = next_connection_id_++;
  add_row(pending_connections_, kConnections, row);
  return row.id;
}

int64_t TraceWriter::claim_connection_id() {
  if (!ids_loaded_) load_next_ids();
  return next_connection_id_++;
}

void TraceWriter::insert_claimed_connection(const ConnectionRow& row) {
  add_row(pending_connections_, kConnections, row);
}

void TraceWriter::update_connection(const ConnectionRow& row) {
  static const std::string sql = update_by_id_sql("connections", kConnectionColumns, 18);
  queue_rows(pending_connections_, kConnections);  // the row's insert runs first
  queue_by_id("connection_update", sql, row, bind_connection);
}

void TraceWriter::insert_packet(const PacketRow& row) {
  ++shown_rows_;
  add_row(pending_packets_, kPackets, row);
}
void TraceWriter::insert_span(const SpanRow& row) {
  SpanRow copy = row;
  copy.source_id = source_id_;
  lane_facts_.add_span(copy);
  add_row(pending_spans_, kSpans, std::move(copy));
}
// Every instant and counter carries its source, global ones included, so
// that a source's times can be shifted as one (join/clock_alignment).
void TraceWriter::insert_instant(const InstantRow& row) {
  InstantRow copy = row;
  copy.source_id = source_id_;
  ++shown_rows_;
  lane_facts_.add_instant(copy.source_id, copy.ts_ns);
  add_row(pending_instants_, kInstants, std::move(copy));
}
void TraceWriter::insert_counter(const CounterRow& row) {
  CounterRow copy = row;
  copy.source_id = source_id_;
  ++shown_rows_;
  lane_facts_.add_counter(copy);
  add_row(pending_counters_, kCounters, std::move(copy));
}
void TraceWriter::insert_flow(const FlowRow& row) {
  FlowRow copy = row;
  copy.source_id = source_id_;
  lane_facts_.add_flow();
  add_row(pending_flows_, kFlows, std::move(copy));
}

void TraceWriter::insert_period(const PeriodRow& r) {
  lane_facts_.add_period(r);
  queue_.push([this, r = PeriodRow(r)]() mutable {
    apply_live_offset(r);
    Statement& s = statement(
        "period_insert", "INSERT INTO periods(source_id, kind, start_ns, end_ns) VALUES (?,?,?,?)");
    s.bind(1, r.source_id).bind(2, r.kind).bind(3, r.start_ns).bind(4, r.end_ns);
    s.run();
  });
}

void TraceWriter::insert_finding(const FindingRow& r) {
  queue_.push([this, r] {
    Statement& s = statement(
        "finding_insert",
        "INSERT INTO findings(kind, severity, title, detail, connection_id, thread_id, ts_ns, "
        "duration_ns) VALUES (?,?,?,?,?,?,?,?)");
    s.bind(1, r.kind).bind(2, r.severity).bind(3, r.title);
    bind_optional_text(s, 4, r.detail);
    s.bind(5, r.connection_id).bind(6, r.thread_id).bind(7, r.ts_ns).bind(8, r.duration_ns);
    s.run();
  });
}

// Queued together, one job per kRowsPerJob (or per flush): a capture's
// findings come at its end, one per stalled or troubled connection, and a
// job each woke the writer thread hundreds of times (bench/RESULTS.md, pcap10).
void TraceWriter::insert_capture_finding(int64_t source_id, const FindingRow& r) {
  pending_capture_findings_.push_back({source_id, r});
  if (pending_capture_findings_.size() >= kRowsPerJob) queue_capture_findings();
}

void TraceWriter::queue_capture_findings() {
  if (pending_capture_findings_.empty()) return;
  std::vector<CaptureFinding> rows;
  rows.swap(pending_capture_findings_);
  queue_.push([this, rows = std::move(rows)] {
    Statement& s = statement(
        "capture_finding_insert",
        "INSERT INTO capture_findings(source_id, kind, severity, title, detail, connection_id, "
        "ts_ns, duration_ns) VALUES (?,?,?,?,?,?,?,?)");
    for (const auto& [source_id, r] : rows) {
      s.bind(1, source_id).bind(2, r.kind).bind(3, r.severity).bind(4, r.title);
      bind_optional_text(s, 5, r.detail);
      std::optional<int64_t> ts = r.ts_ns;
      if (auto offset = live_offsets_.find(source_id); ts && offset != live_offsets_.end())
        *ts += offset->second;
      s.bind(6, r.connection_id).bind(7, ts).bind(8, r.duration_ns);
      s.run();
    }
  });
}

void TraceWriter::insert_source_counter(const SourceCounterRow& r) {
  queue_.push([this, r] {
    Statement& s = statement(
        "source_counter_insert",
        "INSERT INTO source_counters(source_id, name, value) VALUES (?,?,?)");
    s.bind(1, r.source_id).bind(2, r.name).bind(3, r.value);
    s.run();
  });
}

void TraceWriter::insert_ingest_error(const IngestErrorRow& r) {
  queue_.push([this, r] {
    Statement& s = statement("error_insert",
                             "INSERT INTO ingest_errors(source_id, byte_offset, line, kind, "
                             "message) VALUES (?,?,?,?,?)");
    s.bind(1, r.source_id).bind(2, r.byte_offset).bind(3, r.line).bind(4, r.kind);
    s.bind(5, r.message);
    s.run();
  });
}

void TraceWriter::insert_comment(int64_t source_id, std::string_view scope,
                                 std::optional<int64_t> frame, std::optional<int64_t> interface,
                                 std::string_view text) {
  queue_.push([this, source_id, scope = std::string(scope), frame, interface,
               text = std::string(text)] {
    Statement& s = statement(
        "comment_insert",
        "INSERT INTO comments(source_id, scope, frame, interface, text) VALUES (?,?,?,?,?)");
    s.bind(1, source_id).bind(2, scope).bind(3, frame).bind(4, interface).bind(5, text);
    s.run();
  });
}

}  // namespace lurk
