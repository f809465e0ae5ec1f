// A measured range's counts asked of `lurk view --native` (remote_measure.h).
#include "core/remote_measure.h"

#include <nlohmann/json.hpp>

#include "core/frame_request.h"

namespace lurk::ui {

void RemoteMeasure::ask(double t0, double t1) {
  std::string query = measure_request_query(t0, t1);
  if (query == query_) return;
  query_ = query;
  send();
}

void RemoteMeasure::send() {
  counts_.reset();
  note_ = "counting\xe2\x80\xa6";
  ++sent_;
  send_(query_);
}

void RemoteMeasure::refresh() {
  if (!query_.empty() && !counts_) send();
}

void RemoteMeasure::receive(const std::string& query, const std::string& json) {
  if (query != query_) return;  // an answer for a range no longer measured
  nlohmann::json j = nlohmann::json::parse(json, nullptr, false);
  auto count = [&](const char* name, int64_t& out) {
    if (!j.contains(name) || !j[name].is_number_integer()) return false;
    out = j[name].get<int64_t>();
    return out >= 0;
  };
  RangeCounts c;
  bool marks = j.is_object() && j.contains("marks") && j["marks"].is_object();
  for (size_t k = size_t(MarkKind::ZeroWindow); marks && k < c.marks.size(); ++k) {
    const char* name = mark_kind_name(MarkKind(k));
    marks = j["marks"].contains(name) && j["marks"][name].is_number_integer() &&
            (c.marks[k] = j["marks"][name].get<int64_t>()) >= 0;
  }
  if (marks && count("packets", c.packets) && count("spans", c.spans) && count("instants", c.instants)) {
    counts_ = c;
    note_.clear();
  } else if (j.is_object() && j.contains("pending") && j["pending"].is_string()) {
    note_ = j["pending"].get<std::string>();
  } else {
    note_ = "counts from lurk view could not be read";
  }
}

void RemoteMeasure::fail(const std::string& query, const std::string& message) {
  if (query == query_) note_ = "no counts from lurk view: " + message;
}

}  // namespace lurk::ui
