// The answers the page asks `lurk view --native` for besides frames (GET
// /item, /measure, /mark, /finding, /samples: docs/server.md), each taken
// by the part of the page that asked (core/remote_item_details.h,
// remote_measure.h, remote_mark_steps.h, remote_finding_target.h,
// remote_samples.h) through this one interface: the platform hands every
// answer on the same way, by the path it was asked at
// (UiApp::remote_answer), and each asks through a function it is given.
#pragma once

#include <functional>
#include <string>

namespace lurk::ui {

class RemoteAnswers {
 public:
  // Starts an asynchronous GET of the path with this query; its answer
  // comes back through receive() (or fail()) with the same query.
  using Send = std::function<void(const std::string& query)>;
  virtual ~RemoteAnswers() = default;
  // The answer's body (JSON, or bytes for /samples).
  virtual void receive(const std::string& query, const std::string& body) = 0;
  virtual void fail(const std::string& query, const std::string& message) = 0;
};

}  // namespace lurk::ui
