// Where a finding takes the timeline in server-backed viewing (`lurk view
// --native`, docs/server.md): the page's outline holds no packet nor
// exception instant, so the item a finding selects (the flagged packet, the
// exception) is worked out by the native process (GET /finding,
// core/finding_target.h there), through a function the platform gives.
// Only the answer to the finding asked last is taken.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/finding_target.h"
#include "core/remote_answers.h"

namespace lurk::ui {

class RemoteFindingTarget : public RemoteAnswers {
 public:
  explicit RemoteFindingTarget(Send send) : send_(std::move(send)) {}
  void ask(int64_t finding_id);
  // A /finding answer's JSON: {"sel": "K.L.I.C" or null, "t0", "t1"}.
  void receive(const std::string& query, const std::string& json) override;
  void fail(const std::string& query, const std::string& message) override;
  // The target, once: taken by the page, which goes there.
  std::optional<FindingTarget> take();
  const std::string& note() const { return note_; }
  // Asked, and neither answered nor taken yet.
  bool pending() const { return !query_.empty() || arrived_.has_value(); }

 private:
  Send send_;
  std::string query_;
  std::optional<FindingTarget> arrived_;
  std::string note_;
};

}  // namespace lurk::ui
