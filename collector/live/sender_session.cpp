#include "live/sender_session.h"

#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cstring>
#include <utility>

#include "live/hello_line.h"
#include "live/listen_address.h"
#include "server/listen_policy.h"
#include "storage/trace_writer.h"

namespace lurk::live {
namespace {

// Error messages kept per sender for the terminal; the rest are counted
// (every one is in ingest_errors).
constexpr int kMessagesShown = 5;

}  // namespace

SenderSession::SenderSession(int fd, std::string peer, int serial, TraceWriter& writer,
                             const SessionRules& rules)
    : fd_(fd),
      peer_(std::move(peer)),
      serial_(serial),
      writer_(writer),
      rules_(rules),
      ctx_{writer, source_, {}, true} {
  source_.path = peer_;
}

SenderSession::~SenderSession() { ::close(fd_); }

void SenderSession::receive(const char* data, size_t size) {
  received_ += size;
  if (state_ == State::AwaitingHello) return read_first_line(data, size);
  if (state_ != State::Streaming) return;
  writer_.use_source(source_.id);
  stream_->feed(data, size);
  keep_messages();
}

// The first line decides: a hello names the sender (and carries its token);
// anything else is the trace's first line, from a sender named by its address.
void SenderSession::read_first_line(const char* data, size_t size) {
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
  start_source(hello && !hello->name.empty() ? hello->name : peer_);
  std::string rest = hello ? std::string() : std::move(first_line_);
  if (hello) stream_->start_at(first_line_.size(), 2);
  first_line_.clear();
  if (!rest.empty()) stream_->feed(rest.data(), rest.size());
  if (take < size) stream_->feed(data + take, size - take);
  keep_messages();
}

void SenderSession::start_source(const std::string& name) {
  source_.path = name;
  source_.format = "lurk-jsonl";
  source_.content_hash = rules_.source_tag + ":" + std::to_string(serial_);
  source_.size_bytes = 0;
  writer_.add_live_source(source_);
  writer_.use_source(source_.id);
  stream_ = std::make_unique<LurkJsonlStream>(ctx_, rules_.max_line_bytes);
  state_ = State::Streaming;
}

void SenderSession::refuse(const std::string& why) {
  refusal_ = why;
  state_ = State::Refused;
  send_line(nlohmann::json{{"lurk", "refused"}, {"reason", why}}.dump() + "\n");
}

void SenderSession::end_of_stream() {
  if (state_ == State::AwaitingHello && !first_line_.empty()) {
    // A stream shorter than one line: read it as the trace (or refuse it).
    std::string rest = std::move(first_line_);
    first_line_.clear();
    if (!rules_.token.empty()) return refuse("stream ended before a hello line");
    start_source(peer_);
    stream_->feed(rest.data(), rest.size());
  }
  if (state_ != State::Streaming) {
    if (state_ == State::AwaitingHello) state_ = State::Ended;
    return;
  }
  writer_.use_source(source_.id);
  stream_->finish();
  keep_messages();
  state_ = State::Ended;
}

void SenderSession::cut(const std::string& why) {
  if (state_ != State::Streaming) return;
  writer_.use_source(source_.id);
  ctx_.report_error(stream_->complete_bytes(), std::nullopt, "stream-cut",
                    why + "; the trace ends at byte offset " +
                        std::to_string(stream_->complete_bytes()) + " of the stream");
  stream_->finish_without_partial_line();
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
    row.size_bytes = int64_t(received_);
  }
  return row;
}

void SenderSession::committed() {
  if (!stream_) return;
  committed_bytes_ = state_ == State::Streaming ? int64_t(stream_->complete_bytes())
                                                : int64_t(received_);
  committed_events_ = source_.records;
  if (acked_final_) return;
  acked_final_ = state_ != State::Streaming;
  send_line("{\"lurk\":\"ack\",\"bytes\":" + std::to_string(committed_bytes_) +
            ",\"events\":" + std::to_string(committed_events_) +
            ",\"errors\":" + std::to_string(source_.errors) +
            (acked_final_ ? ",\"final\":true}\n" : "}\n"));
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
