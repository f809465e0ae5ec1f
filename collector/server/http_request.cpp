#include "server/http_request.h"

#include <algorithm>
#include <vector>

#include "server/ascii_text.h"

namespace lurk::server {
namespace {

bool is_token_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) ||
         std::string_view("!#$%&'*+-.^_`|~").find(c) != std::string_view::npos;
}

ParsedRequest refuse(int status, std::string reason) {
  ParsedRequest result;
  result.error = {status, std::move(reason)};
  return result;
}

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Splits the head into lines; a line may end in CRLF or a bare LF.
std::vector<std::string_view> split_lines(std::string_view head) {
  std::vector<std::string_view> lines;
  while (!head.empty()) {
    size_t end = head.find('\n');
    std::string_view line = head.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    lines.push_back(line);
    if (end == std::string_view::npos) break;
    head.remove_prefix(end + 1);
  }
  return lines;
}

std::optional<RequestError> add_header(HttpRequest& request, std::string_view line) {
  if (line.front() == ' ' || line.front() == '\t')
    return RequestError{400, "folded header lines are not accepted"};
  size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0)
    return RequestError{400, "a header line without a name"};
  std::string_view name = line.substr(0, colon);
  if (!std::all_of(name.begin(), name.end(), is_token_char))
    return RequestError{400, "a header name with a character not allowed in it"};
  std::string_view value = trim_ows(line.substr(colon + 1));
  for (char c : value)
    if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f)
      return RequestError{400, "a control character in a header value"};
  std::string key = ascii_lower(name);
  auto [it, inserted] = request.headers.emplace(key, std::string(value));
  if (!inserted) {
    if (key == "host" || key == "content-length" || key == "range")
      return RequestError{400, "header " + key + " given twice"};
    it->second += ", " + std::string(value);
  }
  return std::nullopt;
}

}  // namespace

const std::string* HttpRequest::header(const std::string& lower_name) const {
  auto it = headers.find(lower_name);
  return it == headers.end() ? nullptr : &it->second;
}

bool HttpRequest::wants_keep_alive() const {
  const std::string* connection = header("connection");
  std::string value = connection ? ascii_lower(*connection) : "";
  if (minor_version == 0) return value.find("keep-alive") != std::string::npos;
  return value.find("close") == std::string::npos;
}

std::optional<std::string> HttpRequest::query_value(std::string_view name) const {
  std::string_view rest = query;
  while (!rest.empty()) {
    size_t amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    size_t eq = pair.find('=');
    if (pair.substr(0, eq) == name)
      return eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1));
    if (amp == std::string_view::npos) break;
    rest.remove_prefix(amp + 1);
  }
  return std::nullopt;
}

std::optional<std::string> HttpRequest::cookie(std::string_view name) const {
  const std::string* cookies = header("cookie");
  if (!cookies) return std::nullopt;
  std::string_view rest = *cookies;
  while (!rest.empty()) {
    size_t semi = rest.find_first_of(";,");
    std::string_view pair = trim_ows(rest.substr(0, semi));
    size_t eq = pair.find('=');
    if (eq != std::string_view::npos && pair.substr(0, eq) == name)
      return std::string(pair.substr(eq + 1));
    if (semi == std::string_view::npos) break;
    rest.remove_prefix(semi + 1);
  }
  return std::nullopt;
}

std::optional<std::string> percent_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out += text[i];
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    int high = hex_value(text[i + 1]), low = hex_value(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out += static_cast<char>(high * 16 + low);
    i += 2;
  }
  return out;
}

ParsedRequest check_target(std::string_view target, HttpRequest request) {
  if (target.empty() || target.front() != '/')
    return refuse(400, "only origin-form targets (starting with /) are served");
  size_t hash = target.find('#');
  if (hash != std::string_view::npos) target = target.substr(0, hash);
  size_t question = target.find('?');
  std::string_view raw_path = target.substr(0, question);
  if (question != std::string_view::npos) request.query = std::string(target.substr(question + 1));
  // The raw target is echoed (a redirect's Location keeps the query): no
  // control byte may ride along in either part.
  for (char c : target) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return refuse(400, "a control character or NUL in the target");
  }
  std::optional<std::string> path = percent_decode(raw_path);
  if (!path) return refuse(400, "a malformed percent escape in the path");
  // After one decoding a path must be plain: a '%' left means it was encoded
  // twice, which only a traversal attempt needs.
  for (char c : *path) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7f) return refuse(400, "a control character or NUL in the path");
    if (c == '\\') return refuse(400, "a backslash in the path");
    if (c == '%') return refuse(400, "a doubly encoded path");
  }
  if (path->find("//") != std::string::npos) return refuse(400, "an empty path segment");
  std::string_view rest = *path;
  while (!rest.empty()) {
    rest.remove_prefix(1);  // the '/'
    std::string_view segment = rest.substr(0, rest.find('/'));
    if (segment == "." || segment == "..") return refuse(400, "a dot segment in the path");
    rest.remove_prefix(segment.size());
  }
  request.path = std::move(*path);
  ParsedRequest result;
  result.request = std::move(request);
  return result;
}

ParsedRequest parse_request_head(std::string_view head) {
  std::vector<std::string_view> lines = split_lines(head);
  if (lines.empty() || lines[0].empty()) return refuse(400, "an empty request line");
  std::string_view line = lines[0];
  size_t first = line.find(' ');
  size_t last = line.rfind(' ');
  if (first == std::string_view::npos || first == last)
    return refuse(400, "a request line that is not METHOD TARGET VERSION");
  HttpRequest request;
  request.method = std::string(line.substr(0, first));
  std::string_view target = line.substr(first + 1, last - first - 1);
  std::string_view version = line.substr(last + 1);
  if (!std::all_of(request.method.begin(), request.method.end(), is_token_char))
    return refuse(400, "a malformed method");
  if (version == "HTTP/1.1") request.minor_version = 1;
  else if (version == "HTTP/1.0") request.minor_version = 0;
  else return refuse(505, "only HTTP/1.0 and HTTP/1.1 are spoken");
  if (target.find(' ') != std::string_view::npos) return refuse(400, "a space in the target");
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].empty()) continue;
    if (auto error = add_header(request, lines[i])) return refuse(error->status, error->reason);
  }
  if (request.minor_version == 1 && !request.header("host"))
    return refuse(400, "an HTTP/1.1 request without a Host header");
  if (request.header("transfer-encoding"))
    return refuse(400, "request bodies are not accepted");
  if (const std::string* length = request.header("content-length"); length && *length != "0")
    return refuse(400, "request bodies are not accepted");
  return check_target(target, std::move(request));
}

}  // namespace lurk::server
