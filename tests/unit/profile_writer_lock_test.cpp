// Who may write a profile (storage/profile_writer_lock.h): one collector,
// or any number of ingests, never both; refused at once (no wait), saying
// who holds it; free again once the holder is gone. Two locks of one
// process conflict as two processes' do (each opens the file: flock locks
// belong to the open file, not the process).
#include <gtest/gtest.h>

#include <chrono>
#include <optional>
#include <string>

#include "profile_fixture.h"
#include "storage/profile_writer_lock.h"

namespace lurk::test {
namespace {

using Role = ProfileWriterLock::Role;

// The error taking the lock gives, and how long it took ("" when taken).
std::string refusal(const std::string& path, Role role, double* seconds = nullptr) {
  auto start = std::chrono::steady_clock::now();
  std::string error;
  try {
    ProfileWriterLock lock(path, role);
  } catch (const StorageError& e) {
    error = e.what();
  }
  if (seconds)
    *seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return error;
}

class ProfileWriterLockTest : public ProfileTest {};

TEST_F(ProfileWriterLockTest, ACollectorExcludesAnotherCollectorAndIngestsAtOnce) {
  std::string path = temp_path("collected.lurk");
  std::optional<ProfileWriterLock> collector;
  collector.emplace(path, Role::Collector);
  double seconds = 0;
  EXPECT_NE(refusal(path, Role::Collector, &seconds).find("another `lurk collect` is collecting "
                                                          "into this profile"), std::string::npos);
  EXPECT_LT(seconds, 1.0);
  EXPECT_NE(refusal(path, Role::Ingest, &seconds).find("ingest into it before a collector starts "
                                                       "or after it stopped"), std::string::npos);
  EXPECT_LT(seconds, 1.0);
  collector.reset();  // the collector stopped
  EXPECT_EQ(refusal(path, Role::Ingest), "");
  EXPECT_EQ(refusal(path, Role::Collector), "");
}

TEST_F(ProfileWriterLockTest, IngestsShareTheFileAndKeepACollectorOut) {
  std::string path = temp_path("ingested.lurk");
  std::optional<ProfileWriterLock> ingest;
  ingest.emplace(path, Role::Ingest);
  EXPECT_EQ(refusal(path, Role::Ingest), "");  // SQLite orders ingests among themselves
  EXPECT_NE(refusal(path, Role::Collector).find("a `lurk ingest -o` is writing this profile"),
            std::string::npos);
  ingest.reset();
  EXPECT_EQ(refusal(path, Role::Collector), "");
}

}  // namespace
}  // namespace lurk::test
