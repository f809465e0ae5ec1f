// The `args_json` of spans and instants, anonymised (docs/sharing.md): keys
// stay (they name fields); a string value that is an address or "addr:port"
// is mapped; any other string value is free text: replaced by a placeholder
// "arg#N" (the same value gets the same N throughout the profile) or, with
// --keep-text, kept with the addresses in it mapped. Numbers stay, except
// the value of a key ending in "port" ("lport", "src_port") when ports are
// mapped.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "export/address_rewriter.h"

namespace lurk {

class ArgsAnonymizer {
 public:
  ArgsAnonymizer(AddressRewriter& rewriter, bool keep_text)
      : rewriter_(rewriter), keep_text_(keep_text) {}

  // The anonymised JSON text. Text that is not JSON is free text as a whole.
  std::string anonymize(std::string_view args_json);

  // The placeholder of one dropped value: "arg#N".
  std::string placeholder(const std::string& value);

 private:
  std::string text_value(const std::string& value);

  AddressRewriter& rewriter_;
  bool keep_text_;
  std::map<std::string, int64_t> placeholders_;
};

}  // namespace lurk
