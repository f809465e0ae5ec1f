// Marks stepped to by `lurk view --native` (remote_mark_steps.h).
#include "core/remote_mark_steps.h"

#include <cmath>
#include <nlohmann/json.hpp>

namespace lurk::ui {

void RemoteMarkSteps::ask(const MarkRequest& request) {
  query_ = mark_request_query(request);
  arrived_.reset();
  note_.clear();
  ++sent_;
  send_(query_);
}

void RemoteMarkSteps::receive(const std::string& query, const std::string& json) {
  if (query != query_) return;  // a step asked before the last one
  query_.clear();
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_object() && j.contains("sel") && j["sel"].is_string() && j.contains("t") && j["t"].is_number() &&
      std::isfinite(j["t"].get<double>())) {
    try {
      ItemRef item = parse_item_request("sel=" + j["sel"].get<std::string>());
      arrived_ = std::make_pair(item, j["t"].get<double>());
      return;
    } catch (const FrameRequestError&) {
    }
  }
  if (j.is_object() && j.contains("none")) note_ = query.find("&q=") != std::string::npos ? "no matches" : "no finding marks";
  else if (j.is_object() && j.contains("pending") && j["pending"].is_string()) note_ = j["pending"].get<std::string>();
  else note_ = "the mark from lurk view could not be read";
  ++notes_;
}

void RemoteMarkSteps::fail(const std::string& query, const std::string& message) {
  if (query != query_) return;
  query_.clear();
  note_ = "no mark from lurk view: " + message;
  ++notes_;
}

std::optional<std::pair<ItemRef, double>> RemoteMarkSteps::take() {
  std::optional<std::pair<ItemRef, double>> out = std::move(arrived_);
  arrived_.reset();
  return out;
}

}  // namespace lurk::ui
