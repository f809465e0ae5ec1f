// A file served with Range support (RFC 9110 section 14), shared by the
// profile's snapshot (/trace.lurk, trace_server.h) and its lane store
// (/trace.lanes, page_lanes.h): 206 with one range or a multipart/byteranges
// body of the merged ones (byte_ranges.h), 416 when none is satisfiable, or
// the whole file (200) when the header asks for it or is ignored.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "server/http_response.h"

namespace lurk::server {

struct ServedFile {
  std::shared_ptr<const void> owner;  // keeps `fd` open while the body is sent
  int fd = -1;
  uint64_t size = 0;
  std::string content_type;
};

// `range_header`: null when the request has none (or its If-Range did not match).
HttpResponse file_response(const std::string* range_header, const ServedFile& file);

}  // namespace lurk::server
