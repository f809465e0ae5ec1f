// libFuzzer target: arbitrary bytes as a file dropped on the page, through
// ingest_buffer (the sniffers pick the importer, or refuse the bytes with a
// message) into an in-memory profile. This is the browser's path.
#include <cstddef>
#include <cstdint>

#include "fuzz_import.h"
#include "ingest/ingest.h"
#include "storage/sqlite_handle.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  auto db = lurk::fuzz::empty_profile_in_memory();
  lurk::SourceOutcome outcome = lurk::ingest_buffer(*db, "dropped-file", data, size);
  // A refused input must say why: the page shows this message.
  if (outcome.status == lurk::SourceOutcome::Status::Rejected && outcome.messages.empty())
    __builtin_trap();
  return 0;
}
