// A mirage-profile CTF trace of a TCP server, built with the CTF builder
// (ctf_trace_builder.h) for the tests of connections recognised from a trace
// alone (docs/ctf.md, "Connections from the trace"): a listener promise that
// existed before the trace, and per connection the promises mirage-tcpip
// labels: a handler labelled `new-server-connection`, its `take rx_data` task
// and the bind reading it, its `urx_close` waiter, the listener's `put
// rx_data` promise resolving the task, the handler's `Close socket` label,
// the listener resolving the `urx_close` waiter 1 us later (the close), and
// then the handler failing (mirage-tcpip#153: Invalid_argument
// "Lwt.wakeup_result") or resolving. A promise the listener creates during
// the first connection fails on its own (`Xs_protocol.Enoent("read")`).
// Used by the unit tests and by tests/tools/make_ctf_server.cpp.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace lurk::test {

inline constexpr const char* kWakeupResult = "Invalid_argument(\"Lwt.wakeup_result\")";
inline constexpr const char* kOutsideFailure = "Xs_protocol.Enoent(\"read\")";

struct CtfServerSpec {
  std::vector<bool> fails_at_close;   // one per connection
  int64_t first_ns = 1'000'000'000;  // the first connection's start
  int64_t step_ns = 1'000'000;       // between connection starts (overlap when < length)
  int64_t length_ns = 1'500'000;     // from a connection's start to its handler's end
  // 0: the whole trace in one packet; else packets of this many events (a
  // live stream sends a ring's packets one by one: tests/cli/live_ctf_resume.py).
  size_t events_per_packet = 0;
  // Also the scheduler's and the stack's bookkeeping, whose state runs
  // across packets: switches (running periods), a byte counter increased
  // per connection, and `__should_resolve` on each close waiter (resolved)
  // and on each after-close promise (never resolved).
  bool with_scheduling = false;
};

// Promise ids (the trace's own, threads.ext_id) of connection `i`.
struct CtfServerConnection {
  int64_t handler, rx_take, rx_bind, close_waiter, netif_put, after_close;
  int64_t start_ns;
  int64_t close_label_ns;  // the handler's `Close socket`
  int64_t closed_ns;       // the `urx_close` waiter resolves: the connection's close
  int64_t end_ns;          // the handler fails or resolves
};
CtfServerConnection ctf_server_connection(const CtfServerSpec& spec, size_t i);

inline constexpr int64_t kListenerPromise = 1;
inline constexpr int64_t kOutsidePromise = 3;

// The whole ring buffer file (events in time order; one packet unless
// spec.events_per_packet says otherwise).
std::vector<uint8_t> build_ctf_server(const CtfServerSpec& spec);

}  // namespace lurk::test
