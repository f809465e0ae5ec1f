// A measured range's counts in server-backed viewing (`lurk view --native`,
// docs/server.md): the page holds the profile's outline only, so the
// packets, spans and instants inside a range dragged on the ruler are
// counted by the native process (GET /measure, core/range_counts.h). One
// range at a time: asked when it changes, through a function the platform
// gives; the answer is kept for that range. An answer that says why there
// are no counts (lurk view still making its lane store) is asked again on
// refresh() (each time the background's state moves on).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/range_counts.h"
#include "core/remote_answers.h"

namespace lurk::ui {

class RemoteMeasure : public RemoteAnswers {
 public:
  // `send` asks GET /measure?QUERY.
  explicit RemoteMeasure(Send send) : send_(std::move(send)) {}
  // The range measured now (relative ns); asks for it unless it is the
  // range asked last.
  void ask(double t0, double t1);
  void clear() { query_.clear(), counts_.reset(), note_.clear(); }
  // A /measure answer's JSON: {"packets", "spans", "instants", "marks":
  // {kind name: count}} or {"pending": why}.
  void receive(const std::string& query, const std::string& json) override;
  void fail(const std::string& query, const std::string& message) override;
  // Asks again when the last answer had no counts.
  void refresh();
  // The counts of the range asked last, once they are in (marks by
  // MarkKind, as named by mark_kind_name).
  const std::optional<RangeCounts>& counts() const { return counts_; }
  // Why there are none yet ("counting…" while asked, the server's reason).
  const std::string& note() const { return note_; }
  uint64_t requests_sent() const { return sent_; }

 private:
  void send();
  Send send_;
  std::string query_;
  std::optional<RangeCounts> counts_;
  std::string note_;
  uint64_t sent_ = 0;
};

}  // namespace lurk::ui
