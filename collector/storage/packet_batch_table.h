// lurk_packet_batch: a virtual table (SQLite's table-valued function shape)
// over the packet rows of one write job, so that one
//   INSERT OR FAIL INTO packets(...) SELECT ... FROM lurk_packet_batch(?)
// writes them all, SQLite reading each value straight from the PacketRow
// (xColumn) instead of the writer binding 14-18 parameters per row in
// statements of 16 rows. The batch is passed as a pointer parameter
// (sqlite3_bind_pointer, the carray extension's way), so the module keeps no
// state: any statement names its own batch, and a connection that never
// binds one (lurk query on a profile) sees an empty table.
//
// Why: binding was a quarter of the writer thread's work on a capture of many
// connections, and the writer is the critical path of a pcap ingest
// (bench/RESULTS.md, pcap12).
#pragma once

#include <cstddef>

#include "storage/rows.h"

struct sqlite3;

namespace lurk {

// One job's rows, in the order their ids are to be given (file order).
struct PacketBatch {
  const PacketRow* rows = nullptr;
  size_t count = 0;
};

// The pointer type sqlite3_bind_pointer must name for the batch parameter.
inline constexpr const char* kPacketBatchPointerType = "lurk_packet_batch";

// Makes lurk_packet_batch(BATCH) known to `db`; throws StorageError when
// SQLite refuses. Registering again (another writer on the same connection)
// replaces the module with the same one.
void register_packet_batch_table(sqlite3* db);

}  // namespace lurk
