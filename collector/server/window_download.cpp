// The window the page shows, cut out of the profile (window_download.h).
#include "server/window_download.h"

#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>

#include "core/window_of_view.h"
#include "export/anon_key.h"
#include "export/profile_export.h"
#include "export/window_cut.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {

HttpResponse window_download(const std::filesystem::path& profile, const ui::ProfileModel& model,
                             const HttpRequest& request) {
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
  std::filesystem::path out =
      std::filesystem::temp_directory_path() / ("lurk-window-" + std::to_string(::getpid()) + ".lurk");
  try {
    std::unique_ptr<Database> source = open_profile_for_reading(profile.string());
    CutReport report;
    std::unique_ptr<Database> cut = cut_window(*source, ui::stored_window(model, t0, t1), report);
    source.reset();
    write_exported_copy(*cut, out.string(), options);
  } catch (const std::exception& e) {
    std::error_code ignored;
    std::filesystem::remove(out, ignored);
    return text_response(500, std::string("window.lurk: the window could not be cut: ") + e.what());
  }
  std::ifstream in(out, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::error_code ignored;
  std::filesystem::remove(out, ignored);
  HttpResponse response;
  response.add_header("Content-Type", "application/vnd.sqlite3");
  response.add_text(std::move(bytes));
  return response;
}

}  // namespace lurk::server
