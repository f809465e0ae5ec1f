// libFuzzer target: the .lurk reader the UI uses on a hostile profile. The
// bytes are either
//  - a SQLite file (seeds: small real profiles, and copies made hostile by
//    scripts/fuzz-seeds.sh: wrong version, missing tables and columns, absurd
//    values, triggers, views), mutated byte by byte; or
//  - SQL text after the line "-- lurk-fuzz-sql" (seeds: dumps of the same
//    profiles), run into an empty database first: mutations then change
//    values, names and types rather than breaking the file format.
// Either way the file is opened as the page does (open_profile_for_reading,
// which upgrades earlier versions), read into the model and the findings
// list, laid out and drawn once. Refusing the file with a StorageError is
// fine; a crash, a sanitizer report or any other exception is a bug.
#include <sqlite3.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

#include "core/finding_list.h"
#include "core/finding_marks.h"
#include "core/finding_target.h"
#include "core/profile_model.h"
#include "core/timeline_frame.h"
#include "core/timeline_layout.h"
#include "storage/schema_migrations.h"
#include "storage/sqlite_handle.h"

namespace {

constexpr std::string_view kSqlMarker = "-- lurk-fuzz-sql\n";

// One file per fuzzing process, in memory where the machine has a tmpfs.
std::string scratch_path() {
  const char* dir = access("/dev/shm", W_OK) == 0 ? "/dev/shm" : "/tmp";
  return std::string(dir) + "/lurk-fuzz-profile-" + std::to_string(getpid()) + ".lurk";
}

// Setup SQL may ask for anything (huge blobs, endless recursive CTEs): it is
// bounded so that the fuzzer spends its time in lurk's reader, not in SQLite.
int stop_long_setup(void* steps) { return ++*static_cast<int*>(steps) > 2000; }

bool write_from_sql(const std::string& path, std::string_view sql) {
  std::remove(path.c_str());
  sqlite3* db = nullptr;
  if (sqlite3_open(path.c_str(), &db) != SQLITE_OK) {
    sqlite3_close(db);
    return false;
  }
  sqlite3_limit(db, SQLITE_LIMIT_LENGTH, 1 << 20);
  int steps = 0;
  sqlite3_progress_handler(db, 1000, stop_long_setup, &steps);
  std::string text(sql);
  sqlite3_exec(db, text.c_str(), nullptr, nullptr, nullptr);  // what fails is left out
  sqlite3_close(db);
  return true;
}

bool write_bytes(const std::string& path, const uint8_t* data, size_t size) {
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (!f) return false;
  bool ok = std::fwrite(data, 1, size, f) == size;
  return std::fclose(f) == 0 && ok;
}

// What the page does after opening a profile: the model, the findings, the
// first frame over the whole profile, the n/N marks, each finding's target.
void read_as_the_ui_does(const std::string& path) {
  using namespace lurk::ui;
  std::unique_ptr<lurk::Database> db = lurk::open_profile_for_reading(path);
  ProfileModel model = ProfileModel::load(*db);
  FindingList findings = FindingList::load(*db);
  TimelineLayout layout;
  std::vector<bool> collapsed(model.groups().size(), false);
  layout.build(model, collapsed);
  FrameView view;
  view.window.fit(double(model.duration_ns()));
  FrameHighlights highlights;
  highlights.collapsed = collapsed;
  TimelineFrame frame = build_timeline_frame(model, layout, view, highlights);
  frame.hit_test(500, 100);
  FindingMarks marks;
  marks.build(model);
  size_t targets = 0;
  for (const FindingRow& row : findings.rows())
    if (++targets <= 64) finding_target(model, row);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = scratch_path();
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  bool written = bytes.substr(0, kSqlMarker.size()) == kSqlMarker
                     ? write_from_sql(path, bytes.substr(kSqlMarker.size()))
                     : write_bytes(path, data, size);
  if (!written) return 0;
  try {
    read_as_the_ui_does(path);
  } catch (const lurk::StorageError&) {
    // Refused with a message: what the page shows.
  }
  std::remove(path.c_str());
  return 0;
}
