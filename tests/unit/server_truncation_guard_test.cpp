// TruncationGuard (server/truncation_guard.h): a file mapped read-only and
// then cut short in place is read past its new end without SIGBUS ending
// the process: the pages cut off read as zeros and the guard says so; a
// mapping nobody cut is read as it is and the guard says nothing.
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <vector>

#include "server/truncation_guard.h"

namespace lurk::test {
namespace {

class TruncationGuardTest : public ::testing::Test {
 protected:
  void SetUp() override {
    path_ = std::filesystem::temp_directory_path() /
            ("lurk-truncation-guard-" + std::to_string(::getpid()) + ".bin");
    std::vector<uint8_t> bytes(kBytes);
    for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(1 + i % 251);  // never 0
    std::ofstream(path_, std::ios::binary).write(reinterpret_cast<const char*>(bytes.data()), kBytes);
    int fd = ::open(path_.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    map_ = static_cast<const uint8_t*>(::mmap(nullptr, kBytes, PROT_READ, MAP_SHARED, fd, 0));
    ::close(fd);
    ASSERT_NE(map_, MAP_FAILED);
  }
  void TearDown() override {
    if (map_ && map_ != MAP_FAILED) ::munmap(const_cast<uint8_t*>(map_), kBytes);
    std::filesystem::remove(path_);
  }
  static constexpr size_t kBytes = size_t(1) << 20;
  std::filesystem::path path_;
  const uint8_t* map_ = nullptr;
};

TEST_F(TruncationGuardTest, PagesCutOffReadAsZerosInsteadOfEndingTheProcess) {
  server::TruncationGuard guard(map_, kBytes);
  ASSERT_TRUE(guard.guarded());
  std::vector<uint8_t> copy(kBytes);
  std::memcpy(copy.data(), map_, kBytes);
  EXPECT_FALSE(guard.faulted()) << "a whole file is read as it is";
  EXPECT_EQ(copy[kBytes - 1], uint8_t(1 + (kBytes - 1) % 251));

  const size_t kept = 3 * 4096 + 100;  // ends inside a page
  std::filesystem::resize_file(path_, kept);
  // Without the guard this copy ends the process (SIGBUS at the first page
  // past the file's end).
  std::memcpy(copy.data(), map_, kBytes);
  EXPECT_TRUE(guard.faulted());
  EXPECT_EQ(copy[0], 1);
  EXPECT_EQ(copy[kept - 1], uint8_t(1 + (kept - 1) % 251)) << "bytes before the cut are the file's";
  size_t page = size_t(::sysconf(_SC_PAGESIZE));
  size_t first_cut_page = (kept + page - 1) / page * page;
  for (size_t i : {first_cut_page, first_cut_page + 1, kBytes / 2, kBytes - 1})
    EXPECT_EQ(copy[i], 0) << "byte " << i << " past the file's end";
}

TEST_F(TruncationGuardTest, GuardsAreFreedAndTakenAgain) {
  // More guards over a test's life than there are slots: each freed slot is
  // taken again, and a new guard starts unfaulted.
  for (int i = 0; i < 3 * server::TruncationGuard::kSlots; ++i) {
    server::TruncationGuard guard(map_, kBytes);
    EXPECT_TRUE(guard.guarded()) << i;
    EXPECT_FALSE(guard.faulted()) << i;
  }
  std::vector<server::TruncationGuard*> held;
  for (int i = 0; i < server::TruncationGuard::kSlots; ++i) held.push_back(new server::TruncationGuard(map_, kBytes));
  server::TruncationGuard one_too_many(map_, kBytes);
  EXPECT_FALSE(one_too_many.guarded()) << "past the slots: not guarded, and says so";
  for (server::TruncationGuard* g : held) delete g;
}

}  // namespace
}  // namespace lurk::test
