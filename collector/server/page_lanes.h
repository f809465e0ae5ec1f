// /trace.lanes of `lurk view` in the in-browser mode (docs/server.md, "The
// page's lanes"): the profile's lane store (lane_store.h: every lane's arrays
// packed as the model holds them, made in one pass over the profile and kept
// in lurk's cache) served beside /trace.lurk, so that the page takes its
// lanes as views of those bytes instead of stepping ~10M rows out of SQLite
// in the wasm (bench/RESULTS.md, issue 15). The store is made, or reused
// from the cache, by the same code as server-backed viewing (FrameEndpoint),
// on a thread of its own started with the server: the URL is printed at
// once, the page fetches the profile meanwhile, and its request for
// /trace.lanes waits (a deferred answer: the server's loop serves everyone
// else) until the store is ready. It is served from a descriptor opened
// then, so a store the cache replaces later (by a rename) does not change
// under a page. The page
// checks the store against the profile it fetched before using it (last row
// ids, lane keys, sizes); once the profile changes the server stops offering
// it (404), and the page reads its lanes from the profile as before.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "server/http_request.h"
#include "server/http_response.h"

namespace lurk::server {

class PageLanes : public std::enable_shared_from_this<PageLanes> {
 public:
  static constexpr const char* kPath = "/trace.lanes";
  // Starts making (or checking) the store of `profile` on a thread; says on
  // stderr when it is ready, or why the page reads its lanes from the
  // profile instead. `temp_dir`: private (the outline FrameEndpoint writes
  // there, then removes), outlives this.
  static std::shared_ptr<PageLanes> start(const std::filesystem::path& profile,
                                          const std::filesystem::path& temp_dir);
  // Stops the thread: between two lanes of a store being made (the cache
  // keeps nothing half made), after the pass of a profile without lane facts.
  ~PageLanes();
  // GET /trace.lanes (Range as /trace.lurk): deferred while the store is
  // being made; 404 when there is none or once the profile changed.
  HttpResponse answer(const HttpRequest& request);
  // What the page may expect of /trace.lanes, said on every /trace.lurk
  // answer (X-Lurk-Lanes) so that the page knows at once whether to wait:
  // "making" (being made or checked), "ready", "failed" (none is coming: it
  // could not be made, or the profile changed since; /trace.lanes says why).
  // Without a PageLanes the server says "none" (none offered).
  const char* status() const;

  struct Outcome {
    bool ready = false;
    bool made = false;   // made now (not reused from the cache)
    uint64_t size = 0;
    double seconds = 0;  // spent making or checking it
    std::string note;    // why there is none
  };

 private:
  PageLanes() = default;
  void prepare(const std::filesystem::path& temp_dir);
  // Says the outcome on stderr and makes it final (fd: the store to serve, or -1).
  void settle(const Outcome& result, int fd, const std::string& etag);
  Outcome outcome() const;
  bool changed() const;  // the profile's identity differs from the one at start

  std::filesystem::path profile_;
  std::string identity_;  // the profile's when the store was checked (profile_identity)
  std::thread thread_;
  std::atomic<bool> stop_{false};
  std::atomic<bool> settled_{false};  // outcome_ and what it describes are final
  mutable std::mutex mutex_;
  Outcome outcome_;
  int fd_ = -1;
  std::string etag_;
};
}  // namespace lurk::server
