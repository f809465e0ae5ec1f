// The joiner: after each ingest, puts the threads of stack traces under the
// TCP connections their events name, and recognises a connection seen both
// by a capture and by a trace (lurk JSONL tcp events) as one connection.
// Works only from what is in the profile, so the order in which a capture
// and a trace are ingested does not matter. How each link was made is stored
// in threads.link_how; the rules are in docs/joining.md.
#pragma once

#include <cstdint>

namespace lurk {

class Database;

struct JoinSummary {
  int64_t merged_connections = 0;  // trace connections given a same_as
  int64_t linked_threads = 0;      // threads given a connection in this run
};

// Runs in a savepoint of its own (storage/savepoint.h): atomic alone, or part
// of the ingest's transaction. Threads already linked keep their link
// (moved to the capture's row when their connection got a same_as).
JoinSummary join_connections(Database& db);

}  // namespace lurk
