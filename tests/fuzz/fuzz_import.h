// What every per-importer fuzz target does with its bytes: ingest them with
// that one importer (no sniffing) into a fresh in-memory profile, with the
// TCP analysis and the whole-profile passes (clocks, joins, findings) on, as
// `lurk ingest` does. Damage must come back as ingest_errors rows; a crash,
// a sanitizer report or an exception escaping is a bug.
#pragma once

#include <cstddef>
#include <cstdint>

namespace lurk {
class Importer;
}

namespace lurk::fuzz {

void import_into_memory(const Importer& importer, const uint8_t* data, size_t size);

}  // namespace lurk::fuzz
