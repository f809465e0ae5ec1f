// Live collection's core (docs/live.md): two senders' streams fed
// interleaved, in chunks that cut lines, into one profile through one
// TraceWriter in live mode. A reader on another connection sees nothing of
// a batch until it is committed, then all of it, each sender's rows under
// its own source: thread ends and connection counts included (the trackers'
// flush), the torn line at a stream's end reported at its offset. A batch's
// end queued to the writer's thread (queue_commit_batch, as `lurk collect`
// does) commits exactly the rows queued before it, on that thread, says so
// once done, and a failing one throws at the caller and commits nothing.
// What a collector reads at its start it reads under its write lock.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>

#include "importers/lurk_jsonl_stream.h"
#include "ingest/ingest_context.h"
#include "profile_fixture.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

const std::string kLiveJsonlHeader = "{\"lurk\":\"jsonl\",\"version\":1,\"clock\":\"unix-ns\"}\n";
const std::string kConn = "\"laddr\":\"10.0.0.1\",\"lport\":40000,\"raddr\":\"10.0.0.2\",\"rport\":80";

std::string log_line(int i) {
  return "{\"t\":\"log\",\"ts\":" + std::to_string(1700000000000000000LL + i) +
         ",\"text\":\"line " + std::to_string(i) + "\"}\n";
}

// One sender: its source row, context and stream.
struct LiveSender {
  LiveSender(TraceWriter& writer, const std::string& name) : ctx(writer, source) {
    source.path = name;
    source.format = "lurk-jsonl";
    source.content_hash = "live-test:" + name;
    writer.add_live_source(source);
    stream = std::make_unique<LurkJsonlStream>(ctx);
  }
  void feed(TraceWriter& writer, const std::string& text, size_t chunk = 7) {
    writer.use_source(source.id);
    for (size_t at = 0; at < text.size(); at += chunk)
      stream->feed(text.data() + at, std::min(chunk, text.size() - at));
  }
  SourceRow row() {
    stream->flush();
    return source;
  }
  SourceRow source;
  IngestContext ctx;
  std::unique_ptr<LurkJsonlStream> stream;
};

class LiveBatchesTest : public ProfileTest {
 protected:
  int64_t seen(const std::string& sql) {
    Database reader(profile_path_, Database::Mode::ReadOnly);
    return reader.query_int(sql);
  }
};

TEST_F(LiveBatchesTest, ABatchIsVisibleWholeAtItsCommitEachSenderInItsSource) {
  db().exec("PRAGMA journal_mode = WAL");
  TraceWriter writer(db());
  writer.begin_live();
  LiveSender a(writer, "a"), b(writer, "b");
  std::string a_text = kLiveJsonlHeader, b_text = kLiveJsonlHeader;
  for (int i = 0; i < 3000; ++i) a_text += log_line(i);
  for (int i = 0; i < 500; ++i) b_text += log_line(i);
  a_text += "{\"t\":\"thread_start\",\"ts\":1700000001000000000,\"thread\":\"c1\"}\n";
  a_text += "{\"t\":\"tcp\",\"ts\":1700000001000000001," + kConn +
            ",\"dir\":\"tx\",\"seq\":1,\"ack\":0,\"len\":0,\"flags\":[\"SYN\"],\"window\":100}\n";
  a.feed(writer, a_text.substr(0, a_text.size() / 2));
  b.feed(writer, b_text);
  a.feed(writer, a_text.substr(a_text.size() / 2));
  EXPECT_EQ(seen("SELECT count(*) FROM sources"), 0);  // nothing committed yet

  SourceRow ra = a.row(), rb = b.row();
  writer.commit_batch({&ra, &rb});
  EXPECT_EQ(seen("SELECT count(*) FROM instants i JOIN sources s ON s.id = i.source_id "
                 "WHERE s.path = 'a' AND i.kind = 'log'"), 3000);
  EXPECT_EQ(seen("SELECT count(*) FROM instants i JOIN sources s ON s.id = i.source_id "
                 "WHERE s.path = 'b' AND i.kind = 'log'"), 500);
  EXPECT_EQ(seen("SELECT records FROM sources WHERE path = 'a'"), 3002);
  EXPECT_EQ(seen("SELECT packets_ab FROM connections"), 1);
  EXPECT_EQ(seen("SELECT count(*) FROM threads WHERE end_ns IS NULL"), 1);

  // The next batch: the thread ends, the connection answers, and b stops mid-line.
  a.feed(writer, "{\"t\":\"thread_end\",\"ts\":1700000002000000000,\"thread\":\"c1\",\"error\":\"x\"}\n");
  a.feed(writer, "{\"t\":\"tcp\",\"ts\":1700000002000000001," + kConn +
                     ",\"dir\":\"rx\",\"seq\":9,\"ack\":2,\"len\":0,\"flags\":[\"SYN\",\"ACK\"],"
                     "\"window\":100}\n");
  uint64_t torn_at = b_text.size();
  b.feed(writer, "{\"t\":\"log\",\"ts\":17");
  EXPECT_EQ(b.stream->complete_bytes(), torn_at);
  writer.use_source(b.source.id);
  b.stream->finish();
  ra = a.row();
  rb = b.row();
  writer.commit_batch({&ra, &rb});
  EXPECT_EQ(seen("SELECT failed FROM threads"), 1);
  EXPECT_EQ(seen("SELECT packets_ba FROM connections"), 1);
  EXPECT_EQ(seen("SELECT byte_offset FROM ingest_errors WHERE kind = 'bad-json'"), int64_t(torn_at));
  EXPECT_EQ(seen("SELECT s.path = 'b' FROM ingest_errors e JOIN sources s ON s.id = e.source_id"), 1);

  writer.use_source(a.source.id);
  a.stream->finish();
  ra = a.row();
  writer.commit_batch({&ra, &rb}, true);
  EXPECT_FALSE(writer.live());
  EXPECT_EQ(seen("SELECT count(*) FROM sources"), 2);
}

// What `lurk collect` relies on to ack a batch only once it is durable:
// the batch's end runs on the writer's thread behind its rows, the caller
// goes on queueing the next batch's rows meanwhile, and `finished` comes
// after COMMIT, when a reader sees the batch and none of the next.
TEST_F(LiveBatchesTest, AQueuedBatchEndCommitsItsRowsOnTheWriterThreadThenSaysSo) {
  db().exec("PRAGMA journal_mode = WAL");
  TraceWriter writer(db());
  writer.begin_live();
  LiveSender a(writer, "a");
  std::string first = kLiveJsonlHeader;
  for (int i = 0; i < 5000; ++i) first += log_line(i);
  a.feed(writer, first, 4096);

  std::mutex m;
  std::condition_variable cv;
  bool released = false, done = false;
  std::exception_ptr error;
  std::thread::id analysed_on;
  int64_t seen_in_batch = -1;
  Database& raw = db();  // the analysis uses the connection directly, as collect_server does
  writer.queue_commit_batch(
      {a.row()}, false,
      [&] {
        analysed_on = std::this_thread::get_id();
        seen_in_batch = raw.query_int("SELECT count(*) FROM instants");
        std::unique_lock<std::mutex> lock(m);  // held until the caller queued more rows
        cv.wait(lock, [&] { return released; });
      },
      [&](std::exception_ptr e) {
        std::lock_guard<std::mutex> lock(m);
        done = true;
        error = e;
        cv.notify_all();
      });
  // The caller is not held up by the batch's end: it queues the next rows
  // while the writer's thread is inside it.
  // (Texts the first batch interned: nothing is pushed to the queue, which
  // would wait while the job is held, as the caller would at its bound.)
  std::string second;
  for (int i = 0; i < 100; ++i) second += log_line(i);
  a.feed(writer, second, 4096);
  {
    std::lock_guard<std::mutex> lock(m);
    EXPECT_FALSE(done);
    released = true;
  }
  cv.notify_all();
  {
    std::unique_lock<std::mutex> lock(m);
    cv.wait(lock, [&] { return done; });
  }
  EXPECT_FALSE(error);
  EXPECT_NE(analysed_on, std::this_thread::get_id());
  EXPECT_EQ(seen_in_batch, 5000);  // its rows, none of the next batch's
  EXPECT_EQ(seen("SELECT count(*) FROM instants"), 5000);
  EXPECT_EQ(seen("SELECT records FROM sources"), 5000);

  writer.use_source(a.source.id);
  a.stream->finish();
  writer.queue_commit_batch({a.row()}, true, nullptr, nullptr);  // last: returns when committed
  EXPECT_FALSE(writer.live());
  EXPECT_EQ(seen("SELECT count(*) FROM instants"), 5100);
  EXPECT_EQ(seen("SELECT records FROM sources"), 5100);
}

// An error in a batch's end (its analysis, its COMMIT) reaches `finished`
// and the caller's next wait, and commits nothing of the batch.
TEST_F(LiveBatchesTest, AFailingQueuedBatchEndSaysSoAndCommitsNothing) {
  db().exec("PRAGMA journal_mode = WAL");
  std::exception_ptr reported;
  {
    TraceWriter writer(db());
    writer.begin_live();
    LiveSender a(writer, "a");
    std::string text = kLiveJsonlHeader;
    for (int i = 0; i < 300; ++i) text += log_line(i);
    a.feed(writer, text);
    std::atomic<bool> finished{false};
    writer.queue_commit_batch(
        {a.row()}, false, [] { throw std::runtime_error("the disk is full"); },
        [&](std::exception_ptr e) {
          reported = e;
          finished = true;
        });
    EXPECT_THROW(writer.wait_for_writer(), std::runtime_error);
    EXPECT_TRUE(finished);
    writer.rollback_source();
  }
  ASSERT_TRUE(reported);
  EXPECT_THROW(std::rethrow_exception(reported), std::runtime_error);
  EXPECT_EQ(seen("SELECT count(*) FROM instants"), 0);
  EXPECT_EQ(seen("SELECT count(*) FROM sources"), 0);
}

// What the collector reads at its start (its analysis's state, the stream
// ledger) is read under its write lock: begin_live runs it with the lock
// held, so no other writer can change the profile between that read and
// the first batch (docs/live.md, "One collector, and no ingest").
TEST_F(LiveBatchesTest, WhatTheCollectorReadsAtStartItReadsUnderItsWriteLock) {
  db().exec("PRAGMA journal_mode = WAL");
  TraceWriter writer(db());
  bool ran = false;
  std::string other_writer;
  writer.begin_live([&] {
    ran = true;
    Database other(profile_path_, Database::Mode::ReadWriteCreate);  // no busy wait
    try {
      other.exec("BEGIN IMMEDIATE");
      other.exec("ROLLBACK");
      other_writer = "got the write lock";
    } catch (const StorageError& e) {
      other_writer = e.what();
    }
  });
  EXPECT_TRUE(ran);
  EXPECT_NE(other_writer.find("database is locked"), std::string::npos) << other_writer;
  writer.queue_commit_batch({}, true, nullptr, nullptr);
}

}  // namespace
}  // namespace lurk::test
