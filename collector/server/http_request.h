// One HTTP/1.x request head, parsed strictly (docs/server.md): the request
// line, the header fields, and the target's path checked for every form of
// traversal (dot segments, percent-encoded or double-encoded ones, backslashes,
// NUL and control bytes, absolute-form targets). The server answers only GET
// and HEAD without a body, so anything else is an error, not a guess.
#pragma once

#include <map>
#include <optional>
#include <chrono>
#include <string>
#include <string_view>

namespace lurk::server {

struct HttpRequest {
  std::string method;   // GET, HEAD, ... as sent
  std::string path;     // percent-decoded, starts with '/', no dot segments
  std::string query;    // raw, after '?', without the '#fragment'
  int minor_version = 1;  // HTTP/1.<minor>
  std::map<std::string, std::string> headers;  // lower-case names; repeated ones joined by ", "
  // How long the server has held this request for an answer its handler
  // deferred (HttpResponse::defer), so the handler can stop waiting.
  std::chrono::milliseconds deferred_for{0};

  const std::string* header(const std::string& lower_name) const;
  bool wants_keep_alive() const;
  // The value of `name` in the query string (percent-decoded), if present.
  std::optional<std::string> query_value(std::string_view name) const;
  // The value of cookie `name` from the Cookie header, if present.
  std::optional<std::string> cookie(std::string_view name) const;
};

// Why a head was refused: the status to answer and a short reason.
struct RequestError {
  int status;
  std::string reason;
};

// Parses `head` (everything before the blank line, CRLF line ends; bare LF
// tolerated). Returns the request, or the error to answer with.
struct ParsedRequest {
  std::optional<HttpRequest> request;
  RequestError error{0, ""};
};
ParsedRequest parse_request_head(std::string_view head);

// Percent-decodes `text` once; nullopt on a malformed escape.
std::optional<std::string> percent_decode(std::string_view text);

// The checked path of an origin-form target ("/a/b"), or the reason it is refused.
ParsedRequest check_target(std::string_view target, HttpRequest request);

}  // namespace lurk::server
