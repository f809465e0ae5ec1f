// Replays fuzz inputs without libFuzzer: a `main` that calls the target's
// LLVMFuzzerTestOneInput on every file of the directories (or files) it is
// given. Built in the normal build and registered in ctest for each target
// with tests/data/fuzz-regressions/<target>/, so every input a fuzzer once
// crashed on is run again on every CI run, and under ASan + UBSan in the
// sanitizer build (docs/fuzzing.md). An empty or missing directory fails:
// a replay that ran nothing must not pass.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size);

namespace {

std::vector<std::filesystem::path> inputs_in(const std::filesystem::path& where) {
  std::vector<std::filesystem::path> files;
  if (std::filesystem::is_regular_file(where)) return {where};
  if (!std::filesystem::is_directory(where)) return files;
  for (const auto& entry : std::filesystem::directory_iterator(where))
    if (entry.is_regular_file() && entry.path().filename().string()[0] != '.')
      files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2) {
    std::fprintf(stderr, "usage: %s DIR_OR_FILE...\n", argv[0]);
    return 2;
  }
  size_t replayed = 0;
  for (int i = 1; i < argc; ++i) {
    std::vector<std::filesystem::path> files = inputs_in(argv[i]);
    if (files.empty()) {
      std::fprintf(stderr, "replay: %s: no inputs (a missing or empty directory)\n", argv[i]);
      return 1;
    }
    for (const std::filesystem::path& file : files) {
      std::ifstream in(file, std::ios::binary);
      std::vector<uint8_t> bytes{std::istreambuf_iterator<char>(in),
                                 std::istreambuf_iterator<char>()};
      std::fprintf(stderr, "replay: %s (%zu bytes)\n", file.c_str(), bytes.size());
      static const uint8_t kNothing = 0;  // libFuzzer never passes a null pointer
      LLVMFuzzerTestOneInput(bytes.empty() ? &kNothing : bytes.data(), bytes.size());
      ++replayed;
    }
  }
  std::printf("replayed %zu inputs without a crash\n", replayed);
  return 0;
}
