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
  text_field("stream", hello.stream);
  std::string format;
  text_field("format", format);
  if (format == "ctf") hello.format = StreamFormat::Ctf;
  else if (!format.empty() && format != "lurk-jsonl")
    error = "hello line: format \"" + format + "\" is not one this lurk reads (lurk-jsonl, ctf)";
  if (auto bytes = value.find("metadata_bytes"); bytes != value.end()) {
    if (!bytes->is_number_unsigned() || *bytes > kMaxCtfMetadataBytes)
      error = "hello line: metadata_bytes must be a byte count of at most " +
              std::to_string(kMaxCtfMetadataBytes);
    else if (hello.format != StreamFormat::Ctf)
      error = "hello line: metadata_bytes is for \"format\":\"ctf\" streams";
    else
      hello.metadata_bytes = bytes->get<uint64_t>();
  }
  auto version = value.find("version");
  if (version != value.end() && (!version->is_number_integer() || *version != 1))
    error = "hello line: version " + version->dump() + " is not one this lurk speaks (1)";
  if (hello.name.size() > 200) error = "hello line: name longer than 200 bytes";
  // The name is printed on the collector's terminal: no control characters.
  for (unsigned char c : hello.name)
    if (c < 0x20 || c == 0x7f) error = "hello line: name holds control characters";
  if (hello.stream.size() > 200) error = "hello line: stream id longer than 200 bytes";
  for (unsigned char c : hello.stream)
    if (c < 0x20 || c == 0x7f) error = "hello line: stream id holds control characters";
  return hello;
}

bool ctf_metadata_readable(std::string_view metadata, std::string& why) {
  // Not a TSDL parser: lurk reads one layout, and the metadata says whether
  // the stream has it by the trace UUID every mirage-profile writer uses.
  if (metadata.find("05883b8d-521a-487b-b397-456ab150680c") == std::string_view::npos) {
    why = "CTF metadata: not mirage-profile's (its trace uuid 05883b8d-521a-487b-b397-456ab150680c "
          "is not in it); lurk reads mirage-profile CTF only";
    return false;
  }
  if (metadata.find("byte_order = be") != std::string_view::npos) {
    why = "CTF metadata: big-endian (byte_order = be); mirage-profile streams are little-endian";
    return false;
  }
  return true;
}

}  // namespace lurk::live
