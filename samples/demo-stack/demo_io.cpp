// Socket helpers of the demo stack (see demo_io.h).
#include "demo_io.h"

#include <signal.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "jsonl_trace.h"

namespace lurk::demo {

std::atomic<bool> g_stop_requested{false};

namespace {
void request_stop(int) { g_stop_requested = true; }
}  // namespace

void stop_on_signals() {
  signal(SIGINT, request_stop);
  signal(SIGTERM, request_stop);
  signal(SIGPIPE, SIG_IGN);
}

void set_timeouts(int fd, int seconds) {
  timeval tv{seconds, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
}

std::string errno_text(const char* what) { return std::string(what) + ": " + std::strerror(errno); }

void write_all(int fd, const char* data, size_t size) {
  DEMO_FRAME();
  size_t done = 0;
  while (done < size) {
    ssize_t n = send(fd, data + done, size - done, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) throw StackError(errno_text("write"));
    done += size_t(n);
  }
}

size_t read_some(int fd, char* data, size_t size) {
  DEMO_FRAME();
  for (;;) {
    ssize_t n = recv(fd, data, size, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw StackError(errno_text("read"));
    return size_t(n);
  }
}

std::string read_line(int fd, size_t max_size) {
  DEMO_FRAME();
  std::string line;
  char c = 0;
  while (line.size() < max_size) {
    if (read_some(fd, &c, 1) == 0) throw StackError("read: the peer closed before a full line");
    if (c == '\n') return line;
    line += c;
  }
  throw StackError("read: line longer than " + std::to_string(max_size) + " bytes");
}

}  // namespace lurk::demo
