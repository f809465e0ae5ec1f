// A server answer's body as one string, for tests that read what an
// endpoint answered (frames, /native, /outline.lurk, /item).
#pragma once

#include <string>

#include "server/http_response.h"

namespace lurk::test {

inline std::string body_of(const server::HttpResponse& response) {
  std::string body;
  for (const server::BodyPart& part : response.body)
    if (part.bytes) body += *part.bytes;
  return body;
}

}  // namespace lurk::test
