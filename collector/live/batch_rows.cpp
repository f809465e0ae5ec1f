// Which rows a batch wrote: see batch_rows.h.
#include "live/batch_rows.h"

#include <cstring>
#include <utility>

#include "storage/sqlite_handle.h"

namespace lurk::live {

BatchRowLog::BatchRowLog(Database& db) : db_(db) {
  sqlite3_update_hook(db_.raw(), &BatchRowLog::on_row_written, this);
}

BatchRowLog::~BatchRowLog() { stop(); }

void BatchRowLog::stop() {
  sqlite3_update_hook(db_.raw(), nullptr, nullptr);
  rows_ = {};
}

BatchRows BatchRowLog::take() { return std::exchange(rows_, BatchRows{}); }

void BatchRowLog::on_row_written(void* self, int op, const char*, const char* table,
                                 sqlite3_int64 rowid) {
  // Called for every row the writer writes: a switch on the first letter
  // keeps the common tables (packets, spans, counters, strings) cheap.
  BatchRows& rows = static_cast<BatchRowLog*>(self)->rows_;
  if (table[0] == 'f' && std::strcmp(table, "findings") == 0) {
    ++rows.findings_written;  // inserted, updated or deleted: the live findings' cost
    return;
  }
  if (table[0] == 'f' && op == SQLITE_INSERT && std::strcmp(table, "flows") == 0) {
    rows.flows.add(rowid);  // a CTF trace's promise flows (live_trace_connections.h)
    return;
  }
  if (op == SQLITE_DELETE) return;
  switch (table[0]) {
    case 'p':
      if (op == SQLITE_INSERT && std::strcmp(table, "packets") == 0) rows.packets.add(rowid);
      break;
    case 's':
      if (op == SQLITE_INSERT && std::strcmp(table, "spans") == 0) rows.spans.add(rowid);
      break;
    case 'i':
      if (op == SQLITE_INSERT && std::strcmp(table, "instants") == 0) rows.instants.add(rowid);
      break;
    case 't':
      if (std::strcmp(table, "threads") == 0) rows.threads.insert(rowid);
      break;
    case 'c':
      if (std::strcmp(table, "connections") == 0) rows.connections.insert(rowid);
      else if (op == SQLITE_INSERT && std::strcmp(table, "capture_findings") == 0)
        rows.capture_findings.add(rowid);
      break;
    default:
      break;
  }
}

}  // namespace lurk::live
