// The window the page shows, cut out of the profile (window_download.h).
#include "server/window_download.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <cstdio>

#include "core/window_of_view.h"
#include "export/anon_key.h"
#include "export/profile_export.h"
#include "export/window_cut.h"
#include "server/stop_flag.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {

WindowDownloads::~WindowDownloads() {
  stop_.store(true, std::memory_order_relaxed);
  drop();
}

void WindowDownloads::drop() {
  if (!cut_) return;
  if (cut_->thread.joinable()) cut_->thread.join();
  std::error_code ignored;
  if (!cut_->dir.empty()) std::filesystem::remove_all(cut_->dir, ignored);
  cut_.reset();
}

HttpResponse WindowDownloads::answer(const ui::ProfileModel& model, const HttpRequest& request) {
  std::optional<std::string> t = request.query_value("t");
  double t0 = 0, t1 = 0;
  char tail = 0;
  if (!t || std::sscanf(t->c_str(), "%lf,%lf%c", &t0, &t1, &tail) != 2 || !(t1 > t0))
    return text_response(400, "window.lurk: t=T0,T1 (ns from the profile's start, T0 < T1) is wanted");
  ExportOptions options;
  if (request.query_value("anon") == "1") {
    AnonymizeOptions anonymize;
    std::string problem;
    std::optional<std::string> key = request.query_value("key");
    if (!key || key->empty()) anonymize.key = random_key();
    else if (auto parsed = parse_key_hex(*key, &problem)) anonymize.key = *parsed;
    else return text_response(400, "window.lurk: key: " + problem);
    anonymize.keep_text = request.query_value("keep") == "1";
    anonymize.map_ports = request.query_value("ports") == "1";
    options.anonymize = anonymize;
  }
  HttpResponse later;
  later.defer = true;
  if (cut_ && cut_->query != request.query) {
    if (!cut_->done.load(std::memory_order_acquire)) return later;  // another window's cut: after it
    drop();  // made for a page that did not come back for it
  }
  if (!cut_) {
    cut_ = std::make_unique<Cut>();
    cut_->query = request.query;
    // A directory of its own (mkdtemp: only this user's), for the cut's
    // scratch copy and the file sent.
    std::string dir = (std::filesystem::temp_directory_path() / "lurk-window-XXXXXX").string();
    if (!::mkdtemp(dir.data())) {
      cut_.reset();
      return text_response(500, "window.lurk: cannot make a temporary directory");
    }
    cut_->dir = dir;
    cut_->file = cut_->dir / "window.lurk";
    // The window's stored times here, on the thread that owns the model.
    cut_->thread = std::thread([this, cut = cut_.get(), window = ui::stored_window(model, t0, t1), options] {
      try {
        std::unique_ptr<Database> source = open_profile_for_reading(profile_.string());
        end_statements_when(*source, &stop_);
        CutReport report;
        std::unique_ptr<Database> copy = cut_window(*source, window, report, (cut->dir / "scratch.lurk").string());
        source.reset();
        write_exported_copy(*copy, cut->file.string(), options);
      } catch (const std::exception& e) {
        cut->problem = std::string("window.lurk: the window could not be cut: ") + e.what();
      }
      cut->done.store(true, std::memory_order_release);
    });
    return later;
  }
  if (!cut_->done.load(std::memory_order_acquire)) return later;
  cut_->thread.join();
  std::string problem = cut_->problem;
  int fd = problem.empty() ? ::open(cut_->file.c_str(), O_RDONLY | O_CLOEXEC) : -1;
  if (problem.empty() && fd < 0) problem = "window.lurk: the cut could not be read back";
  struct stat st {};
  if (fd >= 0 && ::fstat(fd, &st) != 0) problem = "window.lurk: the cut could not be read back";
  drop();  // the file is unlinked; the open descriptor keeps it until sent
  if (!problem.empty()) {
    if (fd >= 0) ::close(fd);
    return text_response(500, problem);
  }
  HttpResponse response;
  response.add_header("Content-Type", "application/vnd.sqlite3");
  auto owner = std::shared_ptr<const void>(nullptr, [fd](const void*) { ::close(fd); });
  response.body.push_back({nullptr, owner, fd, 0, uint64_t(st.st_size)});
  return response;
}

}  // namespace lurk::server
