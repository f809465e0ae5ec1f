// `lurk view --follow`: the endpoint the page polls to catch up with a
// profile that grows (docs/live.md, "Following a profile as it grows").
//
//   GET /follow/delta?cursor=CURSOR   (CURSOR: the page's copy's state,
//                                      storage/follow_delta.h)
//   200  application/vnd.sqlite3: a delta database to apply
//   204  nothing new since CURSOR
//   400  a cursor this server did not write
//   503  the profile cannot be read now (a writer holds its lock, a hot
//        journal); Retry-After says when to ask again
//
// A delta is read through SQLite in one read transaction (a committed state,
// never a half-written file), holds only the rows past the cursor, and is
// made in memory: no copy of the profile is made, so a change costs what
// changed (plus a count per append-only table), not the profile's size. A
// cursor already answered "nothing new" is answered 204 again from the
// file's signature alone, without opening it, until the file changes.
#pragma once

#include <filesystem>
#include <string>

#include "server/http_request.h"
#include "server/http_response.h"
#include "server/profile_snapshot.h"

namespace lurk::server {

class FollowEndpoint {
 public:
  static constexpr const char* kPath = "/follow/delta";
  // Rows in one delta: bounds a delta's size, a few MB, which is all a slow
  // reader holds (a page far behind asks again at once, told by X-Lurk-More).
  static constexpr int64_t kMaxRows = 100000;

  explicit FollowEndpoint(std::filesystem::path profile) : profile_(std::move(profile)) {}
  // The answer, without the security headers (TraceServer adds them).
  HttpResponse answer(const HttpRequest& request);

 private:
  std::filesystem::path profile_;
  // The last cursor answered "nothing new", and the file's state then.
  std::string idle_cursor_;
  FileSignature idle_signature_;
};

}  // namespace lurk::server
