// How much of each named stream a profile holds: see stream_ledger.h.
#include "live/stream_ledger.h"

#include <algorithm>

#include "storage/sqlite_handle.h"

namespace lurk::live {

void StreamLedger::load(Database& db) {
  // As in schema/lurk_v1.sql: a profile made before the table existed gets it here.
  db.exec(
      "CREATE TABLE IF NOT EXISTS live_streams (\n"
      "  stream_id       TEXT NOT NULL,\n"
      "  source_id       INTEGER NOT NULL REFERENCES sources(id),\n"
      "  first_byte      INTEGER NOT NULL,\n"
      "  committed_bytes INTEGER NOT NULL,\n"
      "  PRIMARY KEY (stream_id, source_id)\n"
      ")");
  Statement s = db.prepare("SELECT stream_id, max(committed_bytes) FROM live_streams GROUP BY 1");
  while (s.step()) committed_[s.column_text(0)] = s.column_int(1);
}

int64_t StreamLedger::committed(const std::string& stream_id) const {
  auto it = committed_.find(stream_id);
  return it == committed_.end() ? 0 : it->second;
}

bool StreamLedger::connect(const std::string& stream_id) {
  return connected_.insert(stream_id).second;
}

void StreamLedger::disconnect(const std::string& stream_id) { connected_.erase(stream_id); }

void StreamLedger::record(Database& db, const std::vector<StreamMark>& marks) {
  if (marks.empty()) return;
  Statement upsert = db.prepare(
      "INSERT INTO live_streams(stream_id, source_id, first_byte, committed_bytes) "
      "VALUES (?, ?, ?, ?) ON CONFLICT(stream_id, source_id) "
      "DO UPDATE SET committed_bytes = excluded.committed_bytes");
  for (const StreamMark& m : marks) {
    upsert.bind(1, std::string_view(m.stream_id)).bind(2, m.source_id);
    upsert.bind(3, m.first_byte).bind(4, m.committed_bytes);
    upsert.run();
    int64_t& known = committed_[m.stream_id];
    known = std::max(known, m.committed_bytes);
  }
}

}  // namespace lurk::live
