// Which promises of a mirage-profile trace serve which TCP connection, from
// the trace alone (docs/ctf.md, "Connections from the trace"). Pure: the
// caller loads the promises, labels and flows and stores the answer
// (trace/trace_connections.cpp).
//
// A connection starts at a root label (`TCP connect`, `new-server-connection`)
// on a promise. Sweeping the trace's events in time order, a promise joins
// the connection of a member that creates it, becomes it or is become by it
// (`certain`: the root's label tree), or that reads it, resolves it, signals
// it or tried to read it, either way (`likely`: the flow rule); a promise that
// joins brings the children it made since the connection began. Nothing joins
// after the connection's close (the resolution of its member labelled
// `urx_close`, or without one a member's `Close socket` label). Promises that
// existed before the root (the program's main loops) never join; a likely
// member reached from a second connection goes to neither.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace lurk {

struct PromiseInfo {
  int64_t id = 0;                    // threads.id
  std::optional<int64_t> parent_id;  // its creator
  std::optional<int64_t> start_ns;   // NULL: existed before the trace began
  std::optional<int64_t> end_ns;
  std::optional<int64_t> became_id;
};

struct PromiseLabel {
  int64_t thread_id = 0;
  int64_t ts_ns = 0;
  std::string text;
};

struct PromiseFlow {
  int64_t from_thread = 0, to_thread = 0;
  int64_t ts_ns = 0;
};

enum class Certainty { Certain, Likely };

struct PromiseConnection {
  int64_t root_thread = 0;
  std::string root_label;
  int64_t first_ns = 0, last_ns = 0;
  std::optional<int64_t> close_ns;  // when the trace saw it close
  std::vector<std::pair<int64_t, Certainty>> members;  // threads.id, root first
};

bool is_connection_root_label(std::string_view text);

// What a close causes (the handler failing, the stack's last segments)
// happens within this of it; a member pending at the close that ends later
// (a connect timeout's timer firing seconds on) does not stretch last_ns.
inline constexpr int64_t kAfterCloseNs = 500'000'000;

std::vector<PromiseConnection> find_promise_connections(const std::vector<PromiseInfo>& promises,
                                                        const std::vector<PromiseLabel>& labels,
                                                        const std::vector<PromiseFlow>& flows);

}  // namespace lurk
