// /trace.lanes of `lurk view` in the in-browser mode (docs/server.md, "The
// page's lanes"): the profile's lane store (lane_store.h: every lane's arrays
// packed as the model holds them, made in one pass over the profile and kept
// in lurk's cache) served beside /trace.lurk, so that the page takes its
// lanes as views of those bytes instead of stepping ~10M rows out of SQLite
// in the wasm (bench/RESULTS.md, issue 15). The store is made, or reused
// from the cache, once at start by the same code as server-backed viewing
// (FrameEndpoint), and served from a descriptor opened then, so a store the
// cache replaces later (by a rename) does not change under a page. The page
// checks the store against the profile it fetched before using it (last row
// ids, lane keys, sizes); once the profile changes the server stops offering
// it (404), and the page reads its lanes from the profile as before.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <string>

#include "server/http_request.h"
#include "server/http_response.h"

namespace lurk::server {

class PageLanes : public std::enable_shared_from_this<PageLanes> {
 public:
  static constexpr const char* kPath = "/trace.lanes";
  // The store of `profile`, made or reused; null when there is none to
  // serve (`note` says why, on stderr). `temp_dir`: private (the outline
  // FrameEndpoint writes there, then removes).
  static std::shared_ptr<PageLanes> prepare(const std::filesystem::path& profile,
                                            const std::filesystem::path& temp_dir, std::string& note);
  ~PageLanes();
  // GET /trace.lanes (Range as /trace.lurk); 404 once the profile changed.
  HttpResponse answer(const HttpRequest& request);
  uint64_t size() const { return size_; }
  double seconds() const { return seconds_; }  // spent making or checking it at start
  bool made() const { return made_; }           // made now (not reused from the cache)

 private:
  PageLanes() = default;
  std::filesystem::path profile_;
  std::string identity_;  // the profile's when the store was checked (profile_identity)
  int fd_ = -1;
  uint64_t size_ = 0;
  std::string etag_;
  double seconds_ = 0;
  bool made_ = false;
};

}  // namespace lurk::server
