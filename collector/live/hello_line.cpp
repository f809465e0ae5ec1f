#include "live/hello_line.h"

#include <nlohmann/json.hpp>

namespace lurk::live {

std::optional<Hello> parse_hello(std::string_view line, std::string& error) {
  nlohmann::json value = nlohmann::json::parse(line, nullptr, false);
  if (value.is_discarded() || !value.is_object()) return std::nullopt;
  auto lurk = value.find("lurk");
  if (lurk == value.end() || !lurk->is_string() || *lurk != "hello") return std::nullopt;
  Hello hello;
  auto text_field = [&](const char* key, std::string& out) {
    auto it = value.find(key);
    if (it == value.end()) return;
    if (it->is_string()) out = it->get<std::string>();
    else error = std::string("hello line: expected \"") + key + "\" to be a string";
  };
  text_field("name", hello.name);
  text_field("token", hello.token);
  auto version = value.find("version");
  if (version != value.end() && (!version->is_number_integer() || *version != 1))
    error = "hello line: version " + version->dump() + " is not one this lurk speaks (1)";
  if (hello.name.size() > 200) error = "hello line: name longer than 200 bytes";
  // The name is printed on the collector's terminal: no control characters.
  for (unsigned char c : hello.name)
    if (c < 0x20 || c == 0x7f) error = "hello line: name holds control characters";
  return hello;
}

}  // namespace lurk::live
