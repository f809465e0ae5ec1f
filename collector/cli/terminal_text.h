// Text from a profile (thread names, exception messages, finding details,
// any cell `lurk query` returns) is whatever a trace held: it must not
// reach a terminal as escape sequences, nor break a tab-separated row, nor
// make JSON output invalid (docs/hostile-input.md; JSON output is made valid
// UTF-8 by nlohmann::json's error_handler_t::replace where it is dumped).
#pragma once

#include <string>
#include <string_view>

namespace lurk::cli {

// Text safe to print in a tab-separated cell: printable UTF-8 passes
// unchanged; control characters (C0, DEL, C1, so also tab and newline),
// Unicode direction overrides and bytes that are not valid UTF-8 become
// \xNN (or \u{NNNN}); a backslash becomes \\ so the escaping is unambiguous.
std::string terminal_safe(std::string_view text);

}  // namespace lurk::cli
