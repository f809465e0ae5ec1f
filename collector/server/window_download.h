// GET /window.lurk?t=T0,T1 in server-backed viewing (docs/server.md,
// "Download the window"): the page holds only the profile's outline, so its
// Download .lurk and Export HTML take the window it shows, cut out of the
// profile by lurk view (export/window_cut.h) as `lurk export --window` cuts
// it, a profile small enough for any browser. T0, T1: ns from the profile's
// start, as the view's t=. Anonymised when asked as `lurk export
// --anonymize` does: anon=1, with keep=1 (--keep-text), ports=1
// (--map-ports), key=32 hex digits (else a fresh random key).
#pragma once

#include <filesystem>

#include "core/profile_model.h"
#include "server/http_request.h"
#include "server/http_response.h"

namespace lurk::server {

// 400 for a request that names no window or a bad key, 500 when the cut
// could not be made; the cut's bytes otherwise. `model`: the view's (its
// origin and source clocks say where the window's times are).
HttpResponse window_download(const std::filesystem::path& profile, const ui::ProfileModel& model,
                             const HttpRequest& request);

}  // namespace lurk::server
