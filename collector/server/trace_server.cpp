#include "server/trace_server.h"

#include <iostream>

#include "server/file_ranges.h"

namespace lurk::server {
namespace {

const char* const kTracePath = "/trace.lurk";

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
  if (options_.lanes && request.path == PageLanes::kPath) return with_security_headers(options_.lanes->answer(request));
  if (follow_ && request.path == FollowEndpoint::kPath) {
    HttpResponse delta = follow_->answer(request);
    // A reset sends the page to /trace.lurk: it waits for a copy as new as
    // what the delta compared (SnapshotKeeper::look_now).
    for (const auto& [name, value] : delta.headers)
      if (name == "X-Lurk-Reset" && value == "1") snapshots_->look_now();
    return with_security_headers(std::move(delta));
  }
  if (options_.frames)
    if (std::optional<HttpResponse> answer = options_.frames->answer(request))
      return with_security_headers(std::move(*answer));
  // The page asks whether the profile is kept here (lurk-native.js): "no"
  // is an answer, not a 404 on the console of every in-browser load.
  if (!options_.frames && request.path == "/native") {
    HttpResponse no;
    no.add_header("Content-Type", "application/json");
    no.add_header("Cache-Control", "no-store");
    no.add_text("{\"native\": false}\n");
    return with_security_headers(std::move(no));
  }
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
  if (if_range && *if_range != snapshot->etag()) range = nullptr;
  HttpResponse response =
      file_response(range, {snapshot, snapshot->fd(), snapshot->size(), "application/vnd.sqlite3"});
  response.add_header("Accept-Ranges", "bytes");
  response.add_header("ETag", snapshot->etag());
  // The page starts following when the server offers it (lurk view --follow).
  if (follow_) response.add_header("X-Lurk-Follow", FollowEndpoint::kPath);
  // Whether the page's /trace.lanes is worth waiting for (page_lanes.h).
  response.add_header("X-Lurk-Lanes", options_.lanes ? options_.lanes->status() : "none");
  return with_security_headers(std::move(response));
}

}  // namespace lurk::server
