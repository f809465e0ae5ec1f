// A response the HTTP server writes: status, header fields, and a body made
// of parts that are either bytes in memory or a slice of an open file (sent
// with sendfile, never read whole into memory). Content-Length is computed by
// the server from the parts; a HEAD request gets the same head and no body.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace lurk::server {

struct BodyPart {
  std::shared_ptr<const std::string> bytes;  // in-memory part, or null for a file slice
  std::shared_ptr<const void> owner;         // keeps the file behind `fd` open while sent
  int fd = -1;
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct HttpResponse {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::vector<BodyPart> body;
  bool close_connection = false;
  // Not ready yet (the handler waits for something made off the server's
  // loop, e.g. a fresher copy of the profile): the server asks the handler
  // again shortly, serving every other connection meanwhile.
  bool defer = false;

  void add_header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
  }
  void add_text(std::string text) {
    auto bytes = std::make_shared<const std::string>(std::move(text));
    body.push_back({bytes, nullptr, -1, 0, bytes->size()});
  }
  uint64_t content_length() const {
    uint64_t total = 0;
    for (const BodyPart& part : body) total += part.length;
    return total;
  }
};

const char* status_text(int status);

// A short plain-text answer (errors, refusals): the text and a newline.
inline HttpResponse text_response(int status, const std::string& text) {
  HttpResponse response;
  response.status = status;
  response.add_header("Content-Type", "text/plain; charset=utf-8");
  response.add_text(text + "\n");
  return response;
}

}  // namespace lurk::server
