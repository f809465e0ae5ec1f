// A profile being collected live, as `lurk collect` writes it (WAL, a live
// lurk JSON lines source committed batch by batch), and the page's copy of it:
// the fixture of the tests that follow a growing profile (follow deltas, the
// model's appends).
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <memory>
#include <string>

#include "importers/lurk_jsonl_stream.h"
#include "ingest/ingest_context.h"
#include "profile_fixture.h"
#include "storage/trace_writer.h"

namespace lurk::test {

class LiveProfileTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    db().exec("PRAGMA journal_mode = WAL");
    writer_ = std::make_unique<TraceWriter>(db());
    writer_->begin_live();
    source_.path = "stack";
    source_.format = "lurk-jsonl";
    source_.content_hash = "live-test:stack";
    writer_->add_live_source(source_);
    ctx_ = std::make_unique<IngestContext>(*writer_, source_);
    stream_ = std::make_unique<LurkJsonlStream>(*ctx_);
  }
  void TearDown() override {
    stream_.reset();
    ctx_.reset();
    writer_.reset();
    ProfileTest::TearDown();
  }
  // One batch of the collector: fed and committed.
  void send(const std::string& text) {
    writer_->use_source(source_.id);
    stream_->feed(text.data(), text.size());
    stream_->flush();
    writer_->commit_batch({&source_});
  }
  // What the page holds after loading /trace.lurk: a copy of the profile now.
  std::unique_ptr<Database> copy_now() {
    std::string path = temp_path("copy-" + std::to_string(++copies_) + ".lurk");
    auto copy = std::make_unique<Database>(path, Database::Mode::ReadWriteCreate);
    Database reader(profile_path_, Database::Mode::ReadOnly);
    sqlite3_backup* backup = sqlite3_backup_init(copy->raw(), "main", reader.raw(), "main");
    EXPECT_EQ(sqlite3_backup_step(backup, -1), SQLITE_DONE);
    sqlite3_backup_finish(backup);
    return copy;
  }

  std::unique_ptr<TraceWriter> writer_;
  SourceRow source_;
  std::unique_ptr<IngestContext> ctx_;
  std::unique_ptr<LurkJsonlStream> stream_;
  int copies_ = 0;
};

}  // namespace lurk::test
