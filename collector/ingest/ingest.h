// Ingest: turns input files into sources of a .lurk profile. Every input is
// checked (readable, a format lurk knows) before the profile is touched. One
// ingest (a `lurk ingest` run, a file dropped on the page) is one transaction:
// its sources and the analysis of the profile they change are committed
// together, so a kill at any point leaves the old profile or the new one whole.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace lurk {

class ByteSource;
class IngestProgress;
class Database;

struct SourceOutcome {
  enum class Status { Complete, Partial, AlreadyPresent, Rejected };
  std::string path;
  std::string format;
  Status status = Status::Rejected;
  int64_t records = 0, skipped = 0, errors = 0;
  // Read, but it yielded no packets, threads, events or counters (an empty
  // JSON array, a capture with no TCP): said, and exit code 5.
  bool nothing_shown = false;
  std::vector<std::string> messages;  // errors, "FILE: byte offset N: ..."
};

struct IngestReport {
  std::vector<SourceOutcome> sources;
  // One line per source not on a capture's clock, or moved to it: how its
  // clock was aligned (docs/clocks.md), "PATH: clock ...".
  std::vector<std::string> clock_notes;
  // Problems with --clock-offset requests (no such source): exit 1.
  std::vector<std::string> clock_problems;
  bool any_rejected() const;
  bool any_partial() const;
  bool any_nothing_shown() const;
};

// Exit codes of lurk commands (docs/cli.md).
enum ExitCode : int {
  kExitOk = 0,
  kExitFailure = 1,  // nothing was written: bad input, unusable output
  kExitUsage = 2,
  kExitPartial = 3,  // written, but some input was damaged; see ingest_errors
  // (4 is `findings --fail-on-findings`.)
  kExitNothingToShow = 5,  // written, but an input yielded nothing to show
};

int exit_code_for(const IngestReport& report);

// Checks that every input can be read and has a known format. Returns one
// message per input that cannot, "FILE: reason".
std::vector<std::string> check_inputs(const std::vector<std::string>& paths);

// lurk ingest --clock-offset SOURCE=DURATION: the source (its id, path or
// file name) gets that offset by hand (join/clock_alignment.h).
struct ClockOffsetRequest {
  std::string source;
  int64_t offset_ns = 0;
};

struct IngestOptions {
  bool tcp_analysis = true;  // false: packets and connections only, no analysis flags
  std::vector<ClockOffsetRequest> clock_offsets;
  IngestProgress* progress = nullptr;  // told how far the ingest got (a terminal's progress bar)
  // Called as each input is done (read, skipped or rejected), before the
  // analysis of the profile: the CLI says each outcome as it happens.
  std::function<void(const SourceOutcome&)> on_source;
};

// The passes over the whole profile after its sources changed: clocks,
// joins, thread-to-packet flows, findings (in that order: each reads what
// the one before wrote). Each runs in a savepoint of its own: alone it
// commits pass by pass; inside an ingest it is part of the ingest's transaction.
void analyse_profile(Database& db);

// Ingests `paths` into the profile at `output` (created if missing). Callers
// run check_inputs first; a rejected input here throws nothing, it is reported.
IngestReport ingest_files(const std::vector<std::string>& paths, const std::string& output,
                          const IngestOptions& options = {});

// Ingests one in-memory input into an open profile (the browser path).
SourceOutcome ingest_buffer(Database& db, const std::string& name, const uint8_t* data,
                            size_t size);

class Importer;
// Ingests one in-memory input with the given importer, whatever its bytes
// look like (no sniffing), then analyses the profile: the per-importer fuzz
// targets (tests/fuzz) take this path so that every input reaches the
// importer's parser, not only those its sniff() accepts.
SourceOutcome ingest_buffer_as(Database& db, const Importer& importer, const std::string& name,
                               const uint8_t* data, size_t size, const IngestOptions& options = {});

}  // namespace lurk
