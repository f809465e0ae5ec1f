// Items' details asked of `lurk view --native` (remote_item_details.h).
#include "core/remote_item_details.h"

#include <cmath>

#include <nlohmann/json.hpp>

#include "core/frame_request.h"

namespace lurk::ui {

const ItemDetails* RemoteItemDetails::get(const ItemRef& item) {
  std::string query = item_request_query(item);
  auto it = received_.find(query);
  if (it != received_.end()) return &it->second;
  if (asked_.insert(query).second) {
    ++sent_;
    send_(query);
  }
  return nullptr;
}

std::string RemoteItemDetails::read(const std::string& query, const std::string& json) {
  if (!asked_.count(query)) return "an answer to an item not asked for";
  if (received_.size() >= kMaxKept) received_.clear();
  ItemDetails& d = received_[query];
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  if (j.is_discarded() || !j.is_object() || !j.contains("title") || !j["title"].is_string() ||
      !j.contains("fields") || !j["fields"].is_array()) {
    d.title = "details from lurk view could not be read (not the expected JSON)";
    return d.title;
  }
  d.title = j["title"].get<std::string>();
  for (const nlohmann::json& f : j["fields"])
    if (f.is_array() && f.size() == 2 && f[0].is_string() && f[1].is_string())
      d.fields.push_back({f[0].get<std::string>(), f[1].get<std::string>()});
  if (j.contains("t0") && j["t0"].is_number() && j.contains("t1") && j["t1"].is_number() &&
      std::isfinite(j["t0"].get<double>()) && std::isfinite(j["t1"].get<double>()) &&
      j["t0"].get<double>() <= j["t1"].get<double>())
    d.extent = std::make_pair(j["t0"].get<double>(), j["t1"].get<double>());
  return "";
}

void RemoteItemDetails::fail(const std::string& query, const std::string& message) {
  if (!asked_.count(query)) return;
  if (received_.size() >= kMaxKept) received_.clear();
  received_[query].title = "details not available from lurk view: " + message;
}

}  // namespace lurk::ui
