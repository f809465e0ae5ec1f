#include "importers/lurk_jsonl_importer.h"

#include <nlohmann/json.hpp>

#include <string>

#include "importers/lurk_jsonl_stream.h"
#include "ingest/byte_source.h"
#include "ingest/ingest_context.h"

namespace lurk {

namespace {
constexpr size_t kChunkBytes = 256 * 1024;
}  // namespace

// The first line is a JSON object whose "lurk" is "jsonl".
bool LurkJsonlImporter::sniff(std::span<const uint8_t> head) const {
  std::string_view text(reinterpret_cast<const char*>(head.data()), head.size());
  if (text.starts_with("\xef\xbb\xbf")) text.remove_prefix(3);
  size_t i = text.find_first_not_of(" \t");
  if (i == std::string_view::npos || text[i] != '{') return false;
  size_t end = text.find('\n');
  if (end == std::string_view::npos) end = text.size();
  nlohmann::json first = nlohmann::json::parse(text.substr(0, end), nullptr, false);
  if (first.is_discarded() || !first.is_object()) return false;
  auto lurk = first.find("lurk");
  return lurk != first.end() && lurk->is_string() && *lurk == "jsonl";
}

void LurkJsonlImporter::import(ByteSource& in, IngestContext& ctx) const {
  LurkJsonlStream stream(ctx);
  std::string chunk(kChunkBytes, '\0');
  for (size_t got; (got = in.read(chunk.data(), chunk.size())) > 0;) stream.feed(chunk.data(), got);
  stream.finish();
}

}  // namespace lurk
