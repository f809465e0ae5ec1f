// Bytes as gzip-compressed base64 text: how a standalone HTML file carries
// the profile and the viewer's WebAssembly (html_export.h). The page unpacks
// them with the browser's DecompressionStream('gzip') (web/lurk-export.js).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace lurk::cli {

// gzip (zlib, level 6: most of level 9's size for much less time on big profiles).
std::string gzip_bytes(std::string_view bytes);
std::string base64_text(std::string_view bytes);
inline std::string packed_text(std::string_view bytes) { return base64_text(gzip_bytes(bytes)); }

}  // namespace lurk::cli
