// lurk-ui-load: loads a .lurk into the UI's in-memory model (wasm-ui/core
// ProfileModel) natively, as the browser does, and prints the time each load
// took and the bytes its arrays hold. For profiling the UI's open time with
// callgrind or perf without a browser:
//
//   lurk-ui-load FILE.lurk [--repeat N]
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>

#include "core/profile_model.h"
#include "storage/sqlite_handle.h"

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: lurk-ui-load FILE.lurk [--repeat N]\n");
    return 2;
  }
  int repeat = argc >= 4 && std::strcmp(argv[2], "--repeat") == 0 ? std::atoi(argv[3]) : 1;
  try {
    for (int i = 0; i < repeat; ++i) {
      auto start = std::chrono::steady_clock::now();
      lurk::Database db(argv[1], lurk::Database::Mode::ReadOnly);
      lurk::ui::ProfileModel model = lurk::ui::ProfileModel::load(db);
      double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
      const auto& c = model.counts();
      int64_t events = c.packets + c.events;
      std::printf("load %.1f ms, %lld events, %zu array bytes (%.1f B/event)\n", ms,
                  (long long)events, model.memory_bytes(),
                  events ? double(model.memory_bytes()) / double(events) : 0.0);
    }
  } catch (const std::exception& e) {
    std::fprintf(stderr, "lurk-ui-load: %s\n", e.what());
    return 1;
  }
  return 0;
}
