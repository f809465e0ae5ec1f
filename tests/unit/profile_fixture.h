// A .lurk profile in a temporary file, with helpers to ingest in-memory
// inputs and read single values back, for tests of the collector core.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <string>
#include <vector>

#include "ingest/ingest.h"
#include "storage/sqlite_handle.h"

namespace lurk::test {

// A test's input text as the bytes ingest() takes.
inline std::vector<uint8_t> bytes_of(const std::string& text) { return {text.begin(), text.end()}; }

class ProfileTest : public ::testing::Test {
 protected:
  void SetUp() override;
  void TearDown() override;

  SourceOutcome ingest(const std::string& name, const std::vector<uint8_t>& bytes);
  int64_t count(const std::string& sql);
  std::string text(const std::string& sql);
  std::string temp_path(const std::string& name) const { return (dir_ / name).string(); }
  Database& db() { return *db_; }

  std::filesystem::path dir_;
  std::string profile_path_;
  std::unique_ptr<Database> db_;
};

}  // namespace lurk::test
