#include "server/http_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <optional>
#include <stdexcept>

namespace lurk::server {

// [SECTION] one client connection
struct HttpServer::Connection {
  enum class State { Waiting, Reading, Writing, Draining, Deferred };
  int id = 0;
  int fd = -1;
  std::string peer;
  State state = State::Reading;
  bool counted_active = false;  // holds one of its peer's active slots
  Clock::time_point deadline;
  std::string in;         // bytes received and not yet consumed
  size_t requests = 0;
  std::string out_head;   // the response head being sent
  size_t head_sent = 0;
  std::vector<BodyPart> parts;
  size_t part = 0;
  uint64_t part_sent = 0;
  bool close_after = false;
  // A request on it was answered with success (status below 400): a client
  // that has the token, never evicted to make room for a newcomer.
  bool proven = false;
  Clock::time_point opened = Clock::now();
  std::optional<HttpRequest> deferred;  // State::Deferred: the request asked again
  Clock::time_point deferred_since;
};

namespace {

// A newcomer may take the place of a connection not yet proven only when
// that one has been open this long: a flood of connects cannot evict a client
// that is still sending its first request.
constexpr auto kEvictableAfter = std::chrono::seconds(1);

// A deferred answer is asked for again this often.
constexpr auto kDeferredRetry = std::chrono::milliseconds(20);

// Every address of this host is one peer: local users all come from
// 127.0.0.1, and 127.0.0.2, .3 ... are the same machine too.
constexpr char kLoopbackPeer[] = "loopback";

std::string ipv4_key(const uint8_t* bytes, char (&text)[INET6_ADDRSTRLEN]) {
  if (bytes[0] == 127) return kLoopbackPeer;
  inet_ntop(AF_INET, bytes, text, sizeof text);
  return text;
}

// The key a client's connections are counted under: its IPv4 address, the
// /64 of its IPv6 address (one host usually owns a whole /64), or "loopback"
// for 127/8 and ::1.
std::string peer_key(const sockaddr_storage& address) {
  char text[INET6_ADDRSTRLEN] = {};
  if (address.ss_family == AF_INET) {
    const in_addr& v4 = reinterpret_cast<const sockaddr_in&>(address).sin_addr;
    return ipv4_key(reinterpret_cast<const uint8_t*>(&v4), text);
  }
  in6_addr v6 = reinterpret_cast<const sockaddr_in6&>(address).sin6_addr;
  if (IN6_IS_ADDR_V4MAPPED(&v6)) return ipv4_key(v6.s6_addr + 12, text);
  if (IN6_IS_ADDR_LOOPBACK(&v6)) return kLoopbackPeer;
  std::fill(v6.s6_addr + 8, v6.s6_addr + 16, 0);
  inet_ntop(AF_INET6, &v6, text, sizeof text);
  return std::string(text) + "/64";
}

// Where a request head ends (just past its blank line), or npos. One rule:
// a line ends at LF, a CR before it is dropped (RFC 9112 section 2.2 lets a
// server take a bare LF as a line end), and the head ends at the first empty
// line. So "\n\n", "\r\n\r\n", "\n\r\n" and "\r\n\n" all end it, where its
// first line ending is; a CR alone never ends a line.
size_t head_end(std::string_view in) {
  for (size_t nl = in.find('\n'); nl != std::string_view::npos; nl = in.find('\n', nl + 1)) {
    size_t next = nl + 1;
    if (next < in.size() && in[next] == '\r') ++next;
    if (next < in.size() && in[next] == '\n') return next + 1;
  }
  return std::string_view::npos;
}

}  // namespace

const char* status_text(int status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 408: return "Request Timeout";
    case 416: return "Range Not Satisfiable";
    case 421: return "Misdirected Request";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    case 505: return "HTTP Version Not Supported";
    default: return "Unknown";
  }
}

// [SECTION] set-up
HttpServer::HttpServer(HttpHandler& handler, ServerLimits limits)
    : handler_(handler), limits_(limits) {
  if (pipe2(wake_pipe_, O_NONBLOCK | O_CLOEXEC) != 0)
    throw std::runtime_error("cannot create the server's wake-up pipe");
}

HttpServer::~HttpServer() {
  for (auto& [id, connection] : connections_) close(connection->fd);
  if (listen_fd_ >= 0) close(listen_fd_);
  close(wake_pipe_[0]);
  close(wake_pipe_[1]);
}

int HttpServer::bind(const std::string& address, int port) {
  std::string literal = address == "localhost" ? "127.0.0.1" : address;
  sockaddr_storage storage{};
  socklen_t length = 0;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, literal.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(static_cast<uint16_t>(port));
    length = sizeof *v4;
  } else if (inet_pton(AF_INET6, literal.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(static_cast<uint16_t>(port));
    length = sizeof *v6;
  } else {
    throw std::runtime_error("cannot listen on " + address + ": not an IP address");
  }
  listen_fd_ = socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int yes = 1, no = 0;
  setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (storage.ss_family == AF_INET6 && IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr))
    setsockopt(listen_fd_, IPPROTO_IPV6, IPV6_V6ONLY, &no, sizeof no);  // :: takes IPv4 too
  if (listen_fd_ < 0 || ::bind(listen_fd_, reinterpret_cast<sockaddr*>(&storage), length) != 0 ||
      listen(listen_fd_, 1024) != 0)
    throw std::runtime_error("cannot listen on " + address + ":" + std::to_string(port) + ": " +
                             std::strerror(errno));
  socklen_t size = sizeof storage;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&storage), &size);
  return ntohs(storage.ss_family == AF_INET ? v4->sin_port : v6->sin6_port);
}

void HttpServer::stop() {
  char byte = 1;
  [[maybe_unused]] ssize_t ignored = write(wake_pipe_[1], &byte, 1);
}

// [SECTION] the loop
void HttpServer::serve() {
  Clock::time_point accept_paused_until{};
  for (;;) {
    Clock::time_point now = Clock::now();
    std::vector<pollfd> fds{{wake_pipe_[0], POLLIN, 0}};
    bool polling_listener =
        (connections_.size() < limits_.max_connections || evictable(now) != nullptr) &&
        now >= accept_paused_until;
    if (polling_listener) fds.push_back({listen_fd_, POLLIN, 0});
    std::vector<int> ids;
    for (auto& [id, connection] : connections_) {
      short events = 0;
      if (connection->state == Connection::State::Reading ||
          connection->state == Connection::State::Draining)
        events = POLLIN;
      if (connection->state == Connection::State::Writing) events = POLLOUT;
      if (!events) continue;
      fds.push_back({connection->fd, events, 0});
      ids.push_back(id);
    }
    int ready = poll(fds.data(), fds.size(), poll_timeout_ms(now));
    if (ready < 0 && errno != EINTR) throw std::runtime_error("poll failed");
    if (fds[0].revents) return;  // stop() was called
    size_t first = polling_listener ? 2 : 1;
    for (size_t i = first; ready > 0 && i < fds.size(); ++i) {
      if (!fds[i].revents) continue;
      auto it = connections_.find(ids[i - first]);
      if (it == connections_.end()) continue;  // closed while serving an earlier one
      Connection& connection = *it->second;
      if (connection.state != Connection::State::Writing) {
        on_readable(connection);
      } else if (fds[i].revents & POLLOUT) {
        on_writable(connection);
        // Sent: go on with requests pipelined behind it (if still open).
        auto still = connections_.find(ids[i - first]);
        if (still != connections_.end() && still->second->state == Connection::State::Reading &&
            !still->second->in.empty())
          process_buffered(*still->second);
      } else {
        close_connection(connection.id);  // POLLERR or POLLHUP: the client is gone
      }
    }
    if (polling_listener && (fds[1].revents & POLLIN)) {
      accept_all();
      if (errno == EMFILE || errno == ENFILE)
        accept_paused_until = Clock::now() + std::chrono::milliseconds(100);
    }
    expire(Clock::now());
  }
}

int HttpServer::poll_timeout_ms(Clock::time_point now) const {
  auto wait = std::chrono::milliseconds(1000);
  for (const auto& [id, connection] : connections_) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(connection->deadline - now);
    wait = std::min(wait, std::max(left + std::chrono::milliseconds(1), std::chrono::milliseconds(0)));
  }
  return static_cast<int>(wait.count());
}

// When every place is taken, a newcomer takes the place of the oldest
// connection that has not been answered with success yet (no token, a
// dribbled head, an idle connect) and has been open a while: clients that
// proved themselves keep theirs, whoever fills the rest.
HttpServer::Connection* HttpServer::evictable(Clock::time_point now) const {
  for (const auto& [id, connection] : connections_)  // by id: oldest first
    if (!connection->proven && now - connection->opened >= kEvictableAfter)
      return connection.get();
  return nullptr;
}

void HttpServer::accept_all() {
  errno = 0;
  for (;;) {
    bool full = connections_.size() >= limits_.max_connections;
    if (full && !evictable(Clock::now())) break;  // the rest wait in the listen backlog
    sockaddr_storage address{};
    socklen_t length = sizeof address;
    int fd = accept4(listen_fd_, reinterpret_cast<sockaddr*>(&address), &length,
                     SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: all taken; EMFILE: the caller pauses
    if (full) close_connection(evictable(Clock::now())->id);
    int yes = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &yes, sizeof yes);
    admit(fd, peer_key(address));
  }
  errno = 0;
}

// [SECTION] admission: a peer's active slots, then its queue, then 503
void HttpServer::admit(int fd, const std::string& peer) {
  auto connection = std::make_unique<Connection>();
  connection->id = next_id_++;
  connection->fd = fd;
  connection->peer = peer;
  Connection& added = *connection;
  connections_[added.id] = std::move(connection);
  Peer& counts = peers_[peer];
  if (counts.active < limits_.max_active_per_peer) {
    activate(added);
  } else if (counts.waiting.size() < limits_.max_waiting_per_peer) {
    added.state = Connection::State::Waiting;
    added.deadline = Clock::now() + limits_.wait_timeout;
    counts.waiting.push_back(added.id);
  } else {
    refuse_and_close(added, 503, "too many connections from your address");
  }
}

void HttpServer::activate(Connection& connection) {
  peers_[connection.peer].active++;
  connection.counted_active = true;
  connection.state = Connection::State::Reading;
  connection.deadline = Clock::now() + limits_.head_timeout;
}

// [SECTION] reading requests
void HttpServer::on_readable(Connection& connection) {
  char buffer[16384];
  ssize_t got = recv(connection.fd, buffer, sizeof buffer, 0);
  if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR)) {
    close_connection(connection.id);
    return;
  }
  if (got < 0 || connection.state != Connection::State::Reading) return;  // Draining: discarded
  connection.in.append(buffer, static_cast<size_t>(got));
  process_buffered(connection);
}

// Answers the whole request heads buffered one after the other (pipelined
// requests) for as long as each response goes out at once: a loop, so that
// any number of pipelined requests takes no stack. A response that has to
// wait for the socket stops it; serve() comes back here when it is sent.
void HttpServer::process_buffered(Connection& first) {
  const int id = first.id;
  for (;;) {
    auto it = connections_.find(id);
    if (it == connections_.end()) return;  // closed while answering
    Connection& connection = *it->second;
    if (connection.state != Connection::State::Reading) return;
    // Empty lines before a request line are allowed (RFC 9112 section 2.2).
    size_t skip = connection.in.find_first_not_of("\r\n");
    connection.in.erase(0, skip == std::string::npos ? connection.in.size() : skip);
    size_t end = head_end(connection.in);
    if (end == std::string::npos) {
      if (connection.in.size() > limits_.max_head_bytes)
        refuse_and_close(connection, 431, "the request head is too large");
      return;
    }
    if (end > limits_.max_head_bytes)
      return refuse_and_close(connection, 431, "the request head is too large");
    std::string head = connection.in.substr(0, end);
    connection.in.erase(0, end);
    ParsedRequest parsed = parse_request_head(head);
    if (!parsed.request)
      return refuse_and_close(connection, parsed.error.status, parsed.error.reason);
    ++connection.requests;
    if (!answer(connection, *parsed.request)) return;  // deferred: asked again later
  }
}

bool HttpServer::answer(Connection& connection, const HttpRequest& request) {
  HttpResponse response = handler_.handle(request);
  if (response.defer) {
    connection.state = Connection::State::Deferred;
    if (!connection.deferred) connection.deferred_since = Clock::now();
    connection.deadline = Clock::now() + kDeferredRetry;
    connection.deferred = request;
    return false;
  }
  connection.deferred.reset();
  // A client refused for who it is (no or a wrong token, a foreign Host)
  // does not keep its connection, nor a slot, by asking again and again.
  if (response.status == 401 || response.status == 403 || response.status == 421)
    response.close_connection = true;
  else if (response.status < 400)
    connection.proven = true;
  if (!request.wants_keep_alive() || connection.requests >= limits_.max_requests_per_connection)
    response.close_connection = true;
  start_response(connection, std::move(response), request.method == "HEAD");
  return true;
}

// The deferred request's time to be asked again: answered now, the requests
// pipelined behind it follow (as after any response that had to wait).
void HttpServer::answer_deferred(Connection& connection) {
  const int id = connection.id;
  HttpRequest request = *connection.deferred;
  request.deferred_for = std::chrono::duration_cast<std::chrono::milliseconds>(
      Clock::now() - connection.deferred_since);
  if (!answer(connection, request)) return;
  auto still = connections_.find(id);
  if (still != connections_.end() && still->second->state == Connection::State::Reading &&
      !still->second->in.empty())
    process_buffered(*still->second);
}

// [SECTION] writing responses
void HttpServer::start_response(Connection& connection, HttpResponse response, bool head_only) {
  std::string head = "HTTP/1.1 " + std::to_string(response.status) + " " +
                     status_text(response.status) + "\r\n";
  for (const auto& [name, value] : response.headers) head += name + ": " + value + "\r\n";
  head += "Content-Length: " + std::to_string(response.content_length()) + "\r\n";
  head += response.close_connection ? "Connection: close\r\n\r\n" : "Connection: keep-alive\r\n\r\n";
  connection.out_head = std::move(head);
  connection.head_sent = 0;
  connection.parts = head_only ? std::vector<BodyPart>{} : std::move(response.body);
  connection.part = 0;
  connection.part_sent = 0;
  connection.close_after = response.close_connection;
  connection.state = Connection::State::Writing;
  connection.deadline = Clock::now() + limits_.write_timeout;
  on_writable(connection);
}

void HttpServer::on_writable(Connection& connection) {
  for (;;) {
    ssize_t sent;
    if (connection.head_sent < connection.out_head.size()) {
      sent = send(connection.fd, connection.out_head.data() + connection.head_sent,
                  connection.out_head.size() - connection.head_sent, MSG_NOSIGNAL);
      if (sent > 0) connection.head_sent += static_cast<size_t>(sent);
    } else if (connection.part < connection.parts.size()) {
      const BodyPart& part = connection.parts[connection.part];
      uint64_t left = part.length - connection.part_sent;
      if (left == 0) {
        ++connection.part;
        connection.part_sent = 0;
        continue;
      }
      size_t chunk = static_cast<size_t>(std::min<uint64_t>(left, 1 << 20));
      if (part.bytes) {
        sent = send(connection.fd, part.bytes->data() + part.offset + connection.part_sent, chunk,
                    MSG_NOSIGNAL);
      } else {
        off_t offset = static_cast<off_t>(part.offset + connection.part_sent);
        sent = sendfile(connection.fd, part.fd, &offset, chunk);
        if (sent == 0) sent = -1, errno = EIO;  // the file is shorter than promised
      }
      if (sent > 0) connection.part_sent += static_cast<uint64_t>(sent);
    } else {
      finish_response(connection);
      return;
    }
    if (sent < 0) {
      if (errno == EAGAIN || errno == EINTR) return;  // poll says when to go on
      close_connection(connection.id);
      return;
    }
    connection.deadline = Clock::now() + limits_.write_timeout;  // progress
  }
}

void HttpServer::finish_response(Connection& connection) {
  connection.out_head.clear();
  connection.parts.clear();
  if (connection.close_after) {
    // Closing with unread input would reset the connection and could destroy
    // the response in flight: shut down our side, then drain briefly.
    shutdown(connection.fd, SHUT_WR);
    connection.state = Connection::State::Draining;
    connection.deadline = Clock::now() + std::chrono::seconds(2);
    return;
  }
  // Pipelined requests already buffered are answered by process_buffered's
  // loop (or serve()'s, after a response that had to wait).
  connection.state = Connection::State::Reading;
  connection.deadline = Clock::now() + limits_.head_timeout;
}

void HttpServer::refuse_and_close(Connection& connection, int status, const std::string& reason) {
  HttpResponse response = handler_.refuse(status, reason);
  response.close_connection = true;
  start_response(connection, std::move(response), false);
}

// [SECTION] deadlines and closing
void HttpServer::expire(Clock::time_point now) {
  std::vector<int> late;
  for (auto& [id, connection] : connections_)
    if (connection->deadline <= now) late.push_back(id);
  for (int id : late) {
    auto it = connections_.find(id);
    if (it == connections_.end()) continue;
    Connection& connection = *it->second;
    if (connection.state == Connection::State::Deferred) {
      answer_deferred(connection);
    } else if (connection.state == Connection::State::Waiting) {
      auto& queue = peers_[connection.peer].waiting;
      queue.erase(std::remove(queue.begin(), queue.end(), id), queue.end());
      refuse_and_close(connection, 503, "the server is busy with your other connections");
    } else if (connection.state == Connection::State::Reading && !connection.in.empty()) {
      refuse_and_close(connection, 408, "the request head took too long to arrive");
    } else {
      close_connection(id);
    }
  }
}

void HttpServer::close_connection(int id) {
  auto it = connections_.find(id);
  if (it == connections_.end()) return;
  std::unique_ptr<Connection> connection = std::move(it->second);
  connections_.erase(it);
  close(connection->fd);
  Peer& counts = peers_[connection->peer];
  if (connection->state == Connection::State::Waiting)
    counts.waiting.erase(std::remove(counts.waiting.begin(), counts.waiting.end(), id),
                         counts.waiting.end());
  if (connection->counted_active) {
    --counts.active;
    while (counts.active < limits_.max_active_per_peer && !counts.waiting.empty()) {
      int next = counts.waiting.front();
      counts.waiting.pop_front();
      auto waiting = connections_.find(next);
      if (waiting == connections_.end()) continue;
      activate(*waiting->second);
      break;
    }
  }
  if (counts.active == 0 && counts.waiting.empty()) peers_.erase(connection->peer);
}

}  // namespace lurk::server
