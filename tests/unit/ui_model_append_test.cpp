// Following a growing profile in the page (ProfileModel::append, docs/live.md):
// a collector's batches of lurk JSON lines (new threads, connections and
// strings, nested spans, logs, exceptions, counters of new names, TCP
// segments with their thread flows, segments out of order within and across
// batches, threads ending and failing) reach a copy through real follow
// deltas, and the model that appended each delta is, after every batch, the
// model load() makes of the copy and of the file: every lane, index, count
// and string, and the same timeline frames at several zoom levels. Threads
// the joiner links to a connection are appended too. What appending cannot
// follow (data before the origin, rows of a thread not held yet, a connection
// found to be another's, a profile with no times yet) says so; the caller's load() gives the file's.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <random>
#include <string>

#include "core/frame_request.h"
#include "core/frame_source.h"
#include "core/finding_marks.h"
#include "core/frame_wire.h"
#include "core/minimap.h"
#include "core/profile_model.h"
#include "frame_test_view.h"
#include "importers/lurk_jsonl_stream.h"
#include "ingest/ingest_context.h"
#include "live_profile_fixture.h"
#include "net/analysis_flags.h"
#include "storage/follow_delta.h"
#include "storage/sqlite_handle.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;

constexpr int64_t kAppendBase = 1'700'000'000'000'000'000;

std::string conn_fields(int k) {
  return "\"laddr\":\"10.0.0.1\",\"lport\":" + std::to_string(40000 + k) +
         ",\"raddr\":\"10.0.0.2\",\"rport\":80";
}

// A stack's trace, batch by batch: deterministic for a seed.
class StackTrace {
 public:
  explicit StackTrace(uint32_t seed) : rng_(seed) {}
  std::string header() const { return "{\"lurk\":\"jsonl\",\"version\":1,\"clock\":\"unix-ns\"}\n"; }

  // About `n` events after `t_` (some a little out of order).
  std::string batch(int n) {
    std::string text;
    for (int i = 0; i < n; ++i) {
      t_ += 1000 + int64_t(rng_() % 5000);
      text += event();
    }
    return text;
  }
  int64_t now() const { return t_; }

 private:
  std::string ts(int64_t jitter = 0) { return std::to_string(kAppendBase + t_ - jitter); }
  std::string thread_name(int k) { return "w" + std::to_string(k); }

  std::string event() {
    uint32_t pick = rng_() % 100;
    if (threads_.empty() || pick < 6) return start_thread();
    int k = threads_[rng_() % threads_.size()];
    std::string th = "\"thread\":\"" + thread_name(k) + "\"";
    if (pick < 10) return end_thread(k);
    if (pick < 30) {
      ++depth_[k];
      return "{\"t\":\"span_begin\",\"ts\":" + ts() + "," + th + ",\"name\":\"step " +
             std::to_string(rng_() % (names_ += 1)) + "\",\"args\":{\"n\":" +
             std::to_string(rng_() % 1000) + "}}\n";
    }
    if (pick < 45 && depth_[k] > 0) {
      --depth_[k];
      return "{\"t\":\"span_end\",\"ts\":" + ts() + "," + th + "}\n";
    }
    if (pick < 55)
      return "{\"t\":\"log\",\"ts\":" + ts() + "," + th + ",\"level\":\"info\",\"text\":\"line " +
             std::to_string(rng_() % 50) + "\"}\n";
    if (pick < 58)
      return "{\"t\":\"exception\",\"ts\":" + ts() + "," + th + ",\"message\":\"E" +
             std::to_string(rng_() % 4) + "\",\"stack\":[\"a.ml:1\"]}\n";
    if (pick < 66)
      return "{\"t\":\"counter\",\"ts\":" + ts() + "," + (rng_() % 2 ? th + "," : std::string()) +
             "\"name\":\"queue " + std::to_string(rng_() % (1 + counters_++ / 40)) +
             "\",\"value\":" + std::to_string(rng_() % 100) + "}\n";
    // A TCP segment of the thread's connection, sometimes sent by it (a
    // flow), sometimes a little before the last one (out of order).
    int conn = conn_of_[k];
    int64_t jitter = rng_() % 10 == 0 ? 800 : 0;
    seq_[conn] += 10;
    return "{\"t\":\"tcp\",\"ts\":" + ts(jitter) + "," + conn_fields(conn) + ",\"dir\":\"" +
           (rng_() % 2 ? "rx" : "tx") + "\",\"seq\":" + std::to_string(seq_[conn]) +
           ",\"ack\":1,\"len\":10,\"flags\":[\"ACK\"],\"window\":" +
           (rng_() % 30 == 0 ? "0" : "100") + (rng_() % 3 == 0 ? "," + th : std::string()) + "}\n";
  }

  std::string start_thread() {
    int k = next_thread_++;
    threads_.push_back(k);
    depth_.push_back(0);
    conn_of_.push_back(k / 3);  // a new connection every third thread
    if (seq_.size() <= size_t(k / 3)) seq_.push_back(0);
    std::string parent = threads_.size() > 1 && rng_() % 2
                             ? ",\"parent\":\"" + thread_name(threads_[rng_() % (threads_.size() - 1)]) + "\""
                             : "";
    return "{\"t\":\"thread_start\",\"ts\":" + ts() + ",\"thread\":\"" + thread_name(k) +
           "\",\"name\":\"worker " + std::to_string(k) + "\"" + parent + ",\"conn\":{" +
           conn_fields(k / 3) + "}}\n";
  }

  std::string end_thread(int k) {
    threads_.erase(std::find(threads_.begin(), threads_.end(), k));
    std::string error = rng_() % 3 == 0 ? ",\"error\":\"broke " + std::to_string(k % 5) + "\"" : "";
    return "{\"t\":\"thread_end\",\"ts\":" + ts() + ",\"thread\":\"" + thread_name(k) + "\"" + error +
           "}\n";
  }

  std::mt19937 rng_;
  int64_t t_ = 0;
  int next_thread_ = 0, names_ = 0, counters_ = 0;
  std::vector<int> threads_, depth_, conn_of_;
  std::vector<int64_t> seq_;
};

template <typename T>
bool same_bytes(const T& a, const T& b) {
  return a.size() == b.size() && (a.empty() || std::memcmp(a.data(), b.data(), a.size() * sizeof(a[0])) == 0);
}

// Everything a frame or a panel reads of a model.
void expect_same_model(const ProfileModel& got, const ProfileModel& want, const std::string& where) {
  SCOPED_TRACE(where);
  ASSERT_EQ(got.origin_ns(), want.origin_ns());
  ASSERT_EQ(got.duration_ns(), want.duration_ns());
  EXPECT_EQ(got.counts().connections, want.counts().connections);
  EXPECT_EQ(got.counts().packets, want.counts().packets);
  EXPECT_EQ(got.counts().threads, want.counts().threads);
  EXPECT_EQ(got.counts().events, want.counts().events);
  ASSERT_EQ(got.string_count(), want.string_count());
  for (uint32_t i = 0; i < got.string_count(); ++i) ASSERT_EQ(got.text(i), want.text(i)) << i;
  ASSERT_EQ(got.connections().size(), want.connections().size());
  for (size_t i = 0; i < got.connections().size(); ++i) {
    const ConnectionLanes &a = got.connections()[i], &b = want.connections()[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.label, b.label);
    EXPECT_EQ(a.state, b.state);
    EXPECT_EQ(std::tie(a.first_ns, a.last_ns, a.packets, a.bytes, a.retransmissions, a.dup_acks,
                       a.exceptions, a.group, a.same_as),
              std::tie(b.first_ns, b.last_ns, b.packets, b.bytes, b.retransmissions, b.dup_acks,
                       b.exceptions, b.group, b.same_as));
    for (int d = 0; d < 2; ++d) {
      EXPECT_TRUE(same_bytes(a.lanes[d], b.lanes[d])) << "connection " << i << " lane " << d;
      ASSERT_EQ(a.severity[d].size(), b.severity[d].size());
      size_t n = a.severity[d].size();
      for (size_t lo = 0; lo < n; lo += 1 + n / 7)
        for (size_t hi = lo; hi <= n; hi += 1 + n / 5)
          EXPECT_EQ(a.severity[d].max(lo, hi), b.severity[d].max(lo, hi));
    }
  }
  ASSERT_EQ(got.threads().size(), want.threads().size());
  for (size_t i = 0; i < got.threads().size(); ++i) {
    const ThreadLane &a = got.threads()[i], &b = want.threads()[i];
    EXPECT_EQ(std::tie(a.id, a.name, a.kind, a.parent, a.became, a.start_ns, a.end_ns, a.start_known,
                       a.end_known, a.failed, a.exception, a.connection, a.group),
              std::tie(b.id, b.name, b.kind, b.parent, b.became, b.start_ns, b.end_ns, b.start_known,
                       b.end_known, b.failed, b.exception, b.connection, b.group))
        << "thread " << i;
    EXPECT_EQ(a.depth_begin, b.depth_begin) << "thread " << i;
    EXPECT_TRUE(same_bytes(a.running, b.running)) << "thread " << i;
    // Args are numbered in arrival order: the same texts, maybe other indices.
    ASSERT_EQ(a.spans.size(), b.spans.size()) << "thread " << i;
    for (size_t k = 0; k < a.spans.size(); ++k) {
      const SpanRecord &x = a.spans[k], &y = b.spans[k];
      ASSERT_EQ(std::tie(x.t0_ns, x.t1_ns, x.name, x.depth, x.kind),
                std::tie(y.t0_ns, y.t1_ns, y.name, y.depth, y.kind))
          << "thread " << i << " span " << k;
      ASSERT_EQ(got.args(x.args), want.args(y.args));
    }
    ASSERT_EQ(a.instants.size(), b.instants.size()) << "thread " << i;
    for (size_t k = 0; k < a.instants.size(); ++k) {
      const InstantRecord &x = a.instants[k], &y = b.instants[k];
      ASSERT_EQ(std::tie(x.t_ns, x.name, x.kind), std::tie(y.t_ns, y.name, y.kind));
      ASSERT_EQ(got.args(x.args), want.args(y.args));
    }
    EXPECT_EQ(a.instant_severity.max(0, a.instants.size()), b.instant_severity.max(0, b.instants.size()));
    EXPECT_EQ(a.instant_severity.size(), b.instant_severity.size());
  }
  ASSERT_EQ(got.counters().size(), want.counters().size());
  for (size_t i = 0; i < got.counters().size(); ++i) {
    const CounterLane &a = got.counters()[i], &b = want.counters()[i];
    EXPECT_EQ(std::tie(a.name, a.thread, a.group, a.min, a.max),
              std::tie(b.name, b.thread, b.group, b.min, b.max));
    EXPECT_TRUE(same_bytes(a.samples, b.samples)) << "counter " << i;
  }
  ASSERT_EQ(got.groups().size(), want.groups().size());
  for (size_t i = 0; i < got.groups().size(); ++i) {
    EXPECT_EQ(got.groups()[i].connection, want.groups()[i].connection);
    EXPECT_EQ(got.groups()[i].threads, want.groups()[i].threads);
    EXPECT_EQ(got.groups()[i].counters, want.groups()[i].counters);
  }
  EXPECT_TRUE(same_bytes(got.flows(), want.flows()));
  for (PeriodKind kind : {PeriodKind::Gc, PeriodKind::Idle}) {
    ASSERT_EQ(got.periods(kind).size(), want.periods(kind).size());
    for (size_t i = 0; i < got.periods(kind).size(); ++i)
      EXPECT_EQ(std::tie(got.periods(kind)[i].t0_ns, got.periods(kind)[i].t1_ns),
                std::tie(want.periods(kind)[i].t0_ns, want.periods(kind)[i].t1_ns));
  }
}

FrameRequest request_at(const ProfileModel& model, double t0, double t1) {
  FrameRequest r = ::lurk::ui::test::frame_request_at(t0, t1, 2000);
  r.collapsed.assign(model.groups().size(), false);
  r.counters_open.assign(model.groups().size(), true);
  return r;
}

// The frames a user would see: the whole profile, its end, a close-up.
void expect_same_frames(const ProfileModel& got, const ProfileModel& want, const std::string& where) {
  SCOPED_TRACE(where);
  FrameRenderer a(got), b(want);
  double d = double(want.duration_ns());
  for (auto [t0, t1] : {std::pair{0.0, d}, {d * 0.8, d}, {d * 0.5, d * 0.5 + 2e5}}) {
    FrameRequest r = request_at(want, t0, t1);
    r.search = "line 1";
    EXPECT_EQ(encode_frame_answer(a.render(r)), encode_frame_answer(b.render(r))) << t0 << ".." << t1;
  }
}

class UiModelAppendTest : public LiveProfileTest {
 protected:
  // Flows between threads the profile holds (some from a thread to a packet)
  // and a GC or idle period, in the time of the batch about to be sent, as an
  // importer of flows and periods writes them; kinds appear over time.
  void add_flows_and_periods(int batch, int64_t from_ns, int64_t to_ns) {
    std::vector<int64_t> threads, packets;
    {  // read (and finalized) before rows are queued: then the connection is the writer's thread's
      Statement t = db().prepare("SELECT id FROM threads ORDER BY id");
      while (t.step()) threads.push_back(t.column_int(0));
      Statement p = db().prepare("SELECT id FROM packets ORDER BY id DESC LIMIT 20");
      while (p.step()) packets.push_back(p.column_int(0));
    }
    if (threads.size() < 2) return;
    for (int i = 0; i < 40; ++i) {
      FlowRow f;
      f.kind = i % 3 == 0 ? "reads" : "wakes " + std::to_string(batch / 3);
      f.from_thread = threads[size_t(i * 7 + batch) % threads.size()];
      f.to_thread = threads[size_t(i * 3 + 1) % threads.size()];
      f.from_ns = kAppendBase + to_ns - (to_ns - from_ns) * (i % 5) / 5 - 1;  // not in time order
      f.to_ns = f.from_ns + 500;
      if (i % 4 == 0 && !packets.empty()) {
        f.kind = "tcp-send";
        f.to_thread.reset();
        f.packet_id = packets[size_t(i) % packets.size()];
      }
      writer_->insert_flow(f);
    }
    writer_->insert_period({source_.id, batch % 2 ? "gc" : "idle", kAppendBase + from_ns + 10,
                            kAppendBase + from_ns + 900});
  }
  // The page's round trips until its copy holds what the file holds.
  void catch_up(Database& copy) {
    for (int round = 0; round < 100; ++round) {
      Database reader(profile_path_, Database::Mode::ReadOnly);
      FollowDelta delta = make_follow_delta(reader, FollowCursor::of(copy), 700);
      if (delta.bytes.empty()) return;
      ASSERT_FALSE(delta.reset);
      std::string path = temp_path("delta.sqlite");
      std::ofstream(path, std::ios::binary | std::ios::trunc) << delta.bytes;
      apply_follow_delta(copy, path);
    }
    FAIL() << "the copy did not catch up";
  }
};

TEST_F(UiModelAppendTest, AppendingEachBatchGivesTheModelAndFramesOfTheWholeFile) {
  StackTrace stack(7);
  send(stack.header() + stack.batch(300));
  std::unique_ptr<Database> copy = copy_now();
  ProfileModel model = ProfileModel::load(*copy);
  for (int batch = 1; batch <= 12; ++batch) {
    int64_t from = stack.now();
    std::string lines = stack.batch(batch % 4 == 0 ? 5 : 400);  // some batches are tiny
    add_flows_and_periods(batch, from, stack.now());
    send(lines);
    catch_up(*copy);
    ASSERT_TRUE(model.append(*copy)) << "batch " << batch;
    std::string where = "after batch " + std::to_string(batch);
    expect_same_model(model, ProfileModel::load(*copy), where + " (copy)");
    Database file(profile_path_, Database::Mode::ReadOnly);
    ProfileModel whole = ProfileModel::load(file);
    expect_same_model(model, whole, where + " (file)");
    expect_same_frames(model, whole, where);
    if (HasFatalFailure()) return;
  }
  // The trace grew the model in every way the test means to cover.
  EXPECT_GT(model.threads().size(), 30u);
  EXPECT_GT(model.connections().size(), 10u);
  EXPECT_GT(model.counters().size(), 3u);
  EXPECT_GT(model.flows().size(), 300u);
  EXPECT_TRUE(std::any_of(model.flows().begin(), model.flows().end(),
                          [](const FlowRecord& f) { return f.packet_lane >= 0; }));
  EXPECT_GT(model.periods(PeriodKind::Gc).size() + model.periods(PeriodKind::Idle).size(), 8u);
  EXPECT_TRUE(std::any_of(model.threads().begin(), model.threads().end(),
                          [](const ThreadLane& t) { return t.failed; }));
  EXPECT_TRUE(std::any_of(model.threads().begin(), model.threads().end(),
                          [](const ThreadLane& t) { return !t.end_known; }));
  EXPECT_TRUE(std::any_of(model.threads().begin(), model.threads().end(),
                          [](const ThreadLane& t) { return t.depth_count() > 2; }));
  // Append again with nothing new: the same model.
  ASSERT_TRUE(model.append(*copy));
  expect_same_model(model, ProfileModel::load(*copy), "nothing new");
}

// The minimap and the `]`/`[` marks a follow update grows by its delta
// (issue 14) are, after every batch, those built from scratch on the model a
// load gives: the same bins (their width doubling as the profile outgrows
// them), the same marks in the same order with the same groups and items.
void expect_same_marks(const FindingMarks& got, const FindingMarks& want, const std::string& where) {
  ASSERT_EQ(got.marks().size(), want.marks().size()) << where;
  for (size_t i = 0; i < want.marks().size(); ++i) {
    const FindingMark& a = got.marks()[i];
    const FindingMark& b = want.marks()[i];
    ASSERT_TRUE(a.t_ns == b.t_ns && a.kind == b.kind && a.group == b.group && a.item == b.item)
        << where << ": mark " << i << " of " << want.marks().size() << " at " << a.t_ns << "/"
        << b.t_ns << ", lane " << a.item.lane << "/" << b.item.lane << ", index " << a.item.index
        << "/" << b.item.index;
  }
}

TEST_F(UiModelAppendTest, MinimapAndFindingMarksGrowByTheDeltaAsTheyAreBuilt) {
  StackTrace stack(11);
  send(stack.header() + stack.batch(200));
  std::unique_ptr<Database> copy = copy_now();
  ProfileModel model = ProfileModel::load(*copy);
  Minimap minimap;
  FindingMarks marks;
  minimap.build(model);
  marks.build(model);
  const double first_width = minimap.bin_ns();
  size_t merged_lanes = 0, failures = 0;
  // Deltas of several sizes: a few rows, a batch, many batches' worth.
  const int sizes[] = {3, 400, 40, 1500, 1, 200, 2500, 10, 600, 5};
  for (size_t batch = 0; batch < std::size(sizes); ++batch) {
    int64_t from = stack.now();
    std::string lines = stack.batch(sizes[batch]);
    add_flows_and_periods(int(batch) + 1, from, stack.now());
    if (batch == 2 || batch == 6) {  // a late retransmission among a lane's old segments
      // The connection is the writer's thread's while it has rows queued
      // (the flows and the period above): writing on it here meanwhile was
      // two threads on one SQLite connection, which now and then made a
      // malformed page (seen under ASan in CI).
      writer_->wait_for_writer();
      db().exec("INSERT INTO packets (source_id, frame, connection_id, ts_ns, dir, seq, ack, "
                "payload_len, tcp_flags, window, wire_len, analysis) SELECT source_id, frame, "
                "connection_id, ts_ns + 1, dir, seq, ack, payload_len, tcp_flags, window, wire_len, " +
                std::to_string(kRetransmission) + " FROM packets ORDER BY id LIMIT 1 OFFSET " +
                std::to_string(batch * 3));
    }
    send(lines);
    catch_up(*copy);
    ASSERT_TRUE(model.append(*copy)) << "batch " << batch;
    for (bool m : model.last_append().packets_merged) merged_lanes += m;
    minimap.append(model);
    marks.append(model);
    std::string where = "after a delta of " + std::to_string(sizes[batch]) + " events";
    ProfileModel whole = ProfileModel::load(*copy);
    Minimap fresh;
    fresh.build(whole);
    ASSERT_EQ(minimap.bin_ns(), fresh.bin_ns()) << where;
    ASSERT_EQ(minimap.end_ns(), fresh.end_ns()) << where;
    ASSERT_EQ(minimap.max_count(), fresh.max_count()) << where;
    for (size_t i = 0; i < Minimap::kBins; ++i)
      ASSERT_TRUE(minimap.bins()[i] == fresh.bins()[i]) << where << ": bin " << i;
    FindingMarks fresh_marks;
    fresh_marks.build(whole);
    expect_same_marks(marks, fresh_marks, where);
    if (HasFatalFailure()) return;
    failures = size_t(std::count_if(fresh_marks.marks().begin(), fresh_marks.marks().end(),
                                    [](const FindingMark& m) { return m.item.kind == ItemKind::Thread; }));
  }
  // What the trace exercised: the bins widened as the profile grew, segments
  // out of order merged into their lanes, marks of every kind.
  EXPECT_GT(minimap.bin_ns(), first_width);
  EXPECT_GT(merged_lanes, 0u);
  EXPECT_GT(failures, 0u);
  EXPECT_GT(marks.marks().size(), 20u);
  // Every bin up to the duration can be used, none past it.
  EXPECT_LT(minimap.end_ns(), minimap.bin_ns() * double(Minimap::kBins));
  EXPECT_GE(minimap.end_ns(), minimap.bin_ns() * double(Minimap::kBins / 2));
}

TEST_F(UiModelAppendTest, WhatAppendingCannotFollowIsRefusedAndLoadGivesTheFile) {
  StackTrace stack(3);
  send(stack.header() + stack.batch(200));
  std::unique_ptr<Database> copy = copy_now();
  ProfileModel model = ProfileModel::load(*copy);
  // A late sender's line from before the profile's first time moves the origin.
  send("{\"t\":\"log\",\"ts\":" + std::to_string(kAppendBase - 5'000'000) + ",\"text\":\"early\"}\n");
  catch_up(*copy);
  ASSERT_EQ(copy->query_int("SELECT count(*) FROM instants WHERE ts_ns < " + std::to_string(kAppendBase)), 1);
  EXPECT_FALSE(model.append(*copy));
  model = ProfileModel::load(*copy);
  Database file(profile_path_, Database::Mode::ReadOnly);
  expect_same_model(model, ProfileModel::load(file), "reloaded");

  // Threads the joiner puts under connections move to their groups: appended
  // (the groups rebuilt), the model of a load.
  send(stack.batch(100));
  catch_up(*copy);
  ASSERT_TRUE(model.append(*copy));
  copy->exec("UPDATE threads SET connection_id = (SELECT max(id) FROM connections) "
             "WHERE id IN (SELECT id FROM threads ORDER BY id LIMIT 3)");
  copy->exec("UPDATE threads SET failed = 1 WHERE id = (SELECT min(id) FROM threads)");
  ASSERT_TRUE(model.append(*copy));
  expect_same_model(model, ProfileModel::load(*copy), "threads joined");
  EXPECT_GT(model.connections().back().exceptions, 0);
  // A span of a thread the profile does not hold yet: load() would place it
  // once the thread arrives, so it is not appended past.
  copy->exec("INSERT INTO spans (thread_id, start_ns, end_ns, name) SELECT max(id) + 1000, " +
             std::to_string(kAppendBase + stack.now()) + ", " + std::to_string(kAppendBase + stack.now() + 5) +
             ", NULL FROM threads");
  EXPECT_FALSE(model.append(*copy));
  model = ProfileModel::load(*copy);
  // A trace's connection found to be a capture's (same_as) moves the flows
  // drawn to its packets: not appended.
  copy->exec("UPDATE connections SET same_as = (SELECT min(id) FROM connections) "
             "WHERE id = (SELECT max(id) FROM connections)");
  EXPECT_FALSE(model.append(*copy));

  // An empty profile has no origin yet: its first data is loaded whole.
  std::unique_ptr<Database> empty =
      std::make_unique<Database>(temp_path("empty.lurk"), Database::Mode::ReadWriteCreate);
  {
    Database reader(profile_path_, Database::Mode::ReadOnly);
    sqlite3_backup* backup = sqlite3_backup_init(empty->raw(), "main", reader.raw(), "main");
    sqlite3_backup_step(backup, -1);
    sqlite3_backup_finish(backup);
  }
  for (const char* table : {"flows", "packets", "spans", "instants", "counters", "threads",
                            "connections", "periods"})
    empty->exec(std::string("DELETE FROM ") + table);
  ProfileModel none = ProfileModel::load(*empty);
  EXPECT_EQ(none.counts().packets, 0);
  EXPECT_FALSE(none.append(*copy));
}

}  // namespace
}  // namespace lurk::test
