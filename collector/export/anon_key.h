// The secret key of an anonymised export (docs/sharing.md): 128 bits, given as
// 32 hex digits (--key, --key-file) or drawn at random for each export. It is
// never written into the exported profile: without it the address and port
// mappings cannot be inverted, and with the same key two exports map the
// same address to the same address.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "export/siphash.h"

namespace lurk {

// 32 hex digits (either case; surrounding whitespace ignored) as a key in
// the paper's byte order. nullopt with `*error` saying what was wrong.
std::optional<SipKey> parse_key_hex(std::string_view text, std::string* error);

// The key as 32 lower-case hex digits (parse_key_hex reads it back).
std::string key_to_hex(const SipKey& key);

// A fresh key from the platform's random source (std::random_device: the
// kernel's on Linux, crypto.getRandomValues in the browser).
SipKey random_key();

}  // namespace lurk
