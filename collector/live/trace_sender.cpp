#include "live/trace_sender.h"

#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <nlohmann/json.hpp>

#include <cerrno>
#include <chrono>
#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "live/ctf_send_order.h"
#include "live/listen_address.h"

namespace lurk::live {
namespace {

constexpr size_t kChunkBytes = 256 * 1024;
// The input's header line, resent when resuming, is within this many bytes.
constexpr size_t kMaxHeaderBytes = 4096;

int connect_to(const std::string& to, std::string& error) {
  std::optional<ListenAddress> at = parse_listen_address(to, error);
  if (!at) return -1;
  int fd = ::socket(at->addr.ss_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0 || ::connect(fd, reinterpret_cast<const sockaddr*>(&at->addr), at->length) != 0) {
    error = "cannot connect to " + to + ": " + std::strerror(errno);
    if (fd >= 0) ::close(fd);
    return -1;
  }
  return fd;
}

bool send_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = ::send(fd, data, size, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    data += n;
    size -= size_t(n);
  }
  return true;
}

// The collector's lines: acks ({"lurk":"ack","bytes":B,"events":E,...}) and
// a refusal ({"lurk":"refused","reason":...}).
class AckReader {
 public:
  explicit AckReader(SendResult& result) : result_(result) {}
  int64_t count() const { return count_; }  // lines read so far
  // Reads what is there (or waits up to timeout_ms); false at end of stream.
  bool read(int fd, int timeout_ms) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, timeout_ms) <= 0) return true;
    char buffer[4096];
    ssize_t n = ::recv(fd, buffer, sizeof buffer, MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return true;
    if (n <= 0) return false;
    pending_.append(buffer, size_t(n));
    for (size_t nl; (nl = pending_.find('\n')) != std::string::npos; pending_.erase(0, nl + 1))
      take(pending_.substr(0, nl));
    return true;
  }

 private:
  void take(const std::string& line) {
    nlohmann::json v = nlohmann::json::parse(line, nullptr, false);
    if (!v.is_object()) return;
    std::string kind = v.value("lurk", "");
    if (kind == "refused") result_.refusal = v.value("reason", "refused");
    if (kind == "resume") {
      result_.got_resume = true;
      result_.resume_offered = v.value("bytes", uint64_t(0));
    }
    ++count_;
    if (kind != "ack") return;
    result_.acked_bytes = v.value("bytes", int64_t(0));
    result_.acked_events = v.value("events", int64_t(0));
    result_.acked_errors = v.value("errors", int64_t(0));
    result_.final_ack = v.value("final", false);
  }
  SendResult& result_;
  std::string pending_;
  int64_t count_ = 0;
};

// The hello line, and for CTF the metadata right after it.
std::string opening(const SendOptions& o, bool ctf) {
  nlohmann::json hello{{"lurk", "hello"}, {"version", 1}};
  if (!o.name.empty()) hello["name"] = o.name;
  if (!o.token.empty()) hello["token"] = o.token;
  if (!o.stream_id.empty()) hello["stream"] = o.stream_id;
  if (!ctf) return hello.dump() + "\n";
  hello["format"] = "ctf";
  if (!o.ctf_metadata.empty()) hello["metadata_bytes"] = o.ctf_metadata.size();
  return hello.dump() + "\n" + o.ctf_metadata;
}

// The first bytes of the input (one read: a pipe gives what is there), to
// tell CTF from JSON lines before the hello line goes out.
std::string first_input(const SendOptions& o, bool& failed) {
  if (o.input_bytes) return *o.input_bytes;
  std::vector<char> chunk(kChunkBytes);
  for (;;) {
    ssize_t got = ::read(o.input_fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    failed = got < 0;
    return std::string(chunk.data(), size_t(std::max<ssize_t>(got, 0)));
  }
}

// After the input's end: wait for the collector to commit it all and close.
// A busy collector may take long to reach the end of what we sent (it is in
// socket buffers); while acks keep coming it is alive, so the time limit
// counts from the last ack, not from the end of the input.
void await_final_ack(int fd, AckReader& acks, const SendResult& result, int timeout_ms) {
  auto limit = std::chrono::milliseconds(timeout_ms);
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (int64_t seen = acks.count(); !result.final_ack && result.refusal.empty();) {
    if (!acks.read(fd, 100)) break;
    auto now = std::chrono::steady_clock::now();
    if (acks.count() != seen) {
      seen = acks.count();
      deadline = now + limit;
    }
    if (now >= deadline) break;
  }
}

// Reads exactly `size` bytes of the input (fewer at its end); false on error.
bool read_input(int fd, std::string& out, size_t size) {
  char buffer[65536];
  while (out.size() < size) {
    ssize_t n = ::read(fd, buffer, std::min(sizeof buffer, size - out.size()));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return false;
    if (n == 0) break;
    out.append(buffer, size_t(n));
  }
  return true;
}

// What to send first when resuming: the input's header line, then the input
// from byte `skip` on (the bytes read past it are returned, to send too).
// A resume point inside the header means nothing was committed: all again.
bool prepare_resume(int fd, std::string head, uint64_t skip, std::string& first,
                    SendResult& result) {
  if (head.size() < kMaxHeaderBytes && !read_input(fd, head, kMaxHeaderBytes)) return false;
  size_t header_end = head.find('\n');
  if (header_end == std::string::npos || skip <= header_end + 1) {
    first = std::move(head);
    return true;
  }
  first = head.substr(0, header_end + 1);
  result.resent_header_bytes = first.size();
  if (skip < head.size()) {
    first += head.substr(skip);
  } else {
    std::string discard;
    for (uint64_t left = skip - head.size(); left > 0; left -= discard.size()) {
      discard.clear();
      if (!read_input(fd, discard, size_t(std::min<uint64_t>(left, kChunkBytes)))) return false;
      if (discard.empty()) break;  // the input is shorter than the resume point
    }
  }
  result.input_skipped = skip;
  return true;
}

// With a stream id, the collector answers the hello with where the profile's
// copy of the stream ends; nothing is sent before that answer.
bool await_resume_answer(int fd, AckReader& acks, SendResult& result) {
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (!result.got_resume && result.refusal.empty()) {
    if (!acks.read(fd, 100) || std::chrono::steady_clock::now() >= deadline) {
      result.error = "the collector did not say where to resume the stream";
      return false;
    }
  }
  return result.refusal.empty();
}

}  // namespace

SendResult send_trace(const SendOptions& options) {
  SendResult result;
  int fd = connect_to(options.to, result.error);
  if (fd < 0) return result;
  AckReader acks(result);
  bool read_failed = false;
  std::string head = first_input(options, read_failed);
  bool more = !options.input_bytes && !head.empty() && !read_failed;  // input_fd has more
  result.ctf = options.format == SendOptions::Format::Ctf ||
               (options.format == SendOptions::Format::Auto && looks_like_ctf(head));
  std::string hello = opening(options, result.ctf);
  bool connected = send_all(fd, hello.data(), hello.size());
  if (connected) result.bytes_sent += hello.size();
  result.hello_bytes = hello.size();
  uint64_t resume_after = options.resume_after;
  if (connected && !options.stream_id.empty()) {
    if (!await_resume_answer(fd, acks, result)) {
      ::close(fd);
      return result;
    }
    resume_after = std::max<uint64_t>(resume_after, result.resume_offered);
  }
  if (connected && resume_after > hello.size() && result.ctf) {
    // CTF: the opening (hello and metadata) again, then the packets from
    // the resume point, a packet boundary (the collector commits whole ones).
    uint64_t skip = std::min<uint64_t>(resume_after - hello.size(), head.size());
    head.erase(0, skip);
    result.input_skipped = skip;
  } else if (connected && resume_after > hello.size()) {
    // The collector counted the same hello line in the stream it acked.
    std::string first;
    if (!prepare_resume(options.input_fd, head, resume_after - hello.size(), first,
                        result)) {
      result.error = std::string("reading the input: ") + std::strerror(errno);
      ::close(fd);
      return result;
    }
    head = std::move(first);
  }
  char last_sent = '\n';  // the last byte of the stream sent
  if (connected && !head.empty()) {
    connected = send_all(fd, head.data(), head.size());
    if (connected) result.bytes_sent += head.size();
    last_sent = head.back();
  }
  if (read_failed) result.error = std::string("reading the input: ") + std::strerror(errno);
  bool input_ended = !more && !read_failed;
  std::vector<char> chunk(kChunkBytes);
  while (more && connected && result.refusal.empty()) {
    ssize_t got = ::read(options.input_fd, chunk.data(), chunk.size());
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      result.error = std::string("reading the input: ") + std::strerror(errno);
      break;
    }
    if (got == 0) {
      input_ended = true;
      break;
    }
    connected = send_all(fd, chunk.data(), size_t(got));
    if (connected) result.bytes_sent += size_t(got);
    last_sent = chunk[size_t(got) - 1];
    acks.read(fd, 0);
  }
  // A stream with an id is committed only up to its last newline (a
  // connection that ends inside a line may be a sender that died mid-write):
  // the input's end says its last line is whole, so it gets its newline.
  if (connected && input_ended && last_sent != '\n' && !options.stream_id.empty() && !result.ctf) {
    connected = send_all(fd, "\n", 1);
    if (connected) result.bytes_sent += 1;
  }
  if (!connected && result.error.empty()) result.error = "the collector closed the connection";
  ::shutdown(fd, SHUT_WR);
  await_final_ack(fd, acks, result, options.final_ack_timeout_ms);
  ::close(fd);
  return result;
}

}  // namespace lurk::live
