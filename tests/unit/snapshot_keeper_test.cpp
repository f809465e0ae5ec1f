// The copies `lurk view` serves as /trace.lurk (server/snapshot_keeper.h):
// a changed profile is copied by the keeper's own thread (the call that
// notices the change returns the current copy at once, and says a fresher
// one is coming), and the number of copies alive is bounded: while readers
// pin `max_copies`, no new copy is taken, and one is once a reader lets go.
#include <gtest/gtest.h>

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <memory>

#include "server/private_temp_dir.h"
#include "server/snapshot_keeper.h"
#include "storage/schema.h"
#include "storage/sqlite_handle.h"

namespace lurk::server {
namespace {

using std::chrono::milliseconds;

class SnapshotKeeperTest : public ::testing::Test {
 protected:
  SnapshotKeeperTest() {
    Database db(profile_.string(), Database::Mode::ReadWriteCreate);
    ensure_schema(db);
  }
  // A committed change to the profile (a new source row).
  void change() {
    Database db(profile_.string(), Database::Mode::ReadWriteCreate);
    db.exec("INSERT INTO sources(path, format, content_hash, size_bytes, ingested_at, status) "
            "VALUES ('s" + std::to_string(++changes_) + "', 'pcap', 'h" + std::to_string(changes_) +
            "', 1, 0, 'complete')");
  }
  int64_t sources_in(const ProfileSnapshot& copy) {
    // The copy's bytes are a profile of their own: count what it holds.
    std::filesystem::path path = dir_.path() / ("read-" + std::to_string(++reads_) + ".lurk");
    std::string bytes(copy.size(), '\0');
    EXPECT_EQ(::pread(copy.fd(), bytes.data(), bytes.size(), 0), ssize_t(bytes.size()));
    FILE* out = std::fopen(path.c_str(), "wb");
    std::fwrite(bytes.data(), 1, bytes.size(), out);
    std::fclose(out);
    Database db(path.string(), Database::Mode::ReadOnly);
    return db.query_int("SELECT count(*) FROM sources");
  }

  PrivateTempDir dir_{"lurk-keeper-test"};
  std::filesystem::path profile_ = dir_.path() / "profile.lurk";
  int changes_ = 0, reads_ = 0;
};

TEST_F(SnapshotKeeperTest, AChangedProfileIsCopiedOffTheCallersThread) {
  SnapshotKeeper keeper(profile_, dir_.path(), 3, milliseconds(0));
  keeper.take_first(milliseconds(1000));
  std::shared_ptr<const ProfileSnapshot> first = keeper.current();
  ASSERT_NE(first, nullptr);
  EXPECT_FALSE(keeper.refreshing());
  change();
  // The call that notices the change returns the copy it has, at once.
  EXPECT_EQ(keeper.current(), first);
  keeper.wait_idle();
  std::shared_ptr<const ProfileSnapshot> second = keeper.current();
  ASSERT_NE(second, nullptr);
  EXPECT_NE(second, first);
  EXPECT_NE(second->etag(), first->etag());
  EXPECT_EQ(sources_in(*first), 0);
  EXPECT_EQ(sources_in(*second), 1);
  keeper.wait_idle();
  EXPECT_EQ(keeper.current(), second) << "an unchanged profile is not copied again";
}

TEST_F(SnapshotKeeperTest, SlowReadersPinAtMostMaxCopies) {
  SnapshotKeeper keeper(profile_, dir_.path(), 2, milliseconds(0));
  keeper.take_first(milliseconds(1000));
  std::shared_ptr<const ProfileSnapshot> slow_reader = keeper.current();  // pins copy 1
  change();
  keeper.current();
  keeper.wait_idle();
  std::shared_ptr<const ProfileSnapshot> second = keeper.current();  // copy 2, pinned too
  ASSERT_NE(second, slow_reader);
  EXPECT_EQ(keeper.copies(), 2u);
  change();
  keeper.current();
  keeper.wait_idle();
  EXPECT_EQ(keeper.current(), second) << "two copies pinned: no third is taken";
  EXPECT_EQ(keeper.copies(), 2u);
  EXPECT_FALSE(keeper.refreshing()) << "a request does not wait for a copy that is not coming";
  slow_reader.reset();  // the slow reader is done
  keeper.current();
  keeper.wait_idle();
  std::shared_ptr<const ProfileSnapshot> third = keeper.current();
  EXPECT_NE(third, second);
  EXPECT_EQ(sources_in(*third), 2);
  second.reset();
  EXPECT_LE(keeper.copies(), 2u);
}

TEST_F(SnapshotKeeperTest, NoFirstCopyYetIsMadeOnTheThread) {
  SnapshotKeeper keeper(profile_, dir_.path(), 3, milliseconds(0));
  EXPECT_EQ(keeper.current(), nullptr);  // asks for one
  EXPECT_TRUE(keeper.refreshing() || keeper.current() != nullptr);
  keeper.wait_idle();
  ASSERT_NE(keeper.current(), nullptr);
  EXPECT_EQ(keeper.error(), "");
}

}  // namespace
}  // namespace lurk::server
