// file_response (file_ranges.h).
#include "server/file_ranges.h"

#include "server/byte_ranges.h"

namespace lurk::server {
namespace {

const char* const kMultipartBoundary = "lurk-byteranges-7d3f9a1c";

BodyPart slice(const ServedFile& file, const ByteRange& range) {
  return {nullptr, file.owner, file.fd, range.first, range.length()};
}

std::string content_range(const ByteRange& range, uint64_t size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
         std::to_string(size);
}

}  // namespace

HttpResponse file_response(const std::string* range_header, const ServedFile& file) {
  RangePlan plan = range_header ? plan_ranges(*range_header, file.size) : RangePlan{};
  HttpResponse response;
  if (plan.kind == RangePlan::Kind::Unsatisfiable) {
    response = text_response(416, "no requested range lies within the file's " + std::to_string(file.size) +
                                      " bytes");
    response.add_header("Content-Range", "bytes */" + std::to_string(file.size));
    return response;
  }
  if (plan.kind == RangePlan::Kind::Whole) {
    response.add_header("Content-Type", file.content_type);
    if (file.size > 0) response.body.push_back(slice(file, {0, file.size - 1}));
    return response;
  }
  response.status = 206;
  if (plan.ranges.size() == 1) {
    response.add_header("Content-Type", file.content_type);
    response.add_header("Content-Range", content_range(plan.ranges[0], file.size));
    response.body.push_back(slice(file, plan.ranges[0]));
    return response;
  }
  response.add_header("Content-Type", std::string("multipart/byteranges; boundary=") + kMultipartBoundary);
  for (const ByteRange& range : plan.ranges) {
    response.add_text(std::string("\r\n--") + kMultipartBoundary + "\r\nContent-Type: " + file.content_type +
                      "\r\nContent-Range: " + content_range(range, file.size) + "\r\n\r\n");
    response.body.push_back(slice(file, range));
  }
  response.add_text(std::string("\r\n--") + kMultipartBoundary + "--\r\n");
  return response;
}

}  // namespace lurk::server
