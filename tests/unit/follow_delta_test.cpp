// Following a growing profile (storage/follow_delta.h, docs/live.md): a copy
// taken while `lurk collect`'s writer commits batches catches up with the
// profile through deltas, each holding only the rows past the copy's cursor,
// and ends holding the same rows as the file; a profile changed other than by
// appends (rows deleted, a clock aligned) asks for a reset; a delta applied
// to a copy at another state is refused; cut deltas (max_rows) converge.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <fstream>
#include <string>

#include "core/profile_model.h"
#include "importers/lurk_jsonl_stream.h"
#include "ingest/ingest_context.h"
#include "live_profile_fixture.h"
#include "storage/follow_delta.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

const std::string kFollowJsonlHeader = "{\"lurk\":\"jsonl\",\"version\":1,\"clock\":\"unix-ns\"}\n";
const std::string kConn = "\"laddr\":\"10.0.0.1\",\"lport\":40000,\"raddr\":\"10.0.0.2\",\"rport\":80";

std::string events(int from, int to) {
  std::string text;
  for (int i = from; i < to; ++i) {
    std::string ts = std::to_string(1700000000000000000LL + int64_t(i) * 1000);
    text += "{\"t\":\"log\",\"ts\":" + ts + ",\"text\":\"line " + std::to_string(i % 37) + "\"}\n";
    text += "{\"t\":\"tcp\",\"ts\":" + ts + "," + kConn + ",\"dir\":\"" + (i % 2 ? "rx" : "tx") +
            "\",\"seq\":" + std::to_string(i * 10) + ",\"ack\":1,\"len\":10,\"flags\":[\"ACK\"],\"window\":100}\n";
  }
  return text;
}

class FollowDeltaTest : public LiveProfileTest {
 protected:
  void SetUp() override {
    LiveProfileTest::SetUp();
    send(kFollowJsonlHeader + "{\"t\":\"thread_start\",\"ts\":1700000000000000000,\"thread\":\"w1\"}\n" + events(0, 50));
  }
  // One round trip of the follow endpoint: the delta past the copy's cursor, applied.
  FollowApplied catch_up(Database& copy, int64_t max_rows = 100000) {
    Database reader(profile_path_, Database::Mode::ReadOnly);
    FollowDelta delta = make_follow_delta(reader, FollowCursor::of(copy), max_rows);
    last_delta_bytes_ = delta.bytes.size();
    if (delta.bytes.empty()) return {};
    std::string path = temp_path("delta.sqlite");
    std::ofstream(path, std::ios::binary) << delta.bytes;
    return apply_follow_delta(copy, path);
  }
  int64_t in(Database& db, const std::string& sql) { return db.query_int(sql); }

  size_t last_delta_bytes_ = 0;
};

TEST_F(FollowDeltaTest, ACopyCatchesUpBatchByBatchWithOnlyTheNewRows) {
  std::unique_ptr<Database> copy = copy_now();
  EXPECT_EQ(in(*copy, "SELECT count(*) FROM packets"), 50);
  send(events(50, 80));
  FollowApplied applied = catch_up(*copy);
  EXPECT_FALSE(applied.reset);
  EXPECT_EQ(applied.rows, 30 + 30 + 0);  // packets and log instants; "line N" strings are known
  EXPECT_EQ(in(*copy, "SELECT count(*) FROM packets"), 80);
  EXPECT_EQ(in(*copy, "SELECT count(*) FROM instants WHERE kind = 'log'"), 80);
  // Updated in place: the connection's counts and the source's records.
  EXPECT_EQ(in(*copy, "SELECT packets_ab + packets_ba FROM connections"), 80);
  EXPECT_EQ(in(*copy, "SELECT records FROM sources"), in(db(), "SELECT records FROM sources"));

  // The thread ends in a batch of its own: the whole tables change, and one
  // new string (the exception's text) is the only appended row.
  send("{\"t\":\"thread_end\",\"ts\":1700000000100000000,\"thread\":\"w1\",\"error\":\"boom\"}\n");
  applied = catch_up(*copy);
  EXPECT_EQ(applied.rows, 1);
  EXPECT_EQ(in(*copy, "SELECT failed FROM threads"), 1);

  // Nothing new: an empty answer, and the copy's cursor is the profile's.
  EXPECT_EQ(catch_up(*copy).cursor, "");
  EXPECT_EQ(last_delta_bytes_, 0u);
  Database reader(profile_path_, Database::Mode::ReadOnly);
  EXPECT_EQ(FollowCursor::of(*copy), FollowCursor::of(reader));

  // The UI's model of the copy is the model of the file.
  ui::ProfileModel from_copy = ui::ProfileModel::load(*copy);
  ui::ProfileModel from_file = ui::ProfileModel::load(reader);
  EXPECT_EQ(from_copy.counts().packets, from_file.counts().packets);
  EXPECT_EQ(from_copy.counts().events, from_file.counts().events);
  EXPECT_EQ(from_copy.duration_ns(), from_file.duration_ns());
  EXPECT_EQ(from_copy.threads().at(0).failed, true);
}

TEST_F(FollowDeltaTest, CutDeltasConvergeAndEachHoldsAtMostMaxRowsPerTable) {
  std::unique_ptr<Database> copy = copy_now();
  send(events(50, 300));
  int rounds = 0;
  FollowApplied applied;
  do {
    applied = catch_up(*copy, 40);
    EXPECT_LE(applied.rows, 40);
    ++rounds;
  } while (applied.more && rounds < 100);
  EXPECT_EQ(rounds, 13);  // 250 packets and 250 log lines, 40 at a time
  EXPECT_EQ(in(*copy, "SELECT count(*) FROM packets"), 300);
  EXPECT_EQ(in(*copy, "SELECT sum(seq * id) FROM packets"), in(db(), "SELECT sum(seq * id) FROM packets"));
  Database reader(profile_path_, Database::Mode::ReadOnly);
  EXPECT_EQ(FollowCursor::of(*copy), FollowCursor::of(reader));
}

TEST_F(FollowDeltaTest, RowsDeletedOrAClockAlignedAskForAReset) {
  std::unique_ptr<Database> copy = copy_now();
  send(events(50, 60));
  db().exec("DELETE FROM instants WHERE id = 3");  // a rewrite, then an append
  send(events(60, 61));
  FollowApplied applied = catch_up(*copy);
  EXPECT_TRUE(applied.reset);
  EXPECT_EQ(in(*copy, "SELECT count(*) FROM packets"), 50);  // untouched: the page reloads

  std::unique_ptr<Database> fresh = copy_now();
  db().exec("UPDATE sources SET clock_offset_ns = 5");
  send(events(61, 62));  // committed with the next batch
  EXPECT_TRUE(catch_up(*fresh).reset);
}

TEST_F(FollowDeltaTest, ADeltaForAnotherStateIsRefused) {
  std::unique_ptr<Database> early = copy_now();
  send(events(50, 60));
  std::unique_ptr<Database> later = copy_now();
  Database reader(profile_path_, Database::Mode::ReadOnly);
  send(events(60, 70));
  FollowDelta delta = make_follow_delta(reader, FollowCursor::of(*early), 1000);
  std::string path = temp_path("delta.sqlite");
  std::ofstream(path, std::ios::binary) << delta.bytes;
  EXPECT_THROW(apply_follow_delta(*later, path), StorageError);
  EXPECT_EQ(in(*later, "SELECT count(*) FROM packets"), 60);  // unchanged
  EXPECT_NO_THROW(apply_follow_delta(*early, path));
  EXPECT_EQ(in(*early, "SELECT count(*) FROM packets"), 70);
}

TEST(FollowCursorText, RoundTripsAndRefusesWhatItDidNotWrite) {
  FollowCursor cursor;
  cursor.clocks = 0x0123456789abcdefULL;
  cursor.whole = 42;
  for (size_t i = 0; i < follow_append_tables().size(); ++i) cursor.tables.push_back({int64_t(i * 10), int64_t(i)});
  EXPECT_EQ(FollowCursor::parse(cursor.to_text()), cursor);
  EXPECT_THROW(FollowCursor::parse(""), std::invalid_argument);
  EXPECT_THROW(FollowCursor::parse("v2" + cursor.to_text().substr(2)), std::invalid_argument);
  EXPECT_THROW(FollowCursor::parse(cursor.to_text() + ".1-1"), std::invalid_argument);
  std::string text = cursor.to_text();
  EXPECT_THROW(FollowCursor::parse(text.substr(0, text.size() - 1) + "x"), std::invalid_argument);
  EXPECT_THROW(FollowCursor::parse(text.substr(0, text.rfind('-'))), std::invalid_argument);
  // Ids and counts are int64: 2^63 - 1 is the last, one more is refused (it
  // came back negative, and written back no longer parsed: the wire fuzzer).
  FollowCursor largest = cursor;
  largest.tables[0] = {INT64_MAX, INT64_MAX};
  EXPECT_EQ(FollowCursor::parse(largest.to_text()), largest);
  std::string past = largest.to_text();
  past.replace(past.find("9223372036854775807"), 19, "9223372036854775808");
  EXPECT_THROW(FollowCursor::parse(past), std::invalid_argument);
}

}  // namespace
}  // namespace lurk::test
