// What every per-importer fuzz target does with its bytes: ingest them with
// that one importer (no sniffing) into a fresh in-memory profile, with the
// TCP analysis and the whole-profile passes (clocks, joins, findings) on, as
// `lurk ingest` does. Damage must come back as ingest_errors rows; a crash,
// a sanitizer report or an exception escaping is a bug.
#pragma once

#include <cstddef>
#include <cstdint>

#include <memory>

namespace lurk {
class Database;
class Importer;
}

namespace lurk::fuzz {

// A fresh in-memory profile holding the empty schema: a copy of one made once
// per process (sqlite3_deserialize), because creating the schema's tables and
// indexes was three quarters of every execution's instructions.
std::unique_ptr<Database> empty_profile_in_memory();

void import_into_memory(const Importer& importer, const uint8_t* data, size_t size);

}  // namespace lurk::fuzz
