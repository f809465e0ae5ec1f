#include "ingest/ingest.h"

#include <sqlite3.h>

#include <algorithm>
#include <cstdio>
#include <exception>
#include <optional>
#include <span>

#include "importers/importer.h"
#include "ingest/byte_source.h"
#include "ingest/content_hash.h"
#include "ingest/ingest_context.h"
#include "ingest/ingest_progress.h"
#include "findings/findings_pass.h"
#include "join/clock_alignment.h"
#include "join/connection_joiner.h"
#include "join/packet_flows.h"
#include "storage/profile_writer_lock.h"
#include "storage/savepoint.h"
#include "storage/sqlite_handle.h"
#include "storage/trace_writer.h"
#include "storage/write_transaction.h"
#include "trace/trace_connections.h"

namespace lurk {
namespace {

std::string describe_unknown(const std::vector<uint8_t>& head) {
  if (head.empty()) return "empty file; expected a capture or trace";
  return "not a format lurk reads (pcap, pcapng, mirage-profile CTF, Chrome JSON, lurk JSONL): "
         "unrecognised content at byte offset 0";
}

// The input's digest: known before the import, or taken while the importer
// reads it (then finished after it, over whatever the importer left unread).
struct InputDigest {
  std::string known;
  ContentHasher* while_reading = nullptr;
};

SourceOutcome ingest_with(TraceWriter& writer, ByteSource& in, const Importer& importer,
                          const InputDigest& digest, const IngestOptions& options = {}) {
  SourceOutcome outcome;
  outcome.path = in.name();
  outcome.format = std::string(importer.format());
  if (!digest.while_reading && writer.has_source_with_hash(digest.known)) {
    outcome.status = SourceOutcome::Status::AlreadyPresent;
    return outcome;
  }
  SourceRow source;
  source.path = in.name();
  source.format = outcome.format;
  // Unique until the digest replaces it at commit (one source at a time).
  source.content_hash = digest.while_reading ? "(hashing)" : digest.known;
  source.size_bytes = static_cast<int64_t>(in.size());
  writer.begin_source(source);
  IngestContext ctx(writer, source);
  ctx.tcp_analysis = options.tcp_analysis;
  try {
    importer.import(in, ctx);
    if (digest.while_reading) {
      in.skip_to_end();
      source.content_hash = digest.while_reading->hex();
    }
    writer.commit_source(source);
  } catch (...) {
    writer.rollback_source();
    throw;
  }
  outcome.status = source.status == "complete" ? SourceOutcome::Status::Complete
                                               : SourceOutcome::Status::Partial;
  outcome.records = source.records;
  outcome.skipped = source.skipped;
  outcome.errors = source.errors;
  outcome.nothing_shown = writer.shown_rows() == 0;
  outcome.messages = std::move(ctx.messages);
  return outcome;
}

}  // namespace

namespace {

std::string file_name(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The source a --clock-offset request names: its id, its path, or its file name.
std::optional<int64_t> find_source(Database& db, const std::string& name) {
  Statement s = db.prepare("SELECT id, path FROM sources ORDER BY id");
  std::optional<int64_t> by_file_name;
  while (s.step()) {
    std::string path = s.column_text(1);
    if (std::to_string(s.column_int(0)) == name || path == name) return s.column_int(0);
    if (!by_file_name && file_name(path) == file_name(name)) by_file_name = s.column_int(0);
  }
  return by_file_name;
}

std::string seconds_text(int64_t ns) {
  char text[48];
  std::snprintf(text, sizeof text, "%+.6f s", double(ns) / 1e9);
  return text;
}

void apply_clock_offsets(Database& db, const IngestOptions& options, IngestReport& report) {
  for (const ClockOffsetRequest& r : options.clock_offsets) {
    if (std::optional<int64_t> id = find_source(db, r.source)) set_clock_offset(db, *id, r.offset_ns);
    else report.clock_problems.push_back("--clock-offset: no source \"" + r.source +
                                         "\" in " + db.path() + " (give its id, path or file name)");
  }
}

void note_clocks(Database& db, IngestReport& report) {
  Statement s = db.prepare(
      "SELECT path, clock_how, clock_offset_ns, clock_evidence FROM sources "
      "WHERE clock_how NOT IN ('reference', '') ORDER BY id");
  while (s.step()) {
    std::string how = s.column_text(1);
    std::string line = s.column_text(0) + ": clock ";
    if (how == "not-aligned") line += "of its own, not aligned: " + s.column_text(3);
    else if (how == "unix-clock") line += "is Unix time: " + s.column_text(3);
    else line += "aligned by " + how + " (" + seconds_text(s.column_int(2)) + "): " + s.column_text(3);
    report.clock_notes.push_back(line);
  }
}

}  // namespace

void analyse_profile(Database& db) {
  align_clocks(db);             // every source it can on the captures' clock (docs/clocks.md)
  find_trace_connections(db);   // connections a CTF trace shows by its promise trees
  join_connections(db);         // threads of the traces under the connections they name
  link_threads_to_packets(db);  // a thread's traced segment to the frame it became
  compute_findings(db);         // what to look at, from the whole profile (docs/findings.md)
}

bool IngestReport::any_rejected() const {
  for (const SourceOutcome& s : sources)
    if (s.status == SourceOutcome::Status::Rejected) return true;
  return false;
}

bool IngestReport::any_nothing_shown() const {
  for (const SourceOutcome& s : sources)
    if (s.nothing_shown) return true;
  return false;
}

bool IngestReport::any_partial() const {
  for (const SourceOutcome& s : sources)
    if (s.status == SourceOutcome::Status::Partial) return true;
  return false;
}

int exit_code_for(const IngestReport& report) {
  if (report.any_rejected() || !report.clock_problems.empty()) return kExitFailure;
  if (report.any_partial()) return kExitPartial;
  if (report.any_nothing_shown()) return kExitNothingToShow;
  return kExitOk;
}

std::vector<std::string> check_inputs(const std::vector<std::string>& paths) {
  std::vector<std::string> problems;
  for (const std::string& path : paths) {
    try {
      std::vector<uint8_t> head = read_file_head(path, kSniffBytes);
      if (!find_importer(head)) problems.push_back(path + ": " + describe_unknown(head));
    } catch (const std::exception& e) {
      problems.push_back(e.what());
    }
  }
  return problems;
}

namespace {

// The run's transaction, with SQLite's write lock taken at its start
// (IMMEDIATE): another writer is found out before anything is imported, and
// the lock checked is the one the import then holds. A collector is not one
// (ProfileWriterLock refused the run before): some other program is.
WriteTransaction begin_run(Database& db, const std::string& output) {
  try {
    return WriteTransaction(db);
  } catch (const StorageError&) {
    if ((sqlite3_extended_errcode(db.raw()) & 0xff) != SQLITE_BUSY) throw;
    throw StorageError(output + ": another process is writing this profile (another `lurk "
                       "ingest -o` into it?): database is locked; ingest into it when that has "
                       "finished");
  }
}

// The run's inputs, imported one after the other, then the clock offsets
// asked for and the analysis of the whole profile; in the caller's transaction.
void import_and_analyse(Database& db, TraceWriter& writer, const std::vector<std::string>& paths,
                        const IngestOptions& options, IngestReport& report) {
  IngestProgress* progress = options.progress;
  for (size_t index = 0; index < paths.size(); ++index) {
    const std::string& path = paths[index];
    std::vector<uint8_t> head = read_file_head(path, kSniffBytes);
    const Importer* importer = find_importer(head);
    if (!importer) {
      SourceOutcome rejected;
      rejected.path = path;
      rejected.messages.push_back(path + ": " + describe_unknown(head));
      report.sources.push_back(std::move(rejected));
      if (options.on_source) options.on_source(report.sources.back());
      continue;
    }
    FileByteSource in(path);
    // A file already in the profile has the same size: hash such a file
    // first, to skip it; hash any other while importing it (no second pass).
    InputDigest digest;
    ContentHasher hasher;
    if (writer.has_source_with_size(static_cast<int64_t>(in.size()))) {
      FileByteSource for_hash(path);
      digest.known = hash_source(for_hash);
    } else {
      in.hash_while_reading(hasher);
      digest.while_reading = &hasher;
    }
    if (progress) {
      progress->input_started(index, paths.size(), path, in.size());
      in.report_reads_to(*progress);
    }
    report.sources.push_back(ingest_with(writer, in, *importer, digest, options));
    if (progress) progress->input_finished();
    if (options.on_source) options.on_source(report.sources.back());
  }
  apply_clock_offsets(db, options, report);
  if (progress) progress->analysis_started();
  analyse_profile(writer.db());
}

}  // namespace

IngestReport ingest_files(const std::vector<std::string>& paths, const std::string& output,
                          const IngestOptions& options) {
  // Refused at once while a `lurk collect` holds the profile, and no
  // collector starts on it until this run is over (one step: the check is
  // the lock the run holds). Held past the Database (profile_writer_lock.h).
  ProfileWriterLock ingesting(output, ProfileWriterLock::Role::Ingest);
  Database db(output, Database::Mode::ReadWriteCreate);
  TraceWriter writer(db);  // outside the transaction: it sets the file's pragmas
  IngestReport report;
  // One transaction for the whole run: the sources, the clock offsets and the
  // analysis they change. A kill or an error anywhere leaves the profile as
  // it was; nothing of the run is on disk until the last line of it.
  {
    WriteTransaction run = begin_run(db, output);
    import_and_analyse(db, writer, paths, options, report);
    run.commit();
  }
  if (options.progress) options.progress->finished();
  note_clocks(db, report);
  return report;
}

SourceOutcome ingest_buffer(Database& db, const std::string& name, const uint8_t* data,
                            size_t size) {
  std::span<const uint8_t> head(data, std::min(size, kSniffBytes));
  const Importer* importer = find_importer(head);
  if (!importer) {
    SourceOutcome rejected;
    rejected.path = name;
    rejected.messages.push_back(name + ": " +
                                describe_unknown(std::vector<uint8_t>(head.begin(), head.end())));
    return rejected;
  }
  return ingest_buffer_as(db, *importer, name, data, size);
}

SourceOutcome ingest_buffer_as(Database& db, const Importer& importer, const std::string& name,
                               const uint8_t* data, size_t size, const IngestOptions& options) {
  ContentHasher hasher;
  hasher.update(data, size);
  TraceWriter writer(db);
  Savepoint run(db, "ingest_run");  // the source and its analysis, or neither
  MemoryByteSource in(name, data, size);
  SourceOutcome outcome = ingest_with(writer, in, importer, InputDigest{hasher.hex()}, options);
  analyse_profile(writer.db());
  run.release();
  return outcome;
}

}  // namespace lurk
