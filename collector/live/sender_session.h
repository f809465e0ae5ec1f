// One sender connected to `lurk collect` (docs/live.md): its socket, its
// hello line, and its trace read as the bytes arrive into a source of its own
// (a TraceStream, JSON lines or CTF, over the collector's one TraceWriter). It keeps the
// counts the collector commits and acknowledges: bytes and events now in the
// file, so a sender knows where it stands if the collector goes away.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "live/hello_line.h"
#include "live/stream_ledger.h"
#include "live/trace_stream.h"
#include "ingest/ingest_context.h"
#include "storage/rows.h"

namespace lurk {
class TraceWriter;
}

namespace lurk::live {

class StreamLedger;

struct SessionRules {
  std::string token;              // empty: no token asked for
  StreamLedger* ledger = nullptr; // streams with an id: where each resumes (stream_ledger.h)
  size_t max_line_bytes = 1 << 20;  // a longer event line is skipped (line-too-long)
  std::string source_tag;         // makes content_hash unique: "live:TAG:N"
};

class SenderSession {
 public:
  enum class State { AwaitingHello, Streaming, Ended, Refused };

  SenderSession(int fd, std::string peer, int serial, TraceWriter& writer,
                const SessionRules& rules);
  ~SenderSession();  // closes the socket
  SenderSession(const SenderSession&) = delete;
  SenderSession& operator=(const SenderSession&) = delete;

  int fd() const { return fd_; }
  State state() const { return state_; }
  const std::string& name() const { return source_.path; }
  const std::string& peer() const { return peer_; }
  const std::string& refusal() const { return refusal_; }
  bool has_source() const { return stream_ != nullptr; }

  // Bytes the socket delivered.
  void receive(const char* data, size_t size);
  // The sender closed its side (or its connection broke): a last line
  // without newline is read (and reported when torn), the trace's remaining
  // rows are written. A stream with an id is cut instead when it ended
  // inside a line: it is committed up to its last newline, where the next
  // connection of the stream resumes (docs/live.md).
  void end_of_stream();
  // The collector stops while the sender is still connected (or a stream
  // ended inside a line): the trace ends at its last whole line or packet,
  // which is recorded as an ingest error (stream-cut).
  void cut(const std::string& why);

  // Refuses the sender (a refusal line, then closed at the next commit).
  void refuse(const std::string& why);
  std::chrono::steady_clock::time_point connected_at() const { return connected_at_; }

  // For the batch commit: the source row as it should be in the file now
  // ('partial' while the sender is still connected), after flushing the
  // trackers' changed rows.
  SourceRow row_for_commit();
  // The ack line of the batch whose row for this source is `row`
  // (row_for_commit), made when the batch is handed to the writer and sent
  // by the writer's thread right after its COMMIT (batch_in_flight.h), so
  // that no time passes between the two in which a killed collector would
  // have stored what it never acked (a sender that resumes from its last
  // ack would send it again). nullopt: the final ack was made already.
  // `final`: the session had ended when the batch was handed over.
  std::optional<std::string> ack_line(const SourceRow& row, bool final);
  // That batch is durable: remember its counts (by then more may have been
  // read: they are the row's, never the session's current ones).
  void committed(const SourceRow& row);
  int64_t committed_bytes() const { return committed_bytes_; }
  // After row_for_commit: for a sender with a stream id, how much of its
  // stream (as first sent) the batch commits, for the ledger.
  std::optional<StreamMark> stream_mark() const;
  int64_t committed_events() const { return committed_events_; }
  int64_t events() const { return source_.records; }
  int64_t errors() const { return source_.errors; }
  uint64_t bytes_received() const { return received_; }
  // Error messages not yet printed (at most a few per sender are kept).
  std::string take_messages();

 private:
  void read_first_line(const char* data, size_t size);
  void receive_opening(const char* data, size_t size);
  void feed_stream(const char* data, size_t size);
  std::string hello_name() const;
  void start_source(const std::string& name, StreamFormat format, uint64_t offset);
  bool continue_source(uint64_t offset);
  void send_line(const std::string& line);
  void keep_messages();
  void open_stream(const std::string& stream_id);
  void note_replayed_header(const char* data, size_t size);
  // The stream's bytes the source holds once it ended: all received, or up
  // to its last whole line or packet when it was cut.
  int64_t kept_bytes() const { return kept_bytes_ >= 0 ? kept_bytes_ : int64_t(received_); }

  int fd_;
  std::string peer_;
  int serial_;
  TraceWriter& writer_;
  const SessionRules& rules_;
  State state_ = State::AwaitingHello;
  std::chrono::steady_clock::time_point connected_at_ = std::chrono::steady_clock::now();
  std::string first_line_;  // bytes of the stream's first line, until it is whole
  SourceRow source_;
  IngestContext ctx_;
  Hello hello_;               // what the hello line said (defaults without one)
  uint64_t opening_bytes_ = 0;  // hello line (and CTF metadata) bytes read
  std::string metadata_;      // a CTF stream's metadata, until it is whole
  std::unique_ptr<TraceStream> stream_;
  uint64_t received_ = 0;
  int64_t kept_bytes_ = -1;      // cut: where the trace ends (-1: not cut)
  int64_t committed_bytes_ = 0, committed_events_ = 0;
  bool acked_final_ = false;
  // A stream resumed after a collector's restart: the sender sends the
  // hello, its header line again, then the stream from `resume_from_`.
  int64_t resume_from_ = 0;      // 0: from the start
  int64_t header_bytes_ = -1;    // the header line resent (-1: not whole yet)
  int64_t header_seen_ = 0;
  int64_t pending_bytes_ = 0;    // connection bytes the next commit holds
  bool stream_connected_ = false;
  bool finished_ = false;        // the trace was read to its end (not cut)
  int64_t first_byte_ = -1;      // a continued CTF source: where its first part began
  std::string refusal_;
  std::string messages_;
  int messages_kept_ = 0;
};

}  // namespace lurk::live
