// The one place that writes rows into a .lurk file. Trackers call it; no
// importer touches SQL. Each source is ingested in one savepoint so that a
// failed or killed ingest leaves the file as it was before (lurk ingest nests
// it in one transaction for the whole run, analysis included: ingest.h).
//
// Inside a source (begin_source .. commit_source) the rows are written behind
// the caller's back: queued, batched many rows per INSERT, and run on a
// background thread (WriteBehindQueue), while the importer goes on reading.
// Ids the caller needs at once (connections, threads, strings) are handed out
// here, from the table's largest id, and written with the row. Methods that
// read the file (and db()) first wait for every queued row.
#pragma once

#include <array>
#include <atomic>
#include <exception>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <tuple>
#include <unordered_map>
#include <vector>

#include "storage/bind_on_change.h"
#include "storage/lane_facts.h"
#include "storage/rows.h"
#include "storage/spare_row_batches.h"
#include "storage/sqlite_handle.h"
#include "storage/write_behind.h"

namespace lurk {

template <typename Row>
struct BulkTable;  // a table written in bulk (trace_writer.cpp)

class TraceWriter {
 public:
  // Applies or checks the schema (see ensure_schema).
  explicit TraceWriter(Database& db);
  ~TraceWriter();

  // The file, with every row queued so far written (packets are batched).
  Database& db();

  bool has_source_with_hash(std::string_view content_hash);
  // Whether a source of exactly this size is in the file: only then can a new
  // input be one already ingested, so only then is it hashed before import.
  bool has_source_with_size(int64_t size_bytes);
  // Starts the source's savepoint and inserts its row; returns its id.
  int64_t begin_source(SourceRow& source);
  // Updates the source's counts and content hash (which may have been taken
  // while importing) and releases its savepoint: what was written since begin
  // is kept (committed, unless the caller holds a transaction around it).
  void commit_source(const SourceRow& source);
  // Drops everything written since begin_source.
  void rollback_source();

  // Rows the UI shows (packets, threads, instants, counters) written for the
  // source begun last: 0 means the input yielded nothing to show.
  int64_t shown_rows() const { return shown_rows_; }

  // Live collect (collector/live/, docs/live.md): several sources written at
  // once, their rows committed in batches, each batch one transaction, so a
  // killed collector leaves every batch committed before it. begin_live()
  // opens the first batch; add_live_source() adds a source to it at any time
  // (the row goes in with status 'partial' until commit_batch says more);
  // use_source() says whose rows come next (instants and counters carry it).
  // `under_lock` runs once the write lock is held and before the writer's
  // thread takes the connection: what it reads of the profile (the live
  // analysis's start: the captures, connections, findings, the stream
  // ledger) no other writer can change until the collector lets it go.
  void begin_live(const std::function<void()>& under_lock = {});
  int64_t add_live_source(SourceRow& source);
  void use_source(int64_t source_id) { source_id_ = source_id; }
  // Writes every queued row and the sources' counts, commits, and (unless
  // `last`) opens the next batch. Returns when the batch is in the file.
  // `in_batch` runs once the rows are written, before COMMIT (the writer
  // idle): what it writes (the live analysis) commits with the batch.
  void commit_batch(const std::vector<const SourceRow*>& sources, bool last = false,
                    const std::function<void()>& in_batch = nullptr);
  // The same end of a batch, queued to the writer's thread as one job
  // behind the batch's rows: returns at once (unless `last`: then when the
  // batch is in the file), so the caller reads the next batch's input while
  // the writer commits this one. `in_batch` runs on the writer's thread and
  // must touch nothing but the file and what it owns (what it needs of the
  // caller's state: copied into it). `finished` runs there too, once, after
  // COMMIT (and the next BEGIN), or with the error that failed the batch
  // (which also throws at the caller's next row or sync).
  void queue_commit_batch(std::vector<SourceRow> sources, bool last,
                          std::function<void()> in_batch,
                          std::function<void(std::exception_ptr)> finished);
  // Waits for every queued row and batch end (rethrows a failed one's error).
  void wait_for_writer() { sync(); }
  bool live() const { return live_; }
  // Live collect: a source on a clock of its own got its offset while
  // collecting (live/live_clock_offsets.h). Every row of it the writer
  // writes from now on (new rows and rows written again from the trackers'
  // state: a thread's end, a connection's counts) has offset_ns added to
  // its times, here, the one place they are bound; the rows written before
  // are the caller's to shift (shift_source_times). On the writer's thread
  // only (a batch's in_batch job): the jobs queued behind it apply it,
  // those before it were written on the old offset.
  void set_live_offset(int64_t source_id, int64_t offset_ns);

  // The per-lane facts gathered from the rows given since the last commit
  // (lane_facts.h); written with them by commit_source and each batch.
  LaneFacts& lane_facts() { return lane_facts_; }

  // Interned text: the same text always gets the same id within a file.
  int64_t intern(std::string_view text);

  int64_t insert_connection(ConnectionRow& row);
  void update_connection(const ConnectionRow& row);
  // A connection's id now, its row later: the connection tracker writes a
  // row once, with its counts as of the next flush or the end, instead of
  // an insert now and an update then (insert_claimed_connection).
  int64_t claim_connection_id();
  void insert_claimed_connection(const ConnectionRow& row);
  // Queued; written in batches, at the latest by db() or commit_source.
  void insert_packet(const PacketRow& row);
  int64_t insert_thread(ThreadRow& row);
  void update_thread(const ThreadRow& row);
  void insert_span(const SpanRow& row);
  void insert_instant(const InstantRow& row);
  void insert_flow(const FlowRow& row);
  void insert_counter(const CounterRow& row);
  void insert_period(const PeriodRow& row);
  void insert_finding(const FindingRow& row);
  // A finding a capture's own packets show (table capture_findings); the
  // findings pass ranks them with the rest into `findings`.
  void insert_capture_finding(int64_t source_id, const FindingRow& row);
  void insert_ingest_error(const IngestErrorRow& row);
  // A named count about one source (table source_counters).
  void insert_source_counter(const SourceCounterRow& row);
  // A comment a capture carries (table comments): scope 'section', 'interface'
  // (with `interface`) or 'frame' (with `frame`).
  void insert_comment(int64_t source_id, std::string_view scope, std::optional<int64_t> frame,
                      std::optional<int64_t> interface, std::string_view text);

 private:
  // Lookup by key without building a std::string per call.
  struct KeyHash {
    using is_transparent = void;
    size_t operator()(std::string_view key) const { return std::hash<std::string_view>{}(key); }
  };
  // Rows queued per background job: large enough that the handover costs
  // nothing per row, small enough that memory stays flat.
  static constexpr size_t kRowsPerJob = 1024;

  Statement& statement(std::string_view key, std::string_view sql);
  // The statements of the bulk tables, which bind only what changed.
  BindOnChange& bulk_statement(std::string_view key, std::string_view sql);
  // Whether the query (one parameter, bound to `value`) finds a row.
  template <typename Value>
  bool any_row(std::string_view key, std::string_view sql, const Value& value);
  // Queues every pending row and waits until all queued work is written.
  void sync();
  void queue_pending_rows();
  // Queues the write of a row whose id is known: its columns, then its id.
  template <typename Row>
  void queue_by_id(const char* key, const std::string& sql, const Row& row,
                   int (*bind_columns)(Statement&, const Row&));
  // The live offsets (set_live_offset) added to the rows' times, in a job.
  template <typename Row>
  void apply_live_offsets(std::vector<Row>& rows) const;
  template <typename Row>
  void apply_live_offset(Row& row) const;
  template <typename Row>
  void add_row(std::vector<Row>& pending, const BulkTable<Row>& table, Row row);
  template <typename Row>
  void queue_rows(std::vector<Row>& pending, const BulkTable<Row>& table);
  template <typename Row>
  void write_rows(const BulkTable<Row>& table, const std::vector<Row>& rows);
  // Queues the capture findings gathered so far as one job.
  void queue_capture_findings();
  // A job's packets in one INSERT of the columns its rows fill.
  void write_packet_rows(const std::vector<PacketRow>& rows);
  // The tail of a job shorter than a bulk run: rows from `from` on, one
  // INSERT each (write_rows and write_packet_rows both end so).
  template <typename Row>
  void write_rows_one_by_one(const BulkTable<Row>& table, const std::vector<Row>& rows,
                             size_t from);
  // The next ids of connections, threads and strings, read once per source.
  void load_next_ids();
  void load_strings();
  void update_source_row(const SourceRow& source);

  Database& db_;
  bool in_transaction_ = false;
  bool live_ = false;
  int64_t next_source_id_ = 1;  // live: ids handed out by add_live_source
  std::unordered_map<std::string, Statement, KeyHash, std::equal_to<>> statements_;
  std::unordered_map<std::string, BindOnChange, KeyHash, std::equal_to<>> bulk_statements_;
  // write_packet_rows' INSERTs (in statements_) by the nullable columns
  // they write: a bit set over 6 columns, found without building a key.
  std::array<Statement*, 64> packet_inserts_{};
  std::vector<ConnectionRow> pending_connections_;
  struct CaptureFinding {
    int64_t source_id;
    FindingRow row;
  };
  std::vector<CaptureFinding> pending_capture_findings_;
  std::vector<PacketRow> pending_packets_;
  std::vector<SpanRow> pending_spans_;
  std::vector<InstantRow> pending_instants_;
  std::vector<CounterRow> pending_counters_;
  std::vector<FlowRow> pending_flows_;
  // Each bulk table's written batches, given back for the next (see there).
  std::tuple<SpareRowBatches<ConnectionRow>, SpareRowBatches<PacketRow>, SpareRowBatches<SpanRow>,
             SpareRowBatches<InstantRow>, SpareRowBatches<CounterRow>, SpareRowBatches<FlowRow>>
      spare_batches_;
  bool ids_loaded_ = false;
  // Atomic: `lurk collect`'s analysis claims connection ids on the writer's
  // thread while the reading thread claims them for the senders' rows.
  std::atomic<int64_t> next_connection_id_ = 1;
  int64_t next_thread_id_ = 1, next_string_id_ = 1;
  int64_t source_id_ = 0;  // the source being ingested (begin_source)
  int64_t shown_rows_ = 0;  // see shown_rows()
  bool strings_loaded_ = false;
  std::unordered_map<std::string, int64_t, KeyHash, std::equal_to<>> interned_;
  LaneFacts lane_facts_;
  // Per source: set_live_offset's offsets. Read and written on the writer's
  // thread only (in the jobs), so no lock.
  std::unordered_map<int64_t, int64_t> live_offsets_;
  // Last: destroyed first, so its thread stops before the statements go.
  WriteBehindQueue queue_;
};

}  // namespace lurk
