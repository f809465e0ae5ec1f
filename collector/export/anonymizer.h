// Anonymises an open profile in place (docs/sharing.md): every column that
// can hold an address, a port, payload or free text is rewritten by the
// policy of text_column_policies(); times, sizes, counts, flags, TCP analysis
// and the structure of findings stay as they are. Runs in one transaction.
// The caller writes the result out with VACUUM INTO (profile_export.h) so
// that no page of the file ever held the original text.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "export/siphash.h"

namespace lurk {

class Database;

struct AnonymizeOptions {
  SipKey key;              // never stored; random per export unless given
  bool keep_text = false;  // keep free text (addresses in it still mapped)
  bool map_ports = false;  // also permute ports (port_permutation.h)
};

struct AnonymizeSummary {
  int64_t addresses = 0;      // distinct addresses mapped in connections
  int64_t texts_dropped = 0;  // strings, comments and messages replaced by placeholders
  int64_t args_rewritten = 0; // args_json values rewritten
};

// What happens to one TEXT column of the schema; every TEXT column has one
// entry (a unit test holds the schema to that).
struct ColumnPolicy {
  const char* table;
  const char* column;
  const char* policy;  // for people: "kept: lurk's own word", "mapped", ...
};
const std::vector<ColumnPolicy>& text_column_policies();

AnonymizeSummary anonymize_profile(Database& db, const AnonymizeOptions& options);

}  // namespace lurk
