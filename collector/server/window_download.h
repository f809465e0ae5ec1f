// GET /window.lurk?t=T0,T1 in server-backed viewing (docs/server.md,
// "Download the window"): the page holds only the profile's outline, so its
// Download .lurk and Export HTML take the window it shows, cut out of the
// profile by lurk view (export/window_cut.h) as `lurk export --window` cuts
// it, a profile small enough for any browser. T0, T1: ns from the profile's
// start, as the view's t=. Anonymised when asked as `lurk export
// --anonymize` does: anon=1, with keep=1 (--keep-text), ports=1
// (--map-ports), key=32 hex digits (else a fresh random key).
//
// A wide window of a 100M-event profile takes seconds to cut, so the cut is
// made on a thread of its own while the request is deferred (the server
// serves every other request meanwhile and asks again); one cut at a time,
// a request for another window waits for it. The cut is made in a
// temporary directory of its own (its rows in a scratch file, not in
// memory), unlinked once the file sent is open, and sent from it (sendfile).
#pragma once

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>

#include "core/profile_model.h"
#include "server/http_request.h"
#include "server/http_response.h"

namespace lurk::server {

class WindowDownloads {
 public:
  explicit WindowDownloads(std::filesystem::path profile) : profile_(std::move(profile)) {}
  ~WindowDownloads();  // stops a cut under way (its statements end) and removes its file
  WindowDownloads(const WindowDownloads&) = delete;
  WindowDownloads& operator=(const WindowDownloads&) = delete;

  // 400 for a request that names no window or a bad key, 500 when the cut
  // could not be made, a deferred answer while it is made; then the cut.
  // `model`: the view's (its origin and source clocks say where the
  // window's times are), read here on the server's thread only.
  HttpResponse answer(const ui::ProfileModel& model, const HttpRequest& request);

 private:
  struct Cut {
    std::string query;  // the request's, which asks for it again
    std::filesystem::path dir, file;  // a directory of its own, and the cut in it
    std::atomic<bool> done{false};
    std::string problem;  // "": written to `file`
    std::thread thread;
  };
  void drop();  // the cut, finished or stopped, and its file

  std::filesystem::path profile_;
  std::unique_ptr<Cut> cut_;
  std::atomic<bool> stop_{false};
};

}  // namespace lurk::server
