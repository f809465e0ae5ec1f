// PageLanes (page_lanes.h): the lane store made or reused on a thread started
// with the server, served from the descriptor opened when it was ready.
#include "server/page_lanes.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <exception>

#include "server/file_ranges.h"
#include "server/frame_endpoint.h"
#include "server/lane_store.h"
#include "server/lane_summary_file.h"

namespace lurk::server {
namespace {

// How long a request for the store waits for it before the page is told to
// read its lanes from the profile: past any store a page-sized profile makes
// (10M events: ~4 s quiet), short of a client's patience.
constexpr auto kLongestWait = std::chrono::minutes(5);

}  // namespace

std::shared_ptr<PageLanes> PageLanes::start(const std::filesystem::path& profile,
                                            const std::filesystem::path& temp_dir) {
  std::shared_ptr<PageLanes> lanes(new PageLanes());
  lanes->profile_ = profile;
  lanes->identity_ = profile_identity(profile);
  // No store can come when there is none to reuse and the cache cannot take
  // one: said now, not after a pass over every event made for nothing.
  if (std::string why = lane_store_unwritable(profile); !why.empty()) {
    lanes->settle({false, false, 0, 0, why}, -1, "");
    return lanes;
  }
  lanes->thread_ = std::thread([raw = lanes.get(), temp_dir] { raw->prepare(temp_dir); });
  std::fprintf(stderr, "lurk: lane store for the page: being made or checked beside the server (/trace.lanes "
                       "answers once it is ready)\n");
  return lanes;
}

void PageLanes::settle(const Outcome& result, int fd, const std::string& etag) {
  if (result.ready)
    std::fprintf(stderr, "lurk: lane store for the page %s in %.3g s (%llu bytes, %s)\n",
                 result.made ? "made" : "checked", result.seconds, (unsigned long long)result.size,
                 lane_store_path(profile_).c_str());
  else
    std::fprintf(stderr, "lurk: the page reads its lanes from the profile (%s)\n", result.note.c_str());
  {
    std::lock_guard<std::mutex> lock(mutex_);
    outcome_ = result;
    fd_ = fd;
    etag_ = etag;
  }
  settled_.store(true, std::memory_order_release);
}

void PageLanes::prepare(const std::filesystem::path& temp_dir) {
  auto began = std::chrono::steady_clock::now();
  Outcome result;
  int fd = -1;
  std::string etag;
  try {
    // The native mode's own start-up: the summary and the store read from
    // the cache, or made (and kept), then checked against the profile. Its
    // lanes are never read here (no frame is drawn). A profile with lane
    // facts opens at once and makes its store in the background: waited for
    // here, where the page's request waits too (the page's alternative is
    // its own slow read of the rows).
    // Once stopped (~PageLanes), its statements end at once, also in the pass of a
    // profile without lane facts, which happens in this constructor.
    FrameEndpoint endpoint(profile_, temp_dir, 0, &stop_);
    while (!endpoint.background_done()) {
      if (stop_.load()) return;  // the endpoint stops its background as it goes
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    endpoint.wait_for_background();
    result.made = endpoint.store_made_here();
    if (!endpoint.has_store()) {
      result.note = endpoint.store_note().empty() ? "no lane store could be made" : endpoint.store_note();
    } else {
      // Opened while the endpoint still holds the store it checked: a later
      // rename in the cache leaves these bytes as they were.
      std::filesystem::path path = lane_store_path(profile_);
      fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
      struct stat st {};
      if (fd < 0 || ::fstat(fd, &st) != 0) {
        result.note = path.string() + ": cannot open it to serve";
      } else {
        result.ready = true;
        result.size = uint64_t(st.st_size);
        etag = "\"lanes-" + std::to_string(st.st_size) + "-" + std::to_string(st.st_mtim.tv_sec) + "." +
               std::to_string(st.st_mtim.tv_nsec) + "\"";
      }
    }
  } catch (const std::exception& e) {
    if (stop_.load()) return;  // nobody waits for it any more
    result.note = std::string("the lane store could not be made: ") + e.what();
  }
  if (!result.ready && fd >= 0) {
    ::close(fd);
    fd = -1;
  }
  result.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  settle(result, fd, etag);
}

PageLanes::~PageLanes() {
  stop_.store(true);
  if (thread_.joinable()) thread_.join();
  if (fd_ >= 0) ::close(fd_);
}

PageLanes::Outcome PageLanes::outcome() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return outcome_;
}

const char* PageLanes::status() const {
  if (!settled_.load(std::memory_order_acquire)) return changed() ? "failed" : "making";
  return outcome().ready && !changed() ? "ready" : "failed";
}

bool PageLanes::changed() const { return profile_identity(profile_) != identity_; }

HttpResponse PageLanes::answer(const HttpRequest& request) {
  if (!settled_.load(std::memory_order_acquire)) {
    // The store being made describes the profile as it was at start, which
    // the page's fresher copy would refuse: no use waiting for it.
    if (changed())
      return text_response(404, "the profile changed since its lane store was begun: the page reads its lanes "
                                "from the profile");
    if (request.deferred_for < kLongestWait) {
      HttpResponse later;
      later.defer = true;
      return later;
    }
    return text_response(404, "the lane store is still being made: the page reads its lanes from the profile");
  }
  Outcome done = outcome();  // final once settled: fd_ and etag_ no longer change
  if (!done.ready) return text_response(404, "no lane store: " + done.note);
  // The store describes the profile as it was at start; the page's fresher
  // copy would refuse it anyway (its last row ids differ), this saves the fetch.
  if (changed())
    return text_response(404, "the profile changed since its lane store was made: the page reads its lanes "
                              "from the profile");
  const std::string* range = request.header("range");
  const std::string* if_range = request.header("if-range");
  if (if_range && *if_range != etag_) range = nullptr;
  HttpResponse response = file_response(range, {shared_from_this(), fd_, done.size, "application/octet-stream"});
  response.add_header("Accept-Ranges", "bytes");
  response.add_header("ETag", etag_);
  return response;
}

}  // namespace lurk::server
