// A connection's packets for its graphs in server-backed viewing
// (`lurk view --native`, docs/server.md): the page's outline holds no
// packet, so the graphs under the timeline ask the native process for the
// selected connection's (GET /samples, core/sample_wire.h) through a
// function the platform gives. The last connection asked is kept: the
// graphs show one connection at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/remote_answers.h"
#include "core/stevens_series.h"

namespace lurk::ui {

class RemoteConnectionSamples : public RemoteAnswers {
 public:
  // `send` asks GET /samples?QUERY.
  explicit RemoteConnectionSamples(Send send) : send_(std::move(send)) {}
  // The packets of `connection` (profile id) once they are in; asks for
  // them when it is not the connection asked last.
  const std::vector<TcpSample>* get(int64_t connection);
  // A /samples answer's bytes.
  void receive(const std::string& query, const std::string& body) override;
  void fail(const std::string& query, const std::string& message) override;
  // Why the connection asked last has no samples ("" while they are on their way).
  const std::string& problem() const { return problem_; }
  uint64_t requests_sent() const { return sent_; }

 private:
  Send send_;
  std::string query_;  // of the connection asked last
  std::optional<std::vector<TcpSample>> samples_;
  std::string problem_;
  uint64_t sent_ = 0;
};

}  // namespace lurk::ui
