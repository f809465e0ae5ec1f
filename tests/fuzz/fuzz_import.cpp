// The shared body of the per-importer fuzz targets (fuzz_import.h).
#include "fuzz_import.h"

#include "ingest/ingest.h"
#include "storage/sqlite_handle.h"

namespace lurk::fuzz {

void import_into_memory(const Importer& importer, const uint8_t* data, size_t size) {
  Database db(":memory:", Database::Mode::ReadWriteCreate);
  ingest_buffer_as(db, importer, "fuzz-input", data, size);
}

}  // namespace lurk::fuzz
