#include "server/trace_server.h"

#include <iostream>

#include "server/byte_ranges.h"

namespace lurk::server {
namespace {

const char* const kTracePath = "/trace.lurk";
const char* const kMultipartBoundary = "lurk-byteranges-7d3f9a1c";

BodyPart file_slice(const std::shared_ptr<const ProfileSnapshot>& snapshot, const ByteRange& range) {
  return {nullptr, snapshot, snapshot->fd(), range.first, range.length()};
}

std::string content_range(const ByteRange& range, uint64_t size) {
  return "bytes " + std::to_string(range.first) + "-" + std::to_string(range.last) + "/" +
         std::to_string(size);
}

// The query without its token=... pair, to redirect to once the cookie is set.
std::string query_without_token(const std::string& query) {
  std::string kept;
  size_t start = 0;
  while (start <= query.size()) {
    size_t amp = query.find('&', start);
    std::string pair = query.substr(start, amp == std::string::npos ? std::string::npos : amp - start);
    if (!pair.empty() && pair.rfind("token=", 0) != 0 && pair != "token")
      kept += (kept.empty() ? "" : "&") + pair;
    if (amp == std::string::npos) break;
    start = amp + 1;
  }
  return kept;
}

// The token a request presents: a header from scripts and tools, else the cookie.
std::optional<std::string> presented_token(const HttpRequest& request, const std::string& cookie) {
  if (const std::string* auth = request.header("authorization"); auth && auth->rfind("Bearer ", 0) == 0)
    return auth->substr(7);
  if (const std::string* header = request.header("x-lurk-token")) return *header;
  return request.cookie(cookie);
}

}  // namespace

namespace {
// How long a /trace.lurk request waits for a fresher copy being made.
constexpr auto kWaitForFreshCopy = std::chrono::seconds(10);
}  // namespace

const char* const kContentSecurityPolicy =
    "default-src 'none'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'";

TraceServer::TraceServer(TraceServerOptions options)
    : options_(std::move(options)),
      assets_(options_.web_dir),
      snapshots_(std::make_unique<SnapshotKeeper>(options_.profile, options_.temp_dir)),
      http_(*this, options_.limits) {
  // Server-backed viewing: the page asks for the outline and frames, not
  // the profile, so its copy (seconds per GB) waits for a /trace.lurk, and
  // is then made off the loop like every later one.
  if (!options_.frames) snapshots_->take_first(std::chrono::seconds(5));
  if (options_.follow) follow_.emplace(options_.profile);
  for (const std::string& refused : assets_.refused())
    std::cerr << "lurk: not serving " << refused << "\n";
}

int TraceServer::bind(const std::string& address, int port) {
  port_ = http_.bind(address, port);
  hosts_.emplace(address, port_, options_.allowed_hosts);
  return port_;
}

HttpResponse TraceServer::with_security_headers(HttpResponse response) const {
  response.add_header("Cache-Control", "no-store");
  response.add_header("X-Content-Type-Options", "nosniff");
  response.add_header("Content-Security-Policy", kContentSecurityPolicy);
  response.add_header("Referrer-Policy", "no-referrer");
  response.add_header("X-Frame-Options", "DENY");
  response.add_header("Cross-Origin-Opener-Policy", "same-origin");
  response.add_header("Cross-Origin-Resource-Policy", "same-origin");
  return response;
}

HttpResponse TraceServer::refuse(int status, const std::string& reason) {
  return with_security_headers(text_response(status, reason));
}

// Host first (a rebinding page must learn nothing, not even whether a token
// is needed), then the method, then the token.
std::optional<HttpResponse> TraceServer::check_access(const HttpRequest& request) {
  const std::string* host = request.header("host");
  if (!host || !hosts_ || !hosts_->allows(*host))
    return refuse(403, "this server answers only requests addressed to itself (Host header "
                       "refused); see docs/server.md");
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse response = refuse(405, "only GET and HEAD are served");
    response.add_header("Allow", "GET, HEAD");
    return response;
  }
  if (options_.token.empty()) return std::nullopt;
  if (auto in_url = request.query_value("token")) {
    if (!tokens_equal(options_.token, *in_url))
      return refuse(403, "wrong access token");
    // The first visit: keep the token in a cookie and take it out of the URL
    // (history, screenshots), keeping the rest of the query.
    HttpResponse response = refuse(303, "token accepted");
    std::string rest = query_without_token(request.query);
    response.add_header("Location", request.path + (rest.empty() ? "" : "?" + rest));
    response.add_header("Set-Cookie", token_cookie() + "=" + options_.token +
                                          "; Path=/; HttpOnly; SameSite=Strict");
    return response;
  }
  std::optional<std::string> token = presented_token(request, token_cookie());
  if (!token || !tokens_equal(options_.token, *token))
    return refuse(401, "this server needs its access token: open the URL lurk printed "
                       "(it ends in ?token=...), or send the header X-Lurk-Token");
  return std::nullopt;
}

HttpResponse TraceServer::handle(const HttpRequest& request) {
  if (auto refused = check_access(request)) return std::move(*refused);
  if (request.path == kTracePath) return serve_trace(request);
  if (follow_ && request.path == FollowEndpoint::kPath)
    return with_security_headers(follow_->answer(request));
  if (options_.frames)
    if (std::optional<HttpResponse> answer = options_.frames->answer(request))
      return with_security_headers(std::move(*answer));
  const StaticAsset* asset = assets_.find(request.path);
  if (!asset) return refuse(404, "not found");
  HttpResponse response;
  response.add_header("Content-Type", asset->content_type);
  response.body.push_back({asset->bytes, nullptr, -1, 0, asset->bytes->size()});
  return with_security_headers(std::move(response));
}

HttpResponse TraceServer::serve_trace(const HttpRequest& request) {
  // The current copy; a changed profile is copied again by the keeper's
  // thread (at most twice a second), served once it is whole.
  std::shared_ptr<const ProfileSnapshot> snapshot = snapshots_->current();
  // A request that came after the profile changed waits (without holding up
  // the loop) for the copy under way, up to a bound: then the older copy.
  if (snapshots_->refreshing() && request.deferred_for < kWaitForFreshCopy) {
    HttpResponse later;
    later.defer = true;
    return later;
  }
  if (!snapshot) {
    std::string why = snapshots_->error();
    HttpResponse busy = text_response(503, why.empty()
        ? "the profile is being copied to be served; ask again in a second"
        : "the profile could not be copied to be served: " + why);
    busy.add_header("Retry-After", "1");
    return with_security_headers(std::move(busy));
  }
  const std::string* range = request.header("range");
  const std::string* if_range = request.header("if-range");
  HttpResponse response;
  if (range && (!if_range || *if_range == snapshot->etag())) response = serve_ranges(*range, snapshot);
  if (response.body.empty() && response.status == 200) {
    response.add_header("Content-Type", "application/vnd.sqlite3");
    if (snapshot->size() > 0) response.body.push_back(file_slice(snapshot, {0, snapshot->size() - 1}));
  }
  response.add_header("Accept-Ranges", "bytes");
  response.add_header("ETag", snapshot->etag());
  // The page starts following when the server offers it (lurk view --follow).
  if (follow_) response.add_header("X-Lurk-Follow", FollowEndpoint::kPath);
  return with_security_headers(std::move(response));
}

// 206 with one range or a multipart/byteranges body of merged ones, 416 when
// none is satisfiable, or an empty 200 meaning "answer the whole file".
HttpResponse TraceServer::serve_ranges(const std::string& range_header,
                                       const std::shared_ptr<const ProfileSnapshot>& snapshot) {
  uint64_t size = snapshot->size();
  RangePlan plan = plan_ranges(range_header, size);
  HttpResponse response;
  if (plan.kind == RangePlan::Kind::Whole) return response;
  if (plan.kind == RangePlan::Kind::Unsatisfiable) {
    response = text_response(416, "no requested range lies within the profile's " +
                                      std::to_string(size) + " bytes");
    response.add_header("Content-Range", "bytes */" + std::to_string(size));
    return response;
  }
  response.status = 206;
  if (plan.ranges.size() == 1) {
    response.add_header("Content-Type", "application/vnd.sqlite3");
    response.add_header("Content-Range", content_range(plan.ranges[0], size));
    response.body.push_back(file_slice(snapshot, plan.ranges[0]));
    return response;
  }
  response.add_header("Content-Type",
                      std::string("multipart/byteranges; boundary=") + kMultipartBoundary);
  for (const ByteRange& range : plan.ranges) {
    response.add_text(std::string("\r\n--") + kMultipartBoundary +
                      "\r\nContent-Type: application/vnd.sqlite3\r\nContent-Range: " +
                      content_range(range, size) + "\r\n\r\n");
    response.body.push_back(file_slice(snapshot, range));
  }
  response.add_text(std::string("\r\n--") + kMultipartBoundary + "--\r\n");
  return response;
}

}  // namespace lurk::server
