// Anonymisation options of the CLI: see anonymize_options.h.
#include "cli/anonymize_options.h"

#include <CLI/CLI.hpp>

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "export/anon_key.h"

namespace lurk::cli {

void add_anonymize_options(CLI::App* cmd, AnonymizeFlags& flags) {
  auto* anonymize = cmd->add_flag(
      "--anonymize", flags.anonymize,
      "map addresses prefix-preserving, drop payload-bearing and free text (docs/sharing.md)");
  cmd->add_flag("--keep-text", flags.keep_text,
                "keep exception, label and log text, comments and argument strings "
                "(addresses in them are still mapped)")
      ->needs(anonymize);
  cmd->add_flag("--map-ports", flags.map_ports, "also map ports (a keyed permutation)")
      ->needs(anonymize);
  auto* key = cmd->add_option("--key", flags.key_hex,
                              "128-bit key as 32 hex digits: the same key maps the same "
                              "address the same way in every export (default: random)")
                  ->needs(anonymize);
  cmd->add_option("--key-file", flags.key_file, "read the key (32 hex digits) from FILE")
      ->needs(anonymize)
      ->excludes(key)
      ->check(CLI::ExistingFile);
}

std::optional<AnonymizeOptions> anonymize_options(const AnonymizeFlags& flags) {
  if (!flags.anonymize) return std::nullopt;
  AnonymizeOptions options;
  options.keep_text = flags.keep_text;
  options.map_ports = flags.map_ports;
  std::string error;
  if (!flags.key_file.empty()) {
    std::ifstream in(flags.key_file, std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    if (!in) throw std::runtime_error(flags.key_file + ": cannot read the key file");
    std::optional<SipKey> key = parse_key_hex(text.str(), &error);
    if (!key) throw std::runtime_error("--key-file " + flags.key_file + ": " + error);
    options.key = *key;
  } else if (!flags.key_hex.empty()) {
    std::optional<SipKey> key = parse_key_hex(flags.key_hex, &error);
    if (!key) throw std::runtime_error("--key: " + error);
    options.key = *key;
  } else {
    options.key = random_key();
  }
  return options;
}

}  // namespace lurk::cli
