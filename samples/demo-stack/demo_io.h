// Socket helpers the demo client and server share: whole writes and reads
// that throw StackError (with the demo's call stack) on failure, socket
// timeouts so no run can hang, and the stop flag set by SIGINT/SIGTERM.
#pragma once

#include <atomic>
#include <cstddef>
#include <string>

namespace lurk::demo {

extern std::atomic<bool> g_stop_requested;
void stop_on_signals();  // SIGINT/SIGTERM set g_stop_requested; SIGPIPE ignored

void set_timeouts(int fd, int seconds);
void write_all(int fd, const char* data, size_t size);  // throws StackError
// Reads up to `size` bytes; 0 at the peer's FIN; throws StackError on errors.
size_t read_some(int fd, char* data, size_t size);
std::string read_line(int fd, size_t max_size);  // up to '\n' (excluded)
std::string errno_text(const char* what);       // "what: strerror(errno)"

}  // namespace lurk::demo
