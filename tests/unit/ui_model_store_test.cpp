// The page's model made from the lane store (core/lane_store_format.h,
// ProfileModel::load_with_store; the page fetches the store from
// /trace.lanes) against the model load() makes from the profile's rows, on
// a generated profile: every connection, thread and counter lane item for
// item, the groups, flows, periods, bounds and counts, the args once read
// per thread, and the frames drawn over a walk of zooms and scrolls (the
// layout included). A store that is not this profile's (another state of
// it), cut short, lying about its sizes, or with any byte changed, is
// refused or gives a model that still equals the rows' (never a crash).
#include <gtest/gtest.h>

#include <cstring>
#include <fstream>
#include <random>

#include "same_records.h"
#include "core/frame_source.h"
#include "core/frame_wire.h"
#include "core/lane_store_format.h"
#include "frame_test_view.h"
#include "net/analysis_flags.h"
#include "net/tcp_segment.h"
#include "profile_fixture.h"
#include "server/frame_endpoint.h"
#include "server/lane_store.h"
#include "storage/schema_migrations.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;

constexpr int64_t kBase = 1'700'000'000'000'000'000;

// Connections with packets both ways (flagged ones, some stored out of
// order), threads with nested spans, running periods, instants and args,
// a thread with instants only, an empty thread, per-thread and global
// counters, flows (one to a packet) and GC/idle periods.
void write_store_profile(Database& db) {
  TraceWriter w(db);
  SourceRow source{0, "t", "test", "hash-store", 1};
  w.begin_source(source);
  std::mt19937_64 rng(11);
  int64_t frame = 0;
  std::vector<int64_t> threads;
  for (int k = 0; k < 5; ++k) {
    ConnectionRow c;
    c.source_id = source.id;
    c.addr_a = "10.0.0.1";
    c.addr_b = "10.0.2." + std::to_string(k);
    c.port_a = 42000 + k;
    c.port_b = 80;
    c.first_ns = kBase + k * 5'000'000;
    c.last_ns = c.first_ns + 40'000'000;
    c.state = "closed";
    w.insert_connection(c);
    int n = k == 3 ? 0 : 800 + 500 * k;
    for (int i = 0; i < n; ++i) {
      PacketRow p;
      p.source_id = source.id;
      p.frame = ++frame;
      p.connection_id = c.id;
      int64_t slot = i % 40 == 0 && i > 0 ? i - 5 : i;
      p.ts_ns = c.first_ns + slot * 30'011;
      p.dir = int(rng() % 2);
      p.tcp_flags = kAck;
      p.analysis = i % 83 == 5 ? uint32_t(kRetransmission) : i % 59 == 3 ? uint32_t(kDuplicateAck) : 0u;
      p.payload_len = p.dir ? 0 : 1000;
      w.insert_packet(p);
      (p.dir ? c.packets_ba : c.packets_ab)++;
    }
    w.update_connection(c);
    ThreadRow t;
    t.source_id = source.id;
    t.ext_id = "c" + std::to_string(k);
    t.name = w.intern("handler " + std::to_string(k));
    t.start_ns = c.first_ns;
    t.end_ns = c.last_ns;
    t.connection_id = c.id;
    w.insert_thread(t);
    threads.push_back(t.id);
    for (int i = 0; i < 200 + 100 * k; ++i) {
      int64_t t0 = *t.start_ns + i * 150'000 + int64_t(rng() % 9'000);
      std::optional<std::string> args;
      if (i % 7 == 0) args = "{\"i\":" + std::to_string(i) + ",\"k\":" + std::to_string(k) + "}";
      w.insert_span({t.id, t0, t0 + 100'000, 0, "span", w.intern(i % 2 ? "read" : "write"), args});
      w.insert_span({t.id, t0 + 10'000, t0 + 50'000, 1, "span", w.intern("parse"), std::nullopt});
      if (i % 3 == 0) w.insert_span({t.id, t0, t0 + 70'000, 0, "running", std::nullopt, std::nullopt});
      if (i % 11 == 0)
        w.insert_instant({t.id, t0 + 2'000, i % 22 == 0 ? "exception" : "log", w.intern("note"),
                          std::string("{\"stack\":[\"f\",\"g\"],\"n\":") + std::to_string(i) + "}"});
    }
    for (int i = 0; i < 100; ++i)
      w.insert_counter({t.id, w.intern("queue"), *t.start_ns + i * 300'000, double((i * 13) % 17)});
    w.insert_flow({"read", t.id, c.first_ns + 1'000'000, std::nullopt, c.first_ns + 1'200'000, std::nullopt});
  }
  ThreadRow only_instants, empty;
  only_instants.source_id = empty.source_id = source.id;
  only_instants.ext_id = "instants";
  only_instants.name = w.intern("timer");
  only_instants.start_ns = kBase;
  w.insert_thread(only_instants);
  for (int i = 0; i < 50; ++i)
    w.insert_instant({only_instants.id, kBase + i * 700'000, "label", w.intern("tick"), std::nullopt});
  empty.ext_id = "empty";
  empty.name = w.intern("idle thread");
  w.insert_thread(empty);
  int64_t heap = w.intern("heap_words");
  for (int i = 0; i < 5'000; ++i) {
    int64_t ti = kBase + int64_t(i) * 9'000;
    w.insert_counter({std::nullopt, heap, ti, double(1000 + (i * 7919) % 500)});
    if (i % 400 == 0) w.insert_period({source.id, "gc", ti, ti + 100'000});
    if (i % 400 == 200) w.insert_period({source.id, "idle", ti, ti + 300'000});
  }
  w.insert_instant({std::nullopt, kBase + 60'000'000, "log", w.intern("global"), std::nullopt});
  w.commit_source(source);
}

// Span and instant records equal but for the args index, whose texts are compared.
template <typename Records>
void expect_same_events(const ProfileModel& a, const Records& x, const ProfileModel& b, const Records& y,
                        const std::string& where) {
  ASSERT_EQ(x.size(), y.size()) << where;
  for (size_t i = 0; i < x.size(); ++i) {
    auto p = x[i], q = y[i];
    ASSERT_EQ(a.args(p.args), b.args(q.args)) << where << " item " << i;
    p.args = q.args = 0;
    ASSERT_EQ(std::memcmp(&p, &q, sizeof p), 0) << where << " item " << i;
  }
}

class ModelStoreTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    ::setenv("LURK_CACHE_DIR", (dir_ / "cache").c_str(), 1);
    write_store_profile(db());
    db_.reset();
    {
      server::FrameEndpoint made(profile_path_, dir_, 1 << 20);  // makes the summary and the store
      made.wait_for_background();  // (in the background: a cold open from the lane facts)
      ASSERT_TRUE(made.has_store()) << made.store_note();
    }
    std::ifstream in(server::lane_store_path(profile_path_), std::ios::binary);
    std::string bytes{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    store_.assign((bytes.size() + 7) / 8, 0);  // 8-byte aligned, as the page's malloc'd buffer
    std::memcpy(store_.data(), bytes.data(), bytes.size());
    store_size_ = bytes.size();
    db_ = open_profile_for_reading(profile_path_);
  }
  const char* store_bytes() const { return reinterpret_cast<const char*>(store_.data()); }

  std::vector<uint64_t> store_;
  uint64_t store_size_ = 0;
};

void expect_same_models(ProfileModel& rows, ProfileModel& store, Database& db) {
  EXPECT_EQ(store.origin_ns(), rows.origin_ns());
  EXPECT_EQ(store.duration_ns(), rows.duration_ns());
  EXPECT_EQ(store.counts().connections, rows.counts().connections);
  EXPECT_EQ(store.counts().packets, rows.counts().packets);
  EXPECT_EQ(store.counts().threads, rows.counts().threads);
  EXPECT_EQ(store.counts().events, rows.counts().events);
  EXPECT_FALSE(store.lazy());
  ASSERT_EQ(store.connections().size(), rows.connections().size());
  for (size_t i = 0; i < rows.connections().size(); ++i) {
    const ConnectionLanes &a = store.connections()[i], &b = rows.connections()[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.label, b.label);
    EXPECT_EQ(a.first_ns, b.first_ns);
    EXPECT_EQ(a.group, b.group);
    EXPECT_EQ(a.retransmissions, b.retransmissions) << i;
    EXPECT_EQ(a.dup_acks, b.dup_acks) << i;
    for (int d = 0; d < 2; ++d) {
      EXPECT_TRUE(a.lanes[d].is_view() || a.lanes[d].empty()) << "a view of the store, not a copy";
      EXPECT_TRUE(same_records(a.lanes[d], b.lanes[d])) << "connection " << i << " dir " << d;
      EXPECT_EQ(a.severity[d].levels(), b.severity[d].levels()) << i;
    }
  }
  ASSERT_EQ(store.threads().size(), rows.threads().size());
  for (uint32_t i = 0; i < rows.threads().size(); ++i) {
    const ThreadLane &a = store.threads()[i], &b = rows.threads()[i];
    EXPECT_EQ(a.id, b.id);
    EXPECT_EQ(a.start_ns, b.start_ns);
    EXPECT_EQ(a.end_ns, b.end_ns);
    EXPECT_EQ(a.group, b.group);
    EXPECT_EQ(a.depth_begin, b.depth_begin) << i;
    EXPECT_EQ(a.instant_severity.levels(), b.instant_severity.levels()) << i;
    bool had_args = false;
    for (const SpanRecord& s : b.spans) had_args = had_args || s.args;
    for (const InstantRecord& r : b.instants) had_args = had_args || r.args;
    if (had_args) EXPECT_FALSE(a.args_loaded) << "thread " << i << ": the store keeps no args";
    store.load_thread_args(db, i);
    const ThreadLane& c = store.threads()[i];
    EXPECT_TRUE(c.args_loaded);
    expect_same_events(store, c.spans, rows, b.spans, "thread " + std::to_string(i) + " spans");
    expect_same_events(store, c.running, rows, b.running, "thread " + std::to_string(i) + " running");
    expect_same_events(store, c.instants, rows, b.instants, "thread " + std::to_string(i) + " instants");
  }
  ASSERT_EQ(store.counters().size(), rows.counters().size());
  for (size_t i = 0; i < rows.counters().size(); ++i) {
    const CounterLane &a = store.counters()[i], &b = rows.counters()[i];
    EXPECT_EQ(a.name, b.name);
    EXPECT_EQ(a.key, b.key);
    EXPECT_EQ(a.thread, b.thread);
    EXPECT_EQ(a.group, b.group);
    EXPECT_EQ(a.min, b.min);
    EXPECT_EQ(a.max, b.max);
    EXPECT_TRUE(same_records(a.samples, b.samples)) << "counter " << i;
  }
  ASSERT_EQ(store.groups().size(), rows.groups().size());
  for (size_t g = 0; g < rows.groups().size(); ++g) {
    EXPECT_EQ(store.groups()[g].connection, rows.groups()[g].connection);
    EXPECT_EQ(store.groups()[g].threads, rows.groups()[g].threads);
    EXPECT_EQ(store.groups()[g].counters, rows.groups()[g].counters);
  }
  EXPECT_TRUE(same_records(store.flows(), rows.flows()));
  for (PeriodKind kind : {PeriodKind::Gc, PeriodKind::Idle})
    EXPECT_TRUE(same_records(store.periods(kind), rows.periods(kind)));
}

TEST_F(ModelStoreTest, TheStoresModelIsTheRowsModel) {
  ProfileModel rows = ProfileModel::load(db());
  ASSERT_GT(rows.counts().packets, 3000);
  LaneStoreReader reader;
  std::string why;
  ASSERT_TRUE(reader.parse(store_bytes(), store_size_, nullptr, why)) << why;
  std::optional<ProfileModel> store = ProfileModel::load_with_store(db(), reader, why);
  ASSERT_TRUE(store) << why;
  // Frames first (the args not read yet: frames do not draw them).
  FrameRenderer from_rows(rows), from_store(*store);
  double d = double(rows.duration_ns());
  int frames = 0;
  for (bool packed : {false, true})
    for (bool idle : {false, true})
      for (float scroll : {0.0f, 300.0f, 1e6f})
        for (auto [t0, t1] : {std::pair{-d * 0.01, d * 1.01}, {d * 0.2, d * 0.5}, {d * 0.3, d * 0.3004}}) {
          FrameRequest r = ui::test::frame_request_at(t0, t1);
          r.view.scroll_y = scroll;
          r.hide_idle = idle;
          r.packed = packed;
          ASSERT_EQ(encode_frame_answer(from_store.render(r)), encode_frame_answer(from_rows.render(r)))
              << t0 << ".." << t1 << " scroll " << scroll << (idle ? " idle" : "") << (packed ? " packed" : "");
          ++frames;
        }
  EXPECT_EQ(frames, 36);
  expect_same_models(rows, *store, db());
}

// A store made before the profile gained a row: its last row ids are not
// the profile's, so it is refused (the page then reads the rows).
TEST_F(ModelStoreTest, AStoreOfAnotherStateIsRefused) {
  db_.reset();
  {
    Database db(profile_path_, Database::Mode::ReadWriteCreate);
    db.exec("INSERT INTO spans (thread_id, start_ns, end_ns, depth, kind, name) "
            "SELECT thread_id, start_ns + 1, end_ns, depth, kind, name FROM spans ORDER BY id DESC LIMIT 1");
  }
  db_ = open_profile_for_reading(profile_path_);
  LaneStoreReader reader;
  std::string why;
  ASSERT_TRUE(reader.parse(store_bytes(), store_size_, nullptr, why)) << why;
  EXPECT_FALSE(ProfileModel::load_with_store(db(), reader, why));
  EXPECT_NE(why.find("another state of the profile"), std::string::npos) << why;
}

// Cut short anywhere, or a lane's count past the bytes: refused before any
// view is made.
TEST_F(ModelStoreTest, ADamagedStoreIsRefused) {
  LaneStoreReader reader;
  std::string why;
  for (uint64_t cut : {uint64_t(0), uint64_t(10), store_size_ / 2, store_size_ - 3}) {
    EXPECT_FALSE(reader.parse(store_bytes(), cut, nullptr, why)) << cut;
    EXPECT_FALSE(why.empty());
  }
  // The index's entries: a connection's A→B count made huge.
  lane_store_format::Footer footer;
  std::memcpy(&footer, store_bytes() + store_size_ - sizeof footer, sizeof footer);
  auto* entries = reinterpret_cast<lane_store_format::Entry*>(reinterpret_cast<char*>(store_.data()) + footer.index_at);
  lane_store_format::Entry* busy = nullptr;
  for (uint64_t i = 0; i < footer.entries; ++i)
    if (entries[i].kind == lane_store_format::LaneKind::Connection && entries[i].counts[0] > 0) busy = &entries[i];
  ASSERT_TRUE(busy);
  for (uint64_t huge : {uint64_t(1) << 60, store_size_ / sizeof(PacketMark)}) {
    uint64_t kept = busy->counts[0];
    busy->counts[0] = huge;
    ASSERT_TRUE(reader.parse(store_bytes(), store_size_, nullptr, why)) << why;
    EXPECT_FALSE(ProfileModel::load_with_store(db(), reader, why)) << huge;
    EXPECT_NE(why.find("connection lane"), std::string::npos) << why;
    busy->counts[0] = kept;
  }
  ASSERT_TRUE(reader.parse(store_bytes(), store_size_, nullptr, why)) << why;
  EXPECT_TRUE(ProfileModel::load_with_store(db(), reader, why)) << why;
}

// Any single byte changed (in the header, a lane, a pyramid, the summary,
// the index or the footer): refused, or a model whose lanes (bytes the
// checks cannot judge, such as a time) differ, but never a read outside
// the store (the address sanitizer build runs this too).
TEST_F(ModelStoreTest, ChangedBytesAreRefusedOrStayInside) {
  ProfileModel rows = ProfileModel::load(db());
  std::mt19937_64 rng(5);
  int refused = 0, taken = 0;
  char* bytes = reinterpret_cast<char*>(store_.data());
  std::vector<uint64_t> places = {0, 20, store_size_ - 1, store_size_ - 20, store_size_ - 40};
  for (int i = 0; i < 150; ++i) places.push_back(rng() % store_size_);
  for (uint64_t at : places) {
    char kept = bytes[at];
    bytes[at] = char(kept ^ (1 << (rng() % 8)));
    LaneStoreReader reader;
    std::string why;
    std::optional<ProfileModel> model;
    if (reader.parse(store_bytes(), store_size_, nullptr, why)) model = ProfileModel::load_with_store(db(), reader, why);
    if (model) {
      ++taken;
      FrameRenderer renderer(*model);
      double d = double(model->duration_ns());
      renderer.render(ui::test::frame_request_at(0, d > 0 ? d : 1));
    } else {
      ++refused;
      EXPECT_FALSE(why.empty());
    }
    bytes[at] = kept;
  }
  EXPECT_GT(refused, 0);
  EXPECT_GT(taken, 0) << "a changed time or value is not something the checks can see";
}

}  // namespace
}  // namespace lurk::test
