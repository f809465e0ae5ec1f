// `lurk collect` (docs/live.md): listens on a TCP address, reads every
// connected sender's trace into a source of its own in one .lurk profile,
// and commits what arrived in small batches (every `batch_interval_ms` and
// every `batch_events` events), each one transaction, so a profile killed
// mid-stream holds every batch committed before. One thread reads all the
// sockets (poll); SQLite's inserts run on the writer's background thread,
// whose bounded queue is the backpressure: when the file cannot keep up, the
// reading stops and the senders' sockets fill, nothing queues without bound.
// Each batch's end (counts, analysis, COMMIT, the acks) is a job on that
// thread too, while the reading goes on (batch_in_flight.h).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "live/listen_address.h"

namespace lurk::live {

struct CollectOptions {
  ListenAddress listen;
  std::string output;
  std::string token;                // required from every sender when set
  int batch_interval_ms = 250;
  int64_t batch_events = 100000;
  size_t max_senders = 64;
  size_t max_line_bytes = 1 << 20;
  // A sender whose host vanished (no FIN, no RST) is cut after about this
  // long without an answer from its machine (dead_peer.h): its stream id is
  // then free for its restarted sender.
  // 30 s: a restarted `lurk send --retry` gets through within half a minute
  // of its host vanishing, while a link that drops for a few seconds (a
  // Wi-Fi roam, a switch failing over) cuts no live sender.
  int sender_timeout_s = 30;
  bool progress = false;            // a live table of senders on stderr (a terminal)
  // Joins and findings per batch, and the whole-profile passes (clocks,
  // joins, findings) when stopping; false: rows only (lurk collect --no-analysis).
  bool analyse = true;
  std::string analysis_stats;       // a JSON line per batch: what its analysis cost (batch_cost.h)
  // Called once listening, with the port bound (for --listen HOST:0).
  std::function<void(int port)> on_listening;
};

struct SenderSummary {
  std::string name, peer;
  int64_t events = 0, errors = 0, committed_bytes = 0;
  bool refused = false;
  std::string refusal;
};

struct CollectSummary {
  std::vector<SenderSummary> senders;
  int64_t batches = 0;
};

// Runs until SIGINT or SIGTERM (installed here): then commits the last batch,
// analyses the profile and returns. Throws on what makes collecting
// impossible (the address cannot be bound, the profile cannot be written).
CollectSummary run_collector(const CollectOptions& options);

}  // namespace lurk::live
