// A small HTTP/1.1 server for `lurk view` that stays answerable when clients
// misbehave (docs/server.md): one thread runs a poll() loop over non-blocking
// sockets, so a slow or stalled client costs a descriptor and a few KB, never
// a worker. Every connection has a deadline (the whole request head must
// arrive within head_timeout; a response must make progress within
// write_timeout); each peer address (IPv6: its /64) may hold at most
// max_active_per_peer connections being served, its extra connections wait
// in its own queue, and the total is capped. Loopback (127/8, ::1) is one
// peer. A client refused for who it is (401, 403, 421) is disconnected; when
// the total is reached, a newcomer takes the place of the oldest connection
// never answered with success, so clients with the token keep theirs.
// Requests are handed to an HttpHandler; the server owns framing,
// keep-alive, HEAD and timeouts. A handler may defer an answer
// (HttpResponse::defer): the connection waits, its request is handed over
// again every few milliseconds, and the loop serves everyone else meanwhile.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "server/http_request.h"
#include "server/http_response.h"

namespace lurk::server {

class HttpHandler {
 public:
  virtual ~HttpHandler() = default;
  virtual HttpResponse handle(const HttpRequest& request) = 0;
  // The answer to a request refused before it reached handle() (malformed,
  // too slow, too many connections): same security headers as any other.
  virtual HttpResponse refuse(int status, const std::string& reason) = 0;
};

struct ServerLimits {
  std::chrono::milliseconds head_timeout{10000};   // from connection (or last response) to a full head
  std::chrono::milliseconds write_timeout{15000};  // longest time a response may make no progress
  std::chrono::milliseconds wait_timeout{30000};   // longest wait in a peer's queue
  size_t max_head_bytes = 16384;
  size_t max_connections = 1024;      // open client sockets, served and waiting
  size_t max_active_per_peer = 64;    // served at once for one address
  size_t max_waiting_per_peer = 512;  // queued behind those; more are answered 503
  size_t max_requests_per_connection = 1000;
};

class HttpServer {
 public:
  HttpServer(HttpHandler& handler, ServerLimits limits = {});
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Listens on ADDRESS:PORT (IPv4 or IPv6 literal, or "localhost"); port 0
  // picks a free one. Returns the bound port; throws with the reason.
  int bind(const std::string& address, int port);
  // Runs until stop(). stop() is async-signal-safe (a write to a pipe).
  void serve();
  void stop();

 private:
  struct Connection;
  struct Peer {
    size_t active = 0;
    std::deque<int> waiting;  // connection ids
  };
  using Clock = std::chrono::steady_clock;

  void accept_all();
  Connection* evictable(Clock::time_point now) const;
  void admit(int fd, const std::string& peer);
  void activate(Connection& connection);
  void on_readable(Connection& connection);
  void process_buffered(Connection& connection);
  // Handles one request (or asks again for a deferred one); false when the
  // answer is deferred.
  bool answer(Connection& connection, const HttpRequest& request);
  void answer_deferred(Connection& connection);
  void start_response(Connection& connection, HttpResponse response, bool head_only);
  void on_writable(Connection& connection);
  void finish_response(Connection& connection);
  void expire(Clock::time_point now);
  void refuse_and_close(Connection& connection, int status, const std::string& reason);
  void close_connection(int id);
  int poll_timeout_ms(Clock::time_point now) const;

  HttpHandler& handler_;
  ServerLimits limits_;
  int listen_fd_ = -1;
  int wake_pipe_[2] = {-1, -1};
  int next_id_ = 1;
  std::map<int, std::unique_ptr<Connection>> connections_;
  std::map<std::string, Peer> peers_;
};

}  // namespace lurk::server
