// Findings' targets from `lurk view --native` (remote_finding_target.h).
#include "core/remote_finding_target.h"

#include <cmath>
#include <nlohmann/json.hpp>

#include "core/frame_request.h"

namespace lurk::ui {

void RemoteFindingTarget::ask(int64_t finding_id) {
  query_ = finding_request_query(finding_id);
  arrived_.reset();
  note_.clear();
  send_(query_);
}

void RemoteFindingTarget::receive(const std::string& query, const std::string& json) {
  if (query != query_) return;  // a finding asked before the last one
  query_.clear();
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (!j.is_object() || !j.contains("sel")) {
    note_ = "the finding's target from lurk view could not be read";
    return;
  }
  FindingTarget target;
  if (j["sel"].is_string()) {
    try {
      target.item = parse_item_request("sel=" + j["sel"].get<std::string>());
    } catch (const FrameRequestError&) {
      note_ = "the finding's item from lurk view could not be read";
      return;
    }
  }
  if (j.contains("t0") && j.contains("t1") && j["t0"].is_number() && j["t1"].is_number() &&
      std::isfinite(j["t0"].get<double>()) && std::isfinite(j["t1"].get<double>()) &&
      j["t0"].get<double>() < j["t1"].get<double>()) {
    target.has_window = true;
    target.t0_ns = j["t0"].get<double>();
    target.t1_ns = j["t1"].get<double>();
  }
  arrived_ = target;
}

void RemoteFindingTarget::fail(const std::string& query, const std::string& message) {
  if (query != query_) return;
  query_.clear();
  note_ = "no target for this finding from lurk view: " + message;
}

std::optional<FindingTarget> RemoteFindingTarget::take() {
  std::optional<FindingTarget> out = std::move(arrived_);
  arrived_.reset();
  return out;
}

}  // namespace lurk::ui
