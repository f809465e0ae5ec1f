// The writer's background thread: jobs run in order off the caller's thread,
// a failed job surfaces at the caller's next push or drain (and nothing after
// it is written), a rollback drops what is queued, and ingesting from disk
// takes the file's digest while reading it, exactly as a separate pass would.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <thread>
#include <vector>

#include "capture_builder.h"
#include "ingest/byte_source.h"
#include "ingest/content_hash.h"
#include "profile_fixture.h"
#include "storage/trace_writer.h"
#include "storage/write_behind.h"

namespace lurk::test {
namespace {

TEST(WriteBehindQueue, RunsJobsInOrderOnAnotherThread) {
  WriteBehindQueue queue;
  queue.go_background();
  std::vector<int> order;
  std::vector<std::thread::id> threads;
  for (int i = 0; i < 100; ++i)
    queue.push([&, i] {
      order.push_back(i);
      threads.push_back(std::this_thread::get_id());
    });
  queue.drain();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  EXPECT_NE(threads.front(), std::this_thread::get_id());
}

TEST(WriteBehindQueue, InlineUntilStartedAndAfterGoingInline) {
  WriteBehindQueue queue;
  std::thread::id ran_on;
  queue.push([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
  queue.go_background();
  queue.go_inline();
  queue.push([&] { ran_on = std::this_thread::get_id(); });
  EXPECT_EQ(ran_on, std::this_thread::get_id());
}

TEST(WriteBehindQueue, AFailedJobSurfacesAndStopsTheRest) {
  WriteBehindQueue queue;
  queue.go_background();
  int ran_after = 0;
  queue.push([] { throw StorageError("disk full"); });
  bool thrown = false;
  try {
    for (int i = 0; i < 1000; ++i) queue.push([&] { ++ran_after; });
    queue.drain();
  } catch (const StorageError& e) {
    thrown = true;
    EXPECT_STREQ(e.what(), "disk full");
  }
  EXPECT_TRUE(thrown);
  queue.drain();  // reported once
  EXPECT_EQ(ran_after, 0);
}

TEST(WriteBehindQueue, DiscardDropsQueuedJobsAndTheirError) {
  WriteBehindQueue queue;
  queue.go_background();
  queue.push([] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); });
  int ran = 0;
  queue.push([&] { ++ran; });
  queue.push([] { throw StorageError("never reported"); });
  queue.discard();
  EXPECT_NO_THROW(queue.drain());
  EXPECT_LE(ran, 1);
}

class WriterThreadTest : public ProfileTest {};

// A row the background thread cannot write (its table is gone) fails the
// source at commit; the rollback leaves the source before it as it was.
TEST_F(WriterThreadTest, AFailedBackgroundInsertRollsTheSourceBack) {
  {
    TraceWriter writer(db());
    SourceRow first{0, "a.jsonl", "lurk-jsonl", "h1", 1};
    writer.begin_source(first);
    writer.insert_counter({std::nullopt, writer.intern("cwnd"), 10, 1.0});
    writer.commit_source(first);
  }
  TraceWriter writer(db());
  db().exec("DROP TABLE flows");  // after the writer checked (and completed) the schema
  SourceRow second{0, "b.jsonl", "lurk-jsonl", "h2", 2};
  writer.begin_source(second);
  for (int i = 0; i < 5000; ++i) writer.insert_counter({std::nullopt, writer.intern("x"), i, 2.0});
  writer.insert_flow({"signal", std::nullopt, 1, std::nullopt, 2});
  EXPECT_THROW(writer.commit_source(second), StorageError);
  writer.rollback_source();
  EXPECT_EQ(count("SELECT count(*) FROM sources"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM counters"), 1);
  EXPECT_EQ(text("SELECT group_concat(text) FROM strings"), "cwnd");
}

std::string write_file(const std::string& path, const std::vector<uint8_t>& bytes) {
  std::ofstream(path, std::ios::binary)
      .write(reinterpret_cast<const char*>(bytes.data()), std::streamsize(bytes.size()));
  return path;
}

std::string digest_of(const std::string& path) {
  FileByteSource in(path);
  return hash_source(in);
}

TEST_F(WriterThreadTest, DigestTakenWhileReadingIsTheFilesDigest) {
  FrameSpec spec;
  spec.flags = 0x02;
  std::vector<uint8_t> bytes = build_pcap({{1'000, build_tcp_frame(spec)}}, {});
  bytes.resize(bytes.size() + 5, 0xEE);  // a torn record the importer stops at
  std::string a = write_file(temp_path("a.pcap"), bytes);
  bytes.back() = 0xEF;  // same size, other content
  std::string b = write_file(temp_path("b.pcap"), bytes);
  db_.reset();  // ingest_files opens the profile itself

  IngestReport first = ingest_files({a, a, b}, profile_path_, {});
  ASSERT_EQ(first.sources.size(), 3u);
  EXPECT_EQ(first.sources[0].status, SourceOutcome::Status::Partial);
  EXPECT_EQ(first.sources[1].status, SourceOutcome::Status::AlreadyPresent);
  EXPECT_EQ(first.sources[2].status, SourceOutcome::Status::Partial);
  db_ = std::make_unique<Database>(profile_path_, Database::Mode::ReadOnly);
  EXPECT_EQ(text("SELECT content_hash FROM sources WHERE id = 1"), digest_of(a));
  EXPECT_EQ(text("SELECT content_hash FROM sources WHERE id = 2"), digest_of(b));
  EXPECT_NE(digest_of(a), digest_of(b));
}

}  // namespace
}  // namespace lurk::test

namespace lurk::test {
namespace {

std::string digest_in_pieces(const std::vector<uint8_t>& bytes, size_t piece) {
  ContentHasher hasher;
  for (size_t at = 0; at < bytes.size(); at += piece)
    hasher.update(bytes.data() + at, std::min(piece, bytes.size() - at));
  return hasher.hex();
}

// The importers' reads cut the file anywhere: the digest must not depend on
// where, and must tell apart inputs that differ in one byte or in length.
TEST(ContentHasher, SameDigestWhereverTheReadsCutTheInput) {
  std::vector<uint8_t> bytes(10'007);
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = uint8_t(i * 131 + (i >> 7));
  std::string whole = digest_in_pieces(bytes, bytes.size());
  for (size_t piece : {1, 3, 7, 8, 31, 32, 33, 4096}) EXPECT_EQ(digest_in_pieces(bytes, piece), whole);
  for (size_t at : {size_t(0), size_t(17), bytes.size() - 1}) {
    std::vector<uint8_t> other = bytes;
    other[at] ^= 1;
    EXPECT_NE(digest_in_pieces(other, 64), whole) << "byte " << at;
  }
  std::vector<uint8_t> longer = bytes;
  longer.push_back(0);
  EXPECT_NE(digest_in_pieces(longer, 64), whole);
  EXPECT_EQ(whole.size(), 32u);
}

}  // namespace
}  // namespace lurk::test
