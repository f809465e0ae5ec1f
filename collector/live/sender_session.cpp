#include "live/sender_session.h"

#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <utility>

#include "join/clock_alignment.h"
#include "live/hello_line.h"
#include "live/listen_address.h"
#include "live/source_resume.h"
#include "server/listen_policy.h"
#include "storage/sqlite_handle.h"
#include "storage/trace_writer.h"

namespace lurk::live {
namespace {

// Error messages kept per sender for the terminal; the rest are counted
// (every one is in ingest_errors).
constexpr int kMessagesShown = 5;

// A stream whose first byte is this is CTF (the packet magic 0xC1FC1FC1,
// little-endian): no JSON text starts with it.
constexpr uint8_t kCtfMagicFirstByte = 0xC1;

}  // namespace

SenderSession::SenderSession(int fd, std::string peer, int serial, TraceWriter& writer,
                             const SessionRules& rules)
    : fd_(fd),
      peer_(std::move(peer)),
      serial_(serial),
      writer_(writer),
      rules_(rules),
      ctx_(writer, source_) {
  source_.path = peer_;
}

SenderSession::~SenderSession() {
  if (stream_connected_) rules_.ledger->disconnect(hello_.stream);
  ::close(fd_);
}

void SenderSession::receive(const char* data, size_t size) {
  received_ += size;
  if (state_ == State::AwaitingHello)
    return opening_bytes_ > 0 ? receive_opening(data, size) : read_first_line(data, size);
  if (state_ != State::Streaming) return;
  feed_stream(data, size);
}

// The first line decides: a hello names the sender (and carries its token
// and the stream's format); anything else is the trace's first line, from a
// sender named by its address: CTF when it begins with the packet magic.
void SenderSession::read_first_line(const char* data, size_t size) {
  if (first_line_.empty() && size > 0 && static_cast<uint8_t>(data[0]) == kCtfMagicFirstByte) {
    if (!rules_.token.empty())
      return refuse("this collector needs a hello line with its token first");
    start_source(peer_, StreamFormat::Ctf, 0);
    return feed_stream(data, size);
  }
  const char* nl = static_cast<const char*>(std::memchr(data, '\n', size));
  size_t take = nl ? size_t(nl - data) + 1 : size;
  first_line_.append(data, take);
  bool whole = nl != nullptr;
  if (!whole && first_line_.size() <= kMaxHelloBytes) return;
  std::string error;
  std::optional<Hello> hello =
      whole ? parse_hello(std::string_view(first_line_).substr(0, first_line_.size() - 1), error)
            : std::nullopt;
  std::string given_token = hello ? hello->token : std::string();
  if (!error.empty()) return refuse(error);
  if (!rules_.token.empty() && !server::tokens_equal(rules_.token, given_token))
    return refuse(hello ? "wrong or missing token in the hello line"
                        : "this collector needs a hello line with its token first");
  if (!hello) {
    start_source(peer_, StreamFormat::LurkJsonl, 0);
    std::string rest = std::move(first_line_);
    first_line_.clear();
    feed_stream(rest.data(), rest.size());
  } else {
    hello_ = *hello;
    opening_bytes_ = first_line_.size();
    first_line_.clear();
    if (!hello_.stream.empty()) {
      open_stream(hello_.stream);
      if (state_ == State::Refused) return;
    }
    if (hello_.metadata_bytes == 0) start_source(hello_name(), hello_.format, opening_bytes_);
  }
  if (take < size) receive_opening(data + take, size - take);
}

// After a CTF hello: its metadata, then the packets.
void SenderSession::receive_opening(const char* data, size_t size) {
  if (state_ == State::Streaming) return feed_stream(data, size);
  if (state_ != State::AwaitingHello) return;
  size_t take = std::min<size_t>(size, hello_.metadata_bytes - metadata_.size());
  metadata_.append(data, take);
  if (metadata_.size() < hello_.metadata_bytes) return;
  std::string why;
  if (!ctf_metadata_readable(metadata_, why)) return refuse(why);
  opening_bytes_ += metadata_.size();
  metadata_.clear();
  metadata_.shrink_to_fit();
  start_source(hello_name(), hello_.format, opening_bytes_);
  if (take < size) feed_stream(data + take, size - take);
}

std::string SenderSession::hello_name() const {
  return hello_.name.empty() ? peer_ : hello_.name;
}

// A stream id: one connection at a time, told where the profile's copy ends.
void SenderSession::open_stream(const std::string& stream_id) {
  if (!rules_.ledger || !rules_.ledger->connect(stream_id))
    return refuse(rules_.ledger ? "stream already connected: " + stream_id +
                                      " (resume once that connection has ended)"
                                : "this collector does not resume streams");
  stream_connected_ = true;
  resume_from_ = rules_.ledger->committed(stream_id);
  // A CTF stream's opening is its hello line and metadata; it has no header
  // line to send again: its packets follow the metadata from the resume point.
  bool ctf = hello_.format == StreamFormat::Ctf;
  if (ctf) header_bytes_ = 0;
  if (resume_from_ <= int64_t(opening_bytes_ + (ctf ? hello_.metadata_bytes : 0))) resume_from_ = 0;
  send_line("{\"lurk\":\"resume\",\"bytes\":" + std::to_string(resume_from_) + "}\n");
}

// A resumed stream begins with its header line again: how long it is maps
// the connection's bytes to the stream's.
void SenderSession::note_replayed_header(const char* data, size_t size) {
  const char* nl = static_cast<const char*>(std::memchr(data, '\n', size));
  header_seen_ += nl ? (nl - data) + 1 : int64_t(size);
  if (!nl) return;
  header_bytes_ = header_seen_;
  // A resume point inside the header line: the sender sends all of it again.
  if (resume_from_ <= int64_t(opening_bytes_) + header_bytes_) resume_from_ = 0;
}

void SenderSession::feed_stream(const char* data, size_t size) {
  if (resume_from_ > 0 && header_bytes_ < 0) note_replayed_header(data, size);
  writer_.use_source(source_.id);
  stream_->feed(data, size);
  keep_messages();
}

void SenderSession::start_source(const std::string& name, StreamFormat format, uint64_t offset) {
  if (format == StreamFormat::Ctf && resume_from_ > 0 && continue_source(offset)) return;
  source_.path = name;
  source_.format = format == StreamFormat::Ctf ? "ctf" : "lurk-jsonl";
  source_.content_hash = rules_.source_tag + ":" + std::to_string(serial_);
  source_.size_bytes = 0;
  writer_.add_live_source(source_);
  writer_.use_source(source_.id);
  // After a hello line the trace's header is line 2 of the stream.
  stream_ = format == StreamFormat::Ctf
                ? make_ctf_stream(ctx_, offset)
                : make_jsonl_stream(ctx_, rules_.max_line_bytes, offset, offset > 0 ? 2 : 1);
  state_ = State::Streaming;
}

// A CTF stream resumed after a collector's restart goes on in the source
// that holds its first part, from its reader's state at the resume point
// (written with the batch that committed it): the rows are those one
// connection would have made. A stream that ended (no state) or whose
// source is gone starts a new source, as JSON lines do.
bool SenderSession::continue_source(uint64_t offset) {
  std::optional<StreamMark> part = rules_.ledger->last_part(hello_.stream);
  if (!part || !part->reader_state || part->committed_bytes != resume_from_) return false;
  std::optional<SourceRow> row = read_source_row(writer_.db(), part->source_id);
  if (!row) return false;
  source_ = *row;
  // The row says 'partial' while a sender is connected; what it is comes
  // from its damage, as for a stream read in one go.
  source_.status = source_.errors > 0 ? "partial" : "complete";
  first_byte_ = part->first_byte;
  // A stream cut by a collector's stop had its promise connections decided
  // on its first part: the next stop decides them on the whole trace.
  Statement again = writer_.db().prepare(
      "DELETE FROM source_counters WHERE source_id = ? AND name = 'trace_connections'");
  again.bind(1, source_.id).run();
  // Aligned by an earlier run (its stop pass, or a live decision before a
  // kill): back on its own clock, the clock its resumed rows come on (and
  // the thread rows read below, which the reader writes again), decided
  // again on all of them.
  take_back_clock_offset(writer_.db(), source_.id);
  writer_.use_source(source_.id);
  stream_ = make_ctf_stream(ctx_, offset);
  stream_->restore_from(*part->reader_state, read_thread_rows(writer_.db(), source_.id));
  state_ = State::Streaming;
  return true;
}

void SenderSession::refuse(const std::string& why) {
  refusal_ = why;
  state_ = State::Refused;
  send_line(nlohmann::json{{"lurk", "refused"}, {"reason", why}}.dump() + "\n");
}

void SenderSession::end_of_stream() {
  if (state_ == State::AwaitingHello && opening_bytes_ > 0)
    return refuse("stream ended inside the CTF metadata (" + std::to_string(metadata_.size()) +
                  " of the " + std::to_string(hello_.metadata_bytes) +
                  " bytes the hello line announced)");
  if (state_ == State::AwaitingHello && !first_line_.empty()) {
    // A stream shorter than one line: read it as the trace (or refuse it).
    std::string rest = std::move(first_line_);
    first_line_.clear();
    if (!rules_.token.empty()) return refuse("stream ended before a hello line");
    start_source(peer_, StreamFormat::LurkJsonl, 0);
    stream_->feed(rest.data(), rest.size());
  }
  if (state_ != State::Streaming) {
    if (state_ == State::AwaitingHello) state_ = State::Ended;
    return;
  }
  // A stream with an id goes on in a later connection: a line it ended
  // inside is not read (its sender died mid-write; the kernel still sent
  // FIN), the stream is committed up to its last newline, and the line is
  // resent whole from there. `lurk send` ends its input's last line with a
  // newline when it has none, so a whole stream never ends torn.
  if (stream_connected_ && stream_->complete_bytes() < received_)
    return cut("the connection ended inside a line");
  writer_.use_source(source_.id);
  stream_->finish();
  finished_ = true;
  keep_messages();
  state_ = State::Ended;
}

// The trace ends at its last whole line or packet: what follows is not
// stored, and not counted as committed (a stream with an id resumes there).
void SenderSession::cut(const std::string& why) {
  if (state_ != State::Streaming) return;
  writer_.use_source(source_.id);
  kept_bytes_ = int64_t(stream_->complete_bytes());
  ctx_.report_error(stream_->complete_bytes(), std::nullopt, "stream-cut",
                    why + "; the trace ends at byte offset " +
                        std::to_string(stream_->complete_bytes()) + " of the stream" +
                        (stream_connected_ ? ", where a reconnecting sender of the stream resumes" : ""));
  // A CTF stream with an id is not over: its next connection continues
  // this source from the reader's state (its rows stay open until then).
  if (stream_connected_ && hello_.format == StreamFormat::Ctf) stream_->flush();
  else stream_->finish_cut();
  keep_messages();
  state_ = State::Ended;
}

SourceRow SenderSession::row_for_commit() {
  SourceRow row = source_;
  if (state_ == State::Streaming) {
    writer_.use_source(source_.id);
    stream_->flush();
    row.status = "partial";  // still arriving
    row.size_bytes = int64_t(stream_->complete_bytes());
  } else {
    row.size_bytes = kept_bytes();
  }
  pending_bytes_ = row.size_bytes;
  return row;
}

std::optional<StreamMark> SenderSession::stream_mark() const {
  if (!stream_connected_ || !stream_) return std::nullopt;
  StreamMark mark{hello_.stream, source_.id, first_byte_ >= 0 ? first_byte_ : resume_from_,
                  pending_bytes_, std::nullopt};
  if (!finished_) mark.reader_state = stream_->checkpoint();
  if (resume_from_ == 0) return mark;
  // The resent header line is not the stream past the resume point, whole
  // or torn (a connection that ended inside it): every byte of it counts
  // as replayed, else the ledger would move the resume point past bytes
  // that never arrived and the next connection would skip them.
  int64_t header = header_bytes_ >= 0 ? header_bytes_ : header_seen_;
  int64_t replayed = int64_t(opening_bytes_) + header;
  mark.committed_bytes = resume_from_ + std::max<int64_t>(0, pending_bytes_ - replayed);
  return mark;
}

std::optional<std::string> SenderSession::ack_line(const SourceRow& row, bool final) {
  if (!stream_ || acked_final_) return std::nullopt;
  acked_final_ = final;
  // row_for_commit's size_bytes: what the stream's reader had taken whole
  // (or kept, when cut) at the batch's end.
  return "{\"lurk\":\"ack\",\"bytes\":" + std::to_string(row.size_bytes) +
         ",\"events\":" + std::to_string(row.records) +
         ",\"errors\":" + std::to_string(row.errors) + (final ? ",\"final\":true}\n" : "}\n");
}

void SenderSession::committed(const SourceRow& row) {
  if (!stream_) return;
  committed_bytes_ = row.size_bytes;
  committed_events_ = row.records;
}

// Never blocks: a sender that does not read its acks loses them, not us
// our time (a later ack says everything an earlier one did).
void SenderSession::send_line(const std::string& line) {
  [[maybe_unused]] ssize_t sent = ::send(fd_, line.data(), line.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
}

void SenderSession::keep_messages() {
  for (std::string& m : ctx_.messages) {
    if (messages_kept_ < kMessagesShown) messages_ += m + "\n";
    else if (messages_kept_ == kMessagesShown)
      messages_ += source_.path + ": more errors (every one is in the ingest_errors table)\n";
    ++messages_kept_;
  }
  ctx_.messages.clear();
}

std::string SenderSession::take_messages() { return std::exchange(messages_, {}); }

}  // namespace lurk::live
