// Live collection's core (docs/live.md): two senders' streams fed
// interleaved, in chunks that cut lines, into one profile through one
// TraceWriter in live mode. A reader on another connection sees nothing of
// a batch until it is committed, then all of it, each sender's rows under
// its own source: thread ends and connection counts included (the trackers'
// flush), the torn line at a stream's end reported at its offset.
#include <gtest/gtest.h>

#include <string>

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

}  // namespace
}  // namespace lurk::test
