#include "live/collect_status.h"

#include <cstdio>

#include "live/sender_session.h"

namespace lurk::live {

void CollectStatus::clear() {
  if (!on_terminal_ || drawn_lines_ == 0) return;
  std::fprintf(stderr, "\x1b[%dA\x1b[J", drawn_lines_);  // up over the table, erase below
  drawn_lines_ = 0;
}

void CollectStatus::say(const std::string& line) {
  clear();
  std::fprintf(stderr, "lurk collect: %s\n", line.c_str());
}

void CollectStatus::sender_started(const SenderSession& s) {
  if (on_terminal_) say("+ " + s.name() + " (" + s.peer() + ")");
}

void CollectStatus::sender_ended(const SenderSession& s) {
  if (!on_terminal_) return;
  say("- " + s.name() + " (" + s.peer() + "): " + std::to_string(s.committed_events()) +
      " events, " + std::to_string(s.errors()) + " errors, " +
      std::to_string(s.committed_bytes()) + " bytes committed");
}

void CollectStatus::refused(const std::string& peer, const std::string& why) {
  // A refusal is said even when piped: the sender is not in the profile.
  clear();
  std::fprintf(stderr, "lurk collect: refused %s: %s\n", peer.c_str(), why.c_str());
}

void CollectStatus::tick(const std::vector<std::unique_ptr<SenderSession>>& sessions) {
  if (!on_terminal_) return;
  auto now = std::chrono::steady_clock::now();
  double seconds = std::chrono::duration<double>(now - last_draw_).count();
  if (seconds < 1.0) return;
  int64_t total = 0;
  for (const auto& s : sessions) total += s->events();
  clear();
  double rate = last_draw_.time_since_epoch().count() == 0 || total < last_total_events_
                    ? 0.0
                    : double(total - last_total_events_) / seconds;
  std::fprintf(stderr, "  %-24s %-22s %12s %8s %14s\n", "sender", "peer", "events", "errors",
               "committed B");
  drawn_lines_ = 1;
  for (const auto& s : sessions) {
    if (!s->has_source()) continue;
    std::fprintf(stderr, "  %-24.24s %-22.22s %12lld %8lld %14lld\n", s->name().c_str(),
                 s->peer().c_str(), (long long)s->events(), (long long)s->errors(),
                 (long long)s->committed_bytes());
    ++drawn_lines_;
  }
  std::fprintf(stderr, "  %zu senders, %.0f events/s\n", sessions.size(), rate);
  ++drawn_lines_;
  last_draw_ = now;
  last_total_events_ = total;
}

}  // namespace lurk::live
