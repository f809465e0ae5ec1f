// The follow endpoint of `lurk view --follow` (follow_endpoint.h).
#include "server/follow_endpoint.h"

#include <stdexcept>

#include "storage/follow_delta.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {

HttpResponse FollowEndpoint::answer(const HttpRequest& request) {
  std::optional<std::string> cursor_text = request.query_value("cursor");
  if (!cursor_text) return text_response(400, "follow: the request needs ?cursor=");
  FollowCursor since;
  try {
    since = FollowCursor::parse(*cursor_text);
  } catch (const std::invalid_argument& e) {
    return text_response(400, e.what());
  }
  FileSignature signature = signature_of(profile_);
  if (*cursor_text == idle_cursor_ && signature == idle_signature_) {
    HttpResponse unchanged;
    unchanged.status = 204;
    return unchanged;
  }
  FollowDelta delta;
  try {
    // Opened per delta: a re-created file is followed, and a hot journal is
    // refused here with its explanation (sqlite_handle.cpp).
    Database profile(profile_.string(), Database::Mode::ReadOnly);
    delta = make_follow_delta(profile, since, kMaxRows);
  } catch (const std::exception& e) {
    HttpResponse busy = text_response(503, std::string("follow: cannot read the profile now: ") + e.what());
    busy.add_header("Retry-After", "1");
    return busy;
  }
  if (delta.bytes.empty()) {
    idle_cursor_ = *cursor_text;
    idle_signature_ = signature;
    HttpResponse unchanged;
    unchanged.status = 204;
    return unchanged;
  }
  HttpResponse response;
  response.add_header("Content-Type", "application/vnd.sqlite3");
  response.add_header("X-Lurk-Reset", delta.reset ? "1" : "0");
  response.add_header("X-Lurk-More", delta.more ? "1" : "0");
  response.add_header("X-Lurk-Rows", std::to_string(delta.rows));
  response.add_text(std::move(delta.bytes));
  return response;
}

}  // namespace lurk::server
