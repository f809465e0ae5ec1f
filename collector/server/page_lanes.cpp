// PageLanes (page_lanes.h): the lane store made or reused at start, served
// from the descriptor opened then.
#include "server/page_lanes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <exception>

#include "server/file_ranges.h"
#include "server/frame_endpoint.h"
#include "server/lane_store.h"
#include "server/lane_summary_file.h"

namespace lurk::server {

std::shared_ptr<PageLanes> PageLanes::prepare(const std::filesystem::path& profile,
                                              const std::filesystem::path& temp_dir, std::string& note) {
  note.clear();
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<PageLanes> lanes(new PageLanes());
  lanes->profile_ = profile;
  lanes->identity_ = profile_identity(profile);
  try {
    // The native mode's own start-up: the summary and the store read from
    // the cache, or made in one pass (and kept), then checked against the
    // profile. Its lanes are never read here (no frame is drawn).
    FrameEndpoint endpoint(profile, temp_dir, 0);
    lanes->made_ = !endpoint.summary().from_file || !endpoint.store_note().empty();
    // A profile with lane facts opens without its store, which is made in
    // the background (a native view draws from the rows meanwhile). The page
    // has no such fallback but its own slow read of the rows, and the
    // endpoint ends here (its background with it): the store is made now,
    // before the URL is printed, as for a profile without facts.
    if (endpoint.background_pending()) endpoint.wait_for_background();
    if (!endpoint.has_store()) {
      note = endpoint.store_note().empty() ? "no lane store could be made" : endpoint.store_note();
      return nullptr;
    }
    // Opened while the endpoint still holds the store it checked: a later
    // rename in the cache leaves these bytes as they were.
    std::filesystem::path path = lane_store_path(profile);
    lanes->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    struct stat st {};
    if (lanes->fd_ < 0 || ::fstat(lanes->fd_, &st) != 0) {
      note = path.string() + ": cannot open it to serve";
      return nullptr;
    }
    lanes->size_ = uint64_t(st.st_size);
    lanes->etag_ = "\"lanes-" + std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
                   std::to_string(st.st_mtim.tv_nsec) + "\"";
  } catch (const std::exception& e) {
    note = std::string("the lane store could not be made: ") + e.what();
    return nullptr;
  }
  lanes->seconds_ = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return lanes;
}

PageLanes::~PageLanes() {
  if (fd_ >= 0) ::close(fd_);
}

HttpResponse PageLanes::answer(const HttpRequest& request) {
  // The store describes the profile as it was at start; the page's fresher
  // copy would refuse it anyway (its last row ids differ), this saves the fetch.
  if (profile_identity(profile_) != identity_)
    return text_response(404, "the profile changed since its lane store was made: the page reads its lanes "
                              "from the profile");
  const std::string* range = request.header("range");
  const std::string* if_range = request.header("if-range");
  if (if_range && *if_range != etag_) range = nullptr;
  HttpResponse response = file_response(range, {shared_from_this(), fd_, size_, "application/octet-stream"});
  response.add_header("Accept-Ranges", "bytes");
  response.add_header("ETag", etag_);
  return response;
}

}  // namespace lurk::server
