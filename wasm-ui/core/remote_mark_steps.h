// `]` / `[` in server-backed viewing (`lurk view --native`, docs/server.md):
// the page's outline knows no flagged packet nor exception instant, so the
// mark to step to is asked of the native process (GET /mark,
// core/frame_request.h MarkRequest), through a function the platform gives.
// Only the answer to the step asked last is taken: a key pressed twice
// before the first answer came steps from where the page was when it was
// pressed the second time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>

#include "core/frame_request.h"
#include "core/remote_answers.h"
#include "core/item_ref.h"

namespace lurk::ui {

class RemoteMarkSteps : public RemoteAnswers {
 public:
  explicit RemoteMarkSteps(Send send) : send_(std::move(send)) {}
  void ask(const MarkRequest& request);
  // A /mark answer's JSON: {"sel", "t", "kind"}, {"none": true} or {"pending": why}.
  void receive(const std::string& query, const std::string& json) override;
  void fail(const std::string& query, const std::string& message) override;
  // The mark stepped to (its item and relative time), once: taken by the
  // timeline, which selects it and brings it into view.
  std::optional<std::pair<ItemRef, double>> take();
  // Why the last step went nowhere ("" when it did, or none was asked).
  const std::string& note() const { return note_; }
  // Counts the answers that went nowhere (the page shows each note a while).
  uint64_t notes() const { return notes_; }
  uint64_t requests_sent() const { return sent_; }

 private:
  Send send_;
  std::string query_;
  std::optional<std::pair<ItemRef, double>> arrived_;
  std::string note_;
  uint64_t notes_ = 0;
  uint64_t sent_ = 0;
};

}  // namespace lurk::ui
