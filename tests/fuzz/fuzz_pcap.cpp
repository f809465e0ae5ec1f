// libFuzzer target: arbitrary bytes through the pcap importer into an
// in-memory profile, analysis on (fuzz_import.h). Seeds: scripts/fuzz-seeds.sh.
#include <cstddef>
#include <cstdint>

#include "fuzz_import.h"
#include "importers/pcap_importer.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const lurk::PcapImporter importer;
  lurk::fuzz::import_into_memory(importer, data, size);
  return 0;
}
