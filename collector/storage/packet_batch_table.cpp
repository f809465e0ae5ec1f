// lurk_packet_batch: see packet_batch_table.h.
#include "storage/packet_batch_table.h"

#include <sqlite3.h>

#include <string>

#include "storage/sqlite_handle.h"

namespace lurk {
namespace {

// The columns, in the order of PacketRow and of the packets table; then the
// hidden argument that carries the batch.
constexpr const char* kDeclaration =
    "CREATE TABLE x(source_id, frame, connection_id, ts_ns, dir, seq, ack, payload_len, "
    "tcp_flags, window, wire_len, analysis, dup_ack_num, dup_ack_frame, rtt_ns, ts_rtt_ns, "
    "sender_thread, receiver_thread, batch HIDDEN)";
constexpr int kBatchColumn = 18;

struct Cursor {
  sqlite3_vtab_cursor base;  // first: SQLite casts between the two
  PacketBatch batch;
  size_t next = 0;  // the row xColumn reads
};

int connect(sqlite3* db, void*, int, const char* const*, sqlite3_vtab** out, char**) {
  int rc = sqlite3_declare_vtab(db, kDeclaration);
  if (rc != SQLITE_OK) return rc;
  auto* table = static_cast<sqlite3_vtab*>(sqlite3_malloc(sizeof(sqlite3_vtab)));
  if (!table) return SQLITE_NOMEM;
  *table = {};
  *out = table;
  return SQLITE_OK;
}

int disconnect(sqlite3_vtab* table) {
  sqlite3_free(table);
  return SQLITE_OK;
}

// The only plan: the batch argument given (lurk_packet_batch(?)), rows in
// batch order. Without it there is nothing to read.
int best_index(sqlite3_vtab*, sqlite3_index_info* info) {
  for (int i = 0; i < info->nConstraint; ++i) {
    const auto& c = info->aConstraint[i];
    if (c.iColumn != kBatchColumn || c.op != SQLITE_INDEX_CONSTRAINT_EQ || !c.usable) continue;
    info->aConstraintUsage[i].argvIndex = 1;
    info->aConstraintUsage[i].omit = 1;
    info->idxNum = 1;
    info->estimatedCost = 1;
    return SQLITE_OK;
  }
  return SQLITE_CONSTRAINT;
}

int open(sqlite3_vtab*, sqlite3_vtab_cursor** out) {
  auto* cursor = static_cast<Cursor*>(sqlite3_malloc(sizeof(Cursor)));
  if (!cursor) return SQLITE_NOMEM;
  *cursor = {};
  *out = &cursor->base;
  return SQLITE_OK;
}

int close(sqlite3_vtab_cursor* cursor) {
  sqlite3_free(cursor);
  return SQLITE_OK;
}

// A parameter that is not a batch pointer (NULL, a number, another type's
// pointer) reads as no rows: sqlite3_value_pointer checks the type name.
int filter(sqlite3_vtab_cursor* base, int idx_num, const char*, int argc, sqlite3_value** argv) {
  auto* cursor = reinterpret_cast<Cursor*>(base);
  cursor->batch = {};
  cursor->next = 0;
  if (idx_num == 1 && argc == 1) {
    if (auto* batch = static_cast<const PacketBatch*>(
            sqlite3_value_pointer(argv[0], kPacketBatchPointerType)))
      cursor->batch = *batch;
  }
  return SQLITE_OK;
}

int next(sqlite3_vtab_cursor* base) {
  ++reinterpret_cast<Cursor*>(base)->next;
  return SQLITE_OK;
}

int eof(sqlite3_vtab_cursor* base) {
  auto* cursor = reinterpret_cast<Cursor*>(base);
  return cursor->next >= cursor->batch.count;
}

void result(sqlite3_context* ctx, int64_t value) { sqlite3_result_int64(ctx, value); }
// SQLite sets the column to NULL before asking: an absent value needs no call.
void result(sqlite3_context* ctx, const std::optional<int64_t>& value) {
  if (value) sqlite3_result_int64(ctx, *value);
}

// The values are the ones bind_packet gave the INSERT: the same integers,
// the same NULLs (so the same rows, byte for byte).
int column(sqlite3_vtab_cursor* base, sqlite3_context* ctx, int index) {
  auto* cursor = reinterpret_cast<Cursor*>(base);
  const PacketRow& r = cursor->batch.rows[cursor->next];
  switch (index) {
    case 0: result(ctx, r.source_id); break;
    case 1: result(ctx, r.frame); break;
    case 2: result(ctx, r.connection_id); break;
    case 3: result(ctx, r.ts_ns); break;
    case 4: result(ctx, r.dir); break;
    case 5: result(ctx, r.seq); break;
    case 6: result(ctx, r.ack); break;
    case 7: result(ctx, r.payload_len); break;
    case 8: result(ctx, r.tcp_flags); break;
    case 9: result(ctx, r.window); break;
    case 10: result(ctx, r.wire_len); break;
    case 11: result(ctx, static_cast<int64_t>(r.analysis)); break;
    case 12: result(ctx, r.dup_ack_num); break;
    case 13: result(ctx, r.dup_ack_frame); break;
    case 14: result(ctx, r.rtt_ns); break;
    case 15: result(ctx, r.ts_rtt_ns); break;
    case 16: result(ctx, r.sender_thread); break;
    case 17: result(ctx, r.receiver_thread); break;
    default: break;  // the hidden batch argument: not read back
  }
  return SQLITE_OK;
}

int rowid(sqlite3_vtab_cursor* base, sqlite3_int64* out) {
  *out = static_cast<sqlite3_int64>(reinterpret_cast<Cursor*>(base)->next);
  return SQLITE_OK;
}

// Eponymous only (no xCreate): it exists as lurk_packet_batch on the
// connection, never in a file's schema.
const sqlite3_module kModule = {
    /* iVersion */ 0,   /* xCreate */ nullptr, connect, best_index, disconnect,
    /* xDestroy */ nullptr, open, close, filter, next, eof, column, rowid,
    /* xUpdate */ nullptr, /* xBegin */ nullptr, /* xSync */ nullptr, /* xCommit */ nullptr,
    /* xRollback */ nullptr, /* xFindFunction */ nullptr, /* xRename */ nullptr,
    /* xSavepoint */ nullptr, /* xRelease */ nullptr, /* xRollbackTo */ nullptr,
    /* xShadowName */ nullptr};

}  // namespace

void register_packet_batch_table(sqlite3* db) {
  if (sqlite3_create_module(db, kPacketBatchPointerType, &kModule, nullptr) != SQLITE_OK)
    throw StorageError(std::string("registering lurk_packet_batch: ") + sqlite3_errmsg(db));
}

}  // namespace lurk
