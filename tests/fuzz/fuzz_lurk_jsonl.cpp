// libFuzzer target: arbitrary bytes through the lurk_jsonl importer into an
// in-memory profile, analysis on (fuzz_import.h). Seeds: scripts/fuzz-seeds.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz_import.h"
#include "importers/lurk_jsonl_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const lurk::LurkJsonlImporter importer;
  lurk::fuzz::import_into_memory(importer, data, size);
  return 0;
}
