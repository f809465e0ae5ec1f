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
      "  reader_state    TEXT,\n"
      "  PRIMARY KEY (stream_id, source_id)\n"
      ")");
  // reader_state (schema version 4) came with the writer's upgrade of the file.
  Statement s = db.prepare(
      "SELECT stream_id, source_id, first_byte, committed_bytes, reader_state FROM live_streams "
      "ORDER BY stream_id, committed_bytes, source_id");
  while (s.step()) {
    StreamMark m{s.column_text(0), s.column_int(1), s.column_int(2), s.column_int(3), {}};
    if (!s.column_is_null(4)) m.reader_state = s.column_text(4);
    last_[m.stream_id] = std::move(m);  // the furthest part comes last
  }
}

int64_t StreamLedger::committed(const std::string& stream_id) const {
  auto it = last_.find(stream_id);
  return it == last_.end() ? 0 : it->second.committed_bytes;
}

std::optional<StreamMark> StreamLedger::last_part(const std::string& stream_id) const {
  auto it = last_.find(stream_id);
  if (it == last_.end()) return std::nullopt;
  return it->second;
}

bool StreamLedger::connect(const std::string& stream_id) {
  return connected_.insert(stream_id).second;
}

void StreamLedger::disconnect(const std::string& stream_id) { connected_.erase(stream_id); }

void StreamLedger::record(Database& db, const std::vector<StreamMark>& marks) {
  if (marks.empty()) return;
  Statement upsert = db.prepare(
      "INSERT INTO live_streams(stream_id, source_id, first_byte, committed_bytes, "
      "reader_state) VALUES (?, ?, ?, ?, ?) ON CONFLICT(stream_id, source_id) "
      "DO UPDATE SET committed_bytes = excluded.committed_bytes, "
      "reader_state = excluded.reader_state");
  for (const StreamMark& m : marks) {
    upsert.bind(1, std::string_view(m.stream_id)).bind(2, m.source_id);
    upsert.bind(3, m.first_byte).bind(4, m.committed_bytes);
    if (m.reader_state) upsert.bind(5, std::string_view(*m.reader_state));
    else upsert.bind(5, std::nullopt);
    upsert.run();
  }
}

void StreamLedger::remember(const std::vector<StreamMark>& marks) {
  for (const StreamMark& m : marks) {
    auto known = last_.find(m.stream_id);
    if (known == last_.end() || known->second.committed_bytes <= m.committed_bytes)
      last_[m.stream_id] = m;
  }
}

}  // namespace lurk::live
