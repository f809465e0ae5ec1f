// The shared body of the fuzz targets (fuzz_import.h).
#include "fuzz_import.h"

#include <sqlite3.h>

#include <cstring>
#include <stdexcept>

#include "ingest/ingest.h"
#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk::fuzz {
namespace {

// The empty schema's database image, made on first use.
const std::basic_string<unsigned char>& empty_profile_image() {
  static const std::basic_string<unsigned char> image = [] {
    Database db(":memory:", Database::Mode::ReadWriteCreate);
    ensure_schema(db);
    sqlite3_int64 size = 0;
    unsigned char* bytes = sqlite3_serialize(db.raw(), "main", &size, 0);
    if (!bytes) throw std::runtime_error("fuzz: sqlite3_serialize of the empty profile failed");
    std::basic_string<unsigned char> copy(bytes, static_cast<size_t>(size));
    sqlite3_free(bytes);
    return copy;
  }();
  return image;
}

}  // namespace

std::unique_ptr<Database> empty_profile_in_memory() {
  const auto& image = empty_profile_image();
  auto db = std::make_unique<Database>(":memory:", Database::Mode::ReadWriteCreate);
  // SQLite owns (and may grow) the copy: FREEONCLOSE | RESIZEABLE.
  auto* bytes = static_cast<unsigned char*>(sqlite3_malloc64(image.size()));
  if (!bytes) throw std::runtime_error("fuzz: out of memory for the empty profile");
  std::memcpy(bytes, image.data(), image.size());
  int rc = sqlite3_deserialize(db->raw(), "main", bytes, static_cast<sqlite3_int64>(image.size()),
                               static_cast<sqlite3_int64>(image.size()),
                               SQLITE_DESERIALIZE_FREEONCLOSE | SQLITE_DESERIALIZE_RESIZEABLE);
  if (rc != SQLITE_OK) throw std::runtime_error("fuzz: sqlite3_deserialize failed");
  return db;
}

void import_into_memory(const Importer& importer, const uint8_t* data, size_t size) {
  auto db = empty_profile_in_memory();
  ingest_buffer_as(*db, importer, "fuzz-input", data, size);
}

}  // namespace lurk::fuzz
