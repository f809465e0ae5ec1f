// A server answer's body as one string, for tests that read what an
// endpoint answered (frames, /native, /outline.lurk, /item; a file slice,
// /window.lurk's, read from its descriptor).
#pragma once

#include <unistd.h>

#include <string>

#include "server/http_response.h"

namespace lurk::test {

inline std::string body_of(const server::HttpResponse& response) {
  std::string body;
  for (const server::BodyPart& part : response.body) {
    if (part.bytes) {
      body += *part.bytes;
      continue;
    }
    std::string slice(part.length, '\0');
    ssize_t got = ::pread(part.fd, slice.data(), slice.size(), off_t(part.offset));
    body += slice.substr(0, got < 0 ? 0 : size_t(got));
  }
  return body;
}

}  // namespace lurk::test
