// The anonymisation options `lurk export` and `lurk ingest` share
// (docs/sharing.md): --anonymize, --keep-text, --map-ports, --key HEX,
// --key-file FILE; and turning them into the core's AnonymizeOptions.
#pragma once

#include <optional>
#include <string>

#include "export/anonymizer.h"

namespace CLI {
class App;
}

namespace lurk::cli {

struct AnonymizeFlags {
  bool anonymize = false, keep_text = false, map_ports = false;
  std::string key_hex, key_file;
};

// Adds the options to `cmd`; the others require --anonymize.
void add_anonymize_options(CLI::App* cmd, AnonymizeFlags& flags);

// nullopt when --anonymize was not given. Throws std::runtime_error naming
// the option when the key is malformed or the key file unreadable. Without
// --key/--key-file the key is random (and printed nowhere).
std::optional<AnonymizeOptions> anonymize_options(const AnonymizeFlags& flags);

}  // namespace lurk::cli
