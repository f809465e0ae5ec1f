// lurk-ui-follow: what one follow delta costs the page's model, natively
// (docs/live.md, "Following a profile as it grows"). Takes a profile (e.g.
// lurk-make-profile --events 1000000), loads its model as the page does,
// then, round after round, appends a batch of new rows to a copy (the last
// rows of packets, spans, instants and counters again, moved past the
// profile's end, so they land in the lanes a running stack would grow) and
// times ProfileModel::append against loading the model whole, and the
// minimap's and finding marks' appends (issue 14) against building them from
// every lane (what each update cost before). Prints medians.
//
//   lurk-ui-follow FILE.lurk [--batch 2000] [--rounds 7]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <filesystem>
#include <unistd.h>
#include <string>
#include <vector>

#include "core/finding_marks.h"
#include "core/minimap.h"
#include "core/profile_model.h"
#include "storage/sqlite_handle.h"

namespace {

using Clock = std::chrono::steady_clock;

double ms_since(Clock::time_point start) {
  return std::chrono::duration<double, std::milli>(Clock::now() - start).count();
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// Copies the last `rows` rows of `table` again, new ids, times moved by `shift`.
void grow(lurk::Database& db, const std::string& table, const std::vector<std::string>& times,
          int64_t rows, int64_t shift) {
  std::string columns, values;
  lurk::Statement info = db.prepare("SELECT name FROM pragma_table_info('" + table + "')");
  while (info.step()) {
    std::string name = info.column_text(0);
    if (name == "id") continue;
    bool time = std::find(times.begin(), times.end(), name) != times.end();
    columns += (columns.empty() ? "" : ", ") + name;
    values += (values.empty() ? "" : ", ") + (time ? name + " + " + std::to_string(shift) : name);
  }
  db.exec("INSERT INTO " + table + " (" + columns + ") SELECT " + values + " FROM " + table +
          " WHERE id > (SELECT max(id) FROM " + table + ") - " + std::to_string(rows) +
          " ORDER BY id");
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lurk-ui-follow FILE.lurk [--batch N] [--rounds N]\n");
    return 2;
  }
  int64_t batch = 2000;
  int rounds = 7;
  for (int i = 2; i + 1 < argc; i += 2) {
    if (std::strcmp(argv[i], "--batch") == 0) batch = std::atoll(argv[i + 1]);
    if (std::strcmp(argv[i], "--rounds") == 0) rounds = std::atoi(argv[i + 1]);
  }
  try {
    // Its own copy (two runs of one profile at once must not share one).
    std::string copy_path = std::string(argv[1]) + ".follow-copy-" + std::to_string(getpid());
    std::filesystem::copy_file(argv[1], copy_path, std::filesystem::copy_options::overwrite_existing);
    lurk::Database db(copy_path, lurk::Database::Mode::ReadWriteCreate);
    lurk::ui::ProfileModel model = lurk::ui::ProfileModel::load(db);
    std::vector<double> append_ms, load_ms, minimap_ms, marks_ms, minimap_append_ms, marks_append_ms;
    lurk::ui::Minimap minimap;  // kept up to date with the appends, as the page does
    lurk::ui::FindingMarks marks;
    minimap.build(model);
    marks.build(model);
    int refused = 0;
    // A quarter of the batch in each bulk table.
    int64_t each = std::max<int64_t>(1, batch / 4);
    for (int round = 0; round < rounds; ++round) {
      int64_t shift = model.duration_ns() + 1'000'000;
      db.exec("BEGIN");
      grow(db, "packets", {"ts_ns"}, each, shift);
      grow(db, "spans", {"start_ns", "end_ns"}, each, shift);
      grow(db, "instants", {"ts_ns"}, each, shift);
      grow(db, "counters", {"ts_ns"}, each, shift);
      db.exec("UPDATE connections SET last_ns = last_ns + " + std::to_string(shift));
      db.exec("COMMIT");
      auto start = Clock::now();
      bool appended = model.append(db);
      append_ms.push_back(ms_since(start));
      if (!appended) {
        ++refused;
        model = lurk::ui::ProfileModel::load(db);
      }
      start = Clock::now();
      if (appended) minimap.append(model);
      else minimap.build(model);
      minimap_append_ms.push_back(ms_since(start));
      start = Clock::now();
      if (appended) marks.append(model);
      else marks.build(model);
      marks_append_ms.push_back(ms_since(start));
      start = Clock::now();
      lurk::ui::Minimap built;
      built.build(model);
      minimap_ms.push_back(ms_since(start));
      start = Clock::now();
      lurk::ui::FindingMarks built_marks;
      built_marks.build(model);
      marks_ms.push_back(ms_since(start));
      if (built.bins() != minimap.bins() || built_marks.marks().size() != marks.marks().size()) {
        std::fprintf(stderr, "lurk-ui-follow: the appended minimap or marks differ from built ones\n");
        return 1;
      }
      start = Clock::now();
      lurk::ui::ProfileModel whole = lurk::ui::ProfileModel::load(db);
      load_ms.push_back(ms_since(start));
      if (whole.counts().events != model.counts().events || whole.duration_ns() != model.duration_ns()) {
        std::fprintf(stderr, "lurk-ui-follow: the appended model differs from the loaded one\n");
        return 1;
      }
    }
    const auto& c = model.counts();
    std::printf("%lld events held, batch %lld rows, %d rounds: append %.2f ms, load whole %.1f ms "
                "(medians); minimap built %.2f ms, appended %.3f ms; finding marks built %.2f ms, "
                "appended %.3f ms%s\n",
                (long long)(c.events + c.packets), (long long)(each * 4), rounds, median(append_ms),
                median(load_ms), median(minimap_ms), median(minimap_append_ms), median(marks_ms),
                median(marks_append_ms), refused ? " (some appends refused!)" : "");
    std::filesystem::remove(copy_path);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lurk-ui-follow: %s\n", e.what());
    return 1;
  }
  return 0;
}
