// `lurk stats --sources`: one row per source of a profile with its counts and
// its clock (docs/clocks.md): the clock domain, how it was put on the
// captures' clock, the offset and the evidence.
#pragma once

#include <string>

namespace lurk {
class Database;
}

namespace lurk::cli {

// Prints the sources as a tab-separated table or a JSON array.
void print_sources(Database& db, const std::string& format);

}  // namespace lurk::cli
