// What `lurk collect` shows while it runs: on a terminal, a table of the
// senders (events, errors, what is committed, the event rate) redrawn once a
// second, and a line when a sender comes or goes; nothing when stderr is not
// a terminal (the summary at the end is printed either way, by the command).
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

namespace lurk::live {

class SenderSession;

class CollectStatus {
 public:
  explicit CollectStatus(bool on_terminal) : on_terminal_(on_terminal) {}

  void sender_started(const SenderSession& s);
  void sender_ended(const SenderSession& s);
  void refused(const std::string& peer, const std::string& why);
  // Redraws the table when a second has passed since the last time.
  void tick(const std::vector<std::unique_ptr<SenderSession>>& sessions);
  void clear();

 private:
  void say(const std::string& line);

  bool on_terminal_;
  int drawn_lines_ = 0;
  std::chrono::steady_clock::time_point last_draw_{};
  int64_t last_total_events_ = 0;
};

}  // namespace lurk::live
