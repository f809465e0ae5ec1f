// Anonymised trace arguments: see args_anonymizer.h.
#include "export/args_anonymizer.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

namespace lurk {
namespace {

using Json = nlohmann::ordered_json;

bool names_a_port(const std::string& key) {
  std::string lower(key);
  std::transform(lower.begin(), lower.end(), lower.begin(),
                 [](unsigned char c) { return char(std::tolower(c)); });
  return lower.size() >= 4 && lower.compare(lower.size() - 4, 4, "port") == 0;
}

}  // namespace

std::string ArgsAnonymizer::placeholder(const std::string& value) {
  auto [it, inserted] = placeholders_.try_emplace(value, int64_t(placeholders_.size()) + 1);
  return "arg#" + std::to_string(it->second);
}

std::string ArgsAnonymizer::text_value(const std::string& value) {
  if (std::optional<std::string> endpoint = rewriter_.map_endpoint(value)) return *endpoint;
  return keep_text_ ? rewriter_.rewrite(value) : placeholder(value);
}

std::string ArgsAnonymizer::anonymize(std::string_view args_json) {
  Json root = Json::parse(args_json, nullptr, false);
  if (root.is_discarded()) return text_value(std::string(args_json));
  // Depth-first over the value tree; `key` is the member name a value sits at.
  auto walk = [&](auto& self, Json& value, const std::string& key) -> void {
    if (value.is_object()) {
      Json renamed = Json::object();
      for (auto& [k, v] : value.items()) {
        self(self, v, k);
        renamed[rewriter_.rewrite(k)] = std::move(v);
      }
      value = std::move(renamed);
    } else if (value.is_array()) {
      for (Json& v : value) self(self, v, key);
    } else if (value.is_string()) {
      value = text_value(value.get<std::string>());
    } else if (value.is_number_integer() && rewriter_.maps_ports() && names_a_port(key)) {
      int64_t port = value.get<int64_t>();
      if (port > 0 && port <= 65535) value = int64_t(rewriter_.map_port(uint16_t(port)));
    }
  };
  walk(walk, root, "");
  return root.dump(-1, ' ', false, Json::error_handler_t::replace);
}

}  // namespace lurk
