// The web server behind `lurk view` (docs/server.md): the UI's files from
// memory (static_assets.h) and one profile at /trace.lurk, served from a
// consistent SQLite snapshot (profile_snapshot.h, kept fresh off the poll
// loop by snapshot_keeper.h) with Range support
// (byte_ranges.h), in the in-browser mode its lane store at /trace.lanes
// (page_lanes.h), and with --follow the deltas a page polls to follow the
// profile as it grows (follow_endpoint.h). Every request passes the Host check (DNS rebinding) and,
// when a token is set, the token check (listen_policy.h) before anything is
// looked up; every answer carries the security headers (CSP, nosniff, ...).
// The connection handling is HttpServer's.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "server/frame_endpoint.h"
#include "server/follow_endpoint.h"
#include "server/http_server.h"
#include "server/listen_policy.h"
#include "server/page_lanes.h"
#include "server/profile_snapshot.h"
#include "server/snapshot_keeper.h"
#include "server/static_assets.h"

namespace lurk::server {

struct TraceServerOptions {
  std::filesystem::path web_dir;
  std::filesystem::path profile;
  std::filesystem::path temp_dir;  // private (0700); snapshots are made here
  std::string token;               // empty: no token required
  std::vector<std::string> allowed_hosts;  // --allow-host names
  bool follow = false;  // --follow: answer /follow/delta (follow_endpoint.h)
  ServerLimits limits;
  // Server-backed viewing (`--native`): /frame and /native answered from the
  // profile loaded here (frame_endpoint.h); null: the browser loads the profile.
  std::shared_ptr<FrameEndpoint> frames;
  // In-browser mode: the profile's lane store at /trace.lanes (page_lanes.h);
  // null: the page reads its lanes from the profile.
  std::shared_ptr<PageLanes> lanes;
};

class TraceServer : public HttpHandler {
 public:
  // Loads the UI and takes the first snapshot (with `frames`, server-backed
  // viewing: on the first /trace.lurk instead); throws with a clear message
  // (no UI, not a profile, a hot journal...).
  explicit TraceServer(TraceServerOptions options);

  // Binds; port 0 picks a free one. Returns the bound port. Throws on failure.
  int bind(const std::string& address, int port);
  void serve() { http_.serve(); }
  void stop() { http_.stop(); }  // async-signal-safe
  // Name of the cookie that carries the token (per port: cookies ignore ports).
  std::string token_cookie() const { return "lurk_token_" + std::to_string(port_); }
  const StaticAssets& assets() const { return assets_; }

  HttpResponse handle(const HttpRequest& request) override;
  HttpResponse refuse(int status, const std::string& reason) override;

 private:
  std::optional<HttpResponse> check_access(const HttpRequest& request);
  HttpResponse serve_trace(const HttpRequest& request);
  HttpResponse with_security_headers(HttpResponse response) const;

  TraceServerOptions options_;
  StaticAssets assets_;
  std::unique_ptr<SnapshotKeeper> snapshots_;  // /trace.lurk's copies, made off the loop
  std::optional<HostPolicy> hosts_;
  std::optional<FollowEndpoint> follow_;
  int port_ = 0;
  HttpServer http_;
};

// The Content-Security-Policy of every response: scripts, styles and the
// wasm only from the server itself ('wasm-unsafe-eval' lets the module
// compile, no 'unsafe-eval', no inline script), fetches only to itself, no
// framing, no plugins, no forms.
extern const char* const kContentSecurityPolicy;

}  // namespace lurk::server
