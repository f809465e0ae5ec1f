// Server-backed viewing's pieces on a real profile written with the
// TraceWriter (thousands of packets, nested spans, instants, counters): the
// frame request's text form and its strict parser, the /frame answer's bytes
// (round trip, damaged input refused with a byte offset), a remote frame
// source fed through the wire giving the same records as the local one at
// five zoom levels, and the server's /frame and /native answers (FrameEndpoint).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>

#include "core/finding_marks.h"
#include "core/frame_request.h"
#include "core/frame_source.h"
#include "core/frame_records_text.h"
#include "core/frame_wire.h"
#include "core/timeline_layout.h"
#include "core/item_details.h"
#include "core/minimap.h"
#include "core/range_counts.h"
#include "core/remote_item_details.h"
#include "core/remote_mark_steps.h"
#include "core/remote_measure.h"
#include "core/remote_samples.h"
#include "core/sample_wire.h"
#include "frame_test_view.h"
#include "http_response_body.h"
#include "net/analysis_flags.h"
#include "net/tcp_segment.h"
#include "profile_fixture.h"
#include "server/frame_endpoint.h"
#include "server/profile_outline.h"
#include "storage/trace_writer.h"

namespace lurk::test {
namespace {

using namespace lurk::ui;

constexpr int64_t kFrameSourceBase = 1'700'000'000'000'000'000;

class FrameSourceTest : public ProfileTest {
 protected:
  void SetUp() override {
    ProfileTest::SetUp();
    TraceWriter w(db());
    SourceRow source{0, "t", "test", "hash-frames", 1};
    w.begin_source(source);
    int64_t frame = 0;
    for (int k = 0; k < 3; ++k) {
      ConnectionRow c;
      c.source_id = source.id;
      c.addr_a = "10.0.0.1";
      c.addr_b = "10.0.0." + std::to_string(2 + k);
      c.port_a = 40000 + k;
      c.port_b = 80;
      c.first_ns = kFrameSourceBase + k * 1'000'000;
      c.last_ns = c.first_ns + 50'000'000;
      c.packets_ab = 2000;
      c.state = "closed";
      // What the analyzer would count for the packets below (i % 97 == 5).
      c.flags_json = "{\"tcp.analysis.retransmission\":" + std::to_string(4000 / 97 + (4000 % 97 > 5)) + "}";
      w.insert_connection(c);
      for (int i = 0; i < 4000; ++i) {
        PacketRow p;
        p.source_id = source.id;
        p.frame = ++frame;
        p.connection_id = c.id;
        p.ts_ns = c.first_ns + i * 12'345;
        p.dir = i % 2;
        p.tcp_flags = kAck;
        p.analysis = i % 97 == 5 ? kRetransmission : 0;
        p.seq = uint32_t(i);
        if (i % 50 == 7) p.rtt_ns = 1000 + i;  // for the graphs' samples
        w.insert_packet(p);
      }
      ThreadRow t;
      t.source_id = source.id;
      t.ext_id = std::to_string(k);
      t.name = w.intern("reader " + std::to_string(k));
      t.start_ns = c.first_ns;
      t.end_ns = c.last_ns;
      t.connection_id = c.id;
      w.insert_thread(t);
      for (int i = 0; i < 1500; ++i) {
        int64_t t0 = c.first_ns + i * 30'000;
        w.insert_span({t.id, t0, t0 + 20'000, 0, "span", w.intern("tcp.read"), std::nullopt});
        w.insert_span({t.id, t0 + 2'000, t0 + 9'000, 1, "span", w.intern("parse"), std::nullopt});
        if (i % 10 == 0) w.insert_instant({t.id, t0 + 1'000, "label", w.intern("wake"), std::nullopt});
      }
    }
    for (int i = 0; i < 500; ++i)
      w.insert_counter({std::nullopt, w.intern("heap"), kFrameSourceBase + i * 100'000, double(i % 37)});
    w.commit_source(source);
    model = ProfileModel::load(db());
  }

  FrameRequest request_at(double t0, double t1) const { return ::lurk::ui::test::frame_request_at(t0, t1); }

  ProfileModel model;
};

void expect_same_records(const TimelineFrame& a, const TimelineFrame& b, const std::string& where) {
  ASSERT_EQ(a.rects.size(), b.rects.size()) << where;
  ASSERT_EQ(a.texts.size(), b.texts.size()) << where;
  ASSERT_EQ(a.lines.size(), b.lines.size()) << where;
  for (size_t i = 0; i < a.rects.size(); ++i) {
    const DrawRect &x = a.rects[i], &y = b.rects[i];
    ASSERT_TRUE(x.x0 == y.x0 && x.y0 == y.y0 && x.x1 == y.x1 && x.y1 == y.y1 && x.color == y.color &&
                x.outline == y.outline && x.ref == y.ref && x.ref.count == y.ref.count)
        << where << ": rect " << i;
  }
  for (size_t i = 0; i < a.texts.size(); ++i)
    ASSERT_TRUE(a.texts[i].text == b.texts[i].text && a.texts[i].x == b.texts[i].x &&
                a.texts[i].y == b.texts[i].y && a.texts[i].color == b.texts[i].color)
        << where << ": text " << i << " " << a.texts[i].text << " / " << b.texts[i].text;
  for (size_t i = 0; i < a.lines.size(); ++i)
    ASSERT_TRUE(a.lines[i].x0 == b.lines[i].x0 && a.lines[i].y1 == b.lines[i].y1 &&
                a.lines[i].color == b.lines[i].color && a.lines[i].arrow == b.lines[i].arrow)
        << where << ": line " << i;
  EXPECT_EQ(a.ruler_rects, b.ruler_rects) << where;
  EXPECT_EQ(a.ruler_origin, b.ruler_origin) << where;
  ASSERT_EQ(a.ticks.size(), b.ticks.size()) << where;
  ASSERT_EQ(a.densities.size(), b.densities.size()) << where;
  for (size_t i = 0; i < a.densities.size(); ++i)
    EXPECT_EQ(a.densities[i].columns, b.densities[i].columns) << where;
}

TEST_F(FrameSourceTest, RequestSurvivesItsTextForm) {
  FrameRequest r = request_at(123456.5, 98765432.25);
  r.view.scroll_y = 42;
  r.view.light = true;
  r.packed = false;
  r.keep_group = 2;
  r.collapsed = {true, false, true};
  r.counters_open = {false, false, false, true};
  r.selected_group = 1;
  r.selected = {ItemKind::SpanBlock, 2, 17, 40};
  r.measure = std::make_pair(1000.0, 2000.5);
  r.search = "tcp read & more=%";
  FrameRequest back = parse_frame_request(frame_request_query(r));
  EXPECT_TRUE(back == r) << frame_request_query(r);
  EXPECT_EQ(back.selected.count, 40u);
  EXPECT_EQ(back.search, "tcp read & more=%");
}

TEST_F(FrameSourceTest, BadParametersAreRefusedByName) {
  std::string good = frame_request_query(request_at(0, 1e6));
  EXPECT_NO_THROW(parse_frame_request(good));
  auto refused = [&](const std::string& query, const std::string& names) {
    try {
      parse_frame_request(query);
      ADD_FAILURE() << "accepted: " << query;
    } catch (const FrameRequestError& e) {
      EXPECT_NE(std::string(e.what()).find(names), std::string::npos) << e.what();
    }
  };
  refused("t1=5&lx=0&lw=0&x=0&w=10&ry=0&rh=0&y=0&h=10", "t0 is missing");
  refused(good + "&t0=1", "t0 is given twice");
  refused("t0=100&t1=105&lx=0&lw=0&x=0&w=10&ry=0&rh=0&y=0&h=10", "t1: expected a time at least 10 ns");
  refused("t0=nan&t1=105&lx=0&lw=0&x=0&w=10&ry=0&rh=0&y=0&h=10", "t0: expected a number");
  refused("t0=0&t1=1e30&lx=0&lw=0&x=0&w=10&ry=0&rh=0&y=0&h=10", "t1: expected a number");
  refused("t0=0&t1=100&lx=0&lw=0&x=0&w=0&ry=0&rh=0&y=0&h=10", "w: expected a number in [1, 16384]");
  refused("t0=0&t1=100&lx=0&lw=0&x=0&w=99999&ry=0&rh=0&y=0&h=10", "w: expected");
  refused("t0=0&t1=100&lx=0&lw=0&x=0&w=1x&ry=0&rh=0&y=0&h=10", "w: expected");
  const std::string base = "t0=0&t1=100&lx=0&lw=0&x=0&w=10&ry=0&rh=0&y=0&h=10";
  EXPECT_NO_THROW(parse_frame_request(base)) << "the optional parameters have defaults";
  refused(base + "&sy=-1", "sy: expected");
  refused(good + "&col=01x", "col: expected a string of 0 and 1");
  refused(good + "&sel=1.2.3", "sel: expected kind.lane.index.count");
  refused(good + "&sel=99.0.0.1", "sel: expected an item kind");
  refused(good + "&sel=1.-2.0.1", "sel: expected an index");
  refused(base + "&light=yes", "light: expected 0 or 1");
  refused(good + "&q=%zz", "q: malformed percent escape");
  refused(good + "&q=" + std::string(300, 'a'), "q: expected a search text of at most 256 bytes");
  refused(good + "&bogus=1", "unknown frame parameter bogus");
  refused(good + "&m0=5", "m1 is missing");
  // Kind 0 is no selection, whatever follows it; written back, the query has
  // no sel and parses to the same request (found by the wire fuzzer).
  FrameRequest none = parse_frame_request(base + "&sel=0.2.3.3");
  EXPECT_FALSE(none.selected);
  EXPECT_EQ(none.selected.lane, 0u);
  EXPECT_EQ(parse_frame_request(frame_request_query(none)), none);
}

TEST_F(FrameSourceTest, AnswerSurvivesTheWireAndDamageIsRefused) {
  FrameRenderer renderer(model);
  FrameRequest r = request_at(0, double(model.duration_ns()));
  r.search = "parse";
  r.selected = {ItemKind::Span, 1, 3, 1};
  FrameAnswer a = renderer.render(r);
  ASSERT_GT(a.frame.rects.size(), 50u);
  ASSERT_GT(a.selected_row_y, 0) << "the selected span's thread row";
  EXPECT_GT(a.selected_row_height, 0);
  ASSERT_GT(a.frame.search_marked, 0) << "search highlights travel too";
  ASSERT_GT(a.search_matches, 0) << "and the count";
  EXPECT_EQ(a.search_args_searched, 1.0) << "in-browser, args are searched with the names";
  a.search_args_searched = 0.375;  // as lurk view's answer while its pass over the args goes on
  std::string bytes = encode_frame_answer(a);
  std::string problem;
  std::optional<FrameAnswer> b = decode_frame_answer(bytes, problem);
  ASSERT_TRUE(b) << problem;
  expect_same_records(a.frame, b->frame, "round trip");
  EXPECT_EQ(a.frame.search_marked, b->frame.search_marked);
  EXPECT_EQ(a.layout.total_height, b->layout.total_height);
  EXPECT_EQ(a.layout.thread_rows_shown, b->layout.thread_rows_shown);
  EXPECT_EQ(a.search_matches, b->search_matches);
  EXPECT_EQ(a.search_args_searched, b->search_args_searched);
  EXPECT_EQ(a.selected_row_y, b->selected_row_y);
  EXPECT_EQ(a.selected_row_height, b->selected_row_height);
  for (size_t cut : {size_t(0), size_t(3), size_t(8), size_t(40), bytes.size() / 2, bytes.size() - 1}) {
    EXPECT_FALSE(decode_frame_answer(bytes.substr(0, cut), problem)) << cut;
    EXPECT_NE(problem.find("at byte"), std::string::npos) << problem;
  }
  EXPECT_FALSE(decode_frame_answer(bytes + "x", problem));
  EXPECT_NE(problem.find("1 bytes after the frame"), std::string::npos) << problem;
  std::string huge = bytes;
  uint32_t lie = 0xFFFFFFF0;
  std::memcpy(huge.data() + 4 + 4 + 4 + 6 * 8 + 8 + 8 + 8, &lie, 4);  // the rectangle count (after the search's and the selected row)
  EXPECT_FALSE(decode_frame_answer(huge, problem));
  EXPECT_NE(problem.find("records announced"), std::string::npos) << problem;
  std::string other = bytes;
  other[4] = 9;
  EXPECT_FALSE(decode_frame_answer(other, problem));
  EXPECT_NE(problem.find("version 9"), std::string::npos) << problem;
}

// The remote source asks through the wire (as the page does over HTTP) and
// answers with the last frame while the next is in flight; once answered,
// its records are the local source's at each of five zoom levels.
TEST_F(FrameSourceTest, RemoteFramesMatchLocalAtFiveZoomLevels) {
  FrameRenderer server(model);
  std::vector<std::pair<std::string, uint64_t>> sent;
  RemoteFrameSource remote([&](const std::string& query, uint64_t serial) { sent.emplace_back(query, serial); });
  LocalFrameSource local(model);
  double d = double(model.duration_ns());
  const std::pair<double, double> windows[] = {
      {-d * 0.01, d * 1.01}, {d * 0.2, d * 0.6}, {d * 0.3, d * 0.32}, {d * 0.31, d * 0.3102}, {d * 0.31, d * 0.310005}};
  int level = 0;
  for (auto [t0, t1] : windows) {
    FrameRequest r = request_at(t0, t1);
    const FrameAnswer* before = remote.frame(r);
    EXPECT_FALSE(remote.current());
    if (level == 0) EXPECT_EQ(before, nullptr) << "nothing to draw before the first answer";
    else EXPECT_NE(before, nullptr) << "the last frame is drawn while the next is in flight";
    ASSERT_EQ(sent.size(), size_t(level + 1));
    EXPECT_EQ(remote.frame(r), before) << "the same view is not asked twice";
    EXPECT_EQ(sent.size(), size_t(level + 1));
    FrameRequest asked = parse_frame_request(sent.back().first);
    ASSERT_EQ(remote.receive(sent.back().second, encode_frame_answer(server.render(asked))), "");
    const FrameAnswer* got = remote.frame(r);
    ASSERT_NE(got, nullptr);
    EXPECT_TRUE(remote.current());
    const FrameAnswer* mine = local.frame(r);
    expect_same_records(mine->frame, got->frame, "zoom level " + std::to_string(level));
    EXPECT_EQ(mine->layout.total_height, got->layout.total_height);
    EXPECT_GT(got->frame.rects.size(), 5u) << "level " << level;
    ++level;
  }
}

TEST_F(FrameSourceTest, NewerViewsWaitForTheAnswerInFlight) {
  FrameRenderer server(model);
  std::vector<std::pair<std::string, uint64_t>> sent;
  RemoteFrameSource remote([&](const std::string& query, uint64_t serial) { sent.emplace_back(query, serial); });
  double d = double(model.duration_ns());
  remote.frame(request_at(0, d));
  remote.frame(request_at(0, d / 2));
  remote.frame(request_at(0, d / 4));
  ASSERT_EQ(sent.size(), 1u) << "one request in flight at a time";
  EXPECT_EQ(remote.receive(sent[0].second + 7, "x"), "an answer to a request not in flight");
  ASSERT_EQ(remote.receive(sent[0].second, encode_frame_answer(server.render(parse_frame_request(sent[0].first)))), "");
  ASSERT_EQ(sent.size(), 2u) << "the newest view is asked for at once, the one between skipped";
  EXPECT_EQ(parse_frame_request(sent[1].first).view.window.t1(), d / 4);
  EXPECT_FALSE(remote.current());
  remote.fail(sent[1].second, "HTTP 500");
  EXPECT_EQ(remote.error(), "HTTP 500");
  remote.frame(request_at(0, d / 4));
  EXPECT_EQ(sent.size(), 2u) << "a failed view is not asked again in a loop";
  remote.frame(request_at(0, d / 8));
  EXPECT_EQ(sent.size(), 3u) << "a new view is";
  EXPECT_NE(remote.receive(sent[2].second, "garbage"), "");
  EXPECT_NE(remote.error().find("could not be read"), std::string::npos);
}

server::HttpRequest get(const std::string& path, const std::string& query) {
  server::HttpRequest r;
  r.method = "GET";
  r.path = path;
  r.query = query;
  return r;
}

// A connection's graphs in server-backed viewing: GET /samples gives the
// packets the page reads in-browser (ConnectionSeries::read_samples, every
// field, with and without an RTT sample), so the series built from them is
// the same; bad or damaged requests and answers are refused with a reason;
// the page side asks once per connection and takes no late answer.
TEST_F(FrameSourceTest, ConnectionPacketsForTheGraphsComeFromLurkView) {
  int64_t id = model.connections()[1].id;
  std::vector<TcpSample> want = ConnectionSeries::read_samples(db(), id, model.origin_ns());
  ASSERT_EQ(want.size(), 4000u);
  db_.reset();
  ::setenv("LURK_CACHE_DIR", (dir_ / "cache").c_str(), 1);
  server::FrameEndpoint endpoint(profile_path_, dir_);
  auto answer = [&](const std::string& query) {
    auto a = endpoint.answer(get("/samples", query));
    return a ? std::make_pair(a->status, body_of(*a)) : std::make_pair(0, std::string());
  };
  auto [status, body] = answer(samples_request_query(id));
  ASSERT_EQ(status, 200) << body;
  std::string problem;
  std::optional<std::vector<TcpSample>> got = decode_tcp_samples(body, problem);
  ASSERT_TRUE(got) << problem;
  ASSERT_EQ(got->size(), want.size());
  int64_t with_rtt = 0;
  for (size_t i = 0; i < want.size(); ++i) {
    const TcpSample &a = (*got)[i], &b = want[i];
    ASSERT_TRUE(a.t_ns == b.t_ns && a.seq == b.seq && a.ack == b.ack && a.payload_len == b.payload_len &&
                a.analysis == b.analysis && a.window == b.window && a.rtt_ns == b.rtt_ns && a.dir == b.dir &&
                a.tcp_flags == b.tcp_flags)
        << i;
    with_rtt += b.rtt_ns.has_value();
  }
  EXPECT_GT(with_rtt, 10);
  ConnectionSeries remote = ConnectionSeries::build(id, *got), local = ConnectionSeries::build(id, want);
  EXPECT_EQ(remote.ack_values().size(), local.ack_values().size());
  EXPECT_EQ(remote.rtt_values().size(), local.rtt_values().size());
  EXPECT_EQ(remote.segments().size(), local.segments().size());
  EXPECT_GT(local.ack_values().size(), 1000u);
  EXPECT_GT(local.rtt_values().size(), 10u);

  EXPECT_EQ(answer("").first, 400);
  EXPECT_NE(answer("").second.find("c is missing"), std::string::npos);
  EXPECT_EQ(answer("c=x1").first, 400);
  EXPECT_EQ(answer("c=1&d=2").first, 400);
  EXPECT_EQ(answer("c=999").first, 404);
  EXPECT_EQ(answer("c=-3").first, 404) << "a 64-bit id, not an index";
  EXPECT_EQ(answer("c=99999999999").first, 404);
  EXPECT_EQ(answer("c=99999999999999999999").first, 400);
  for (size_t cut : {size_t(0), size_t(5), size_t(15), size_t(16), body.size() / 2, body.size() - 1})
    EXPECT_FALSE(decode_tcp_samples(body.substr(0, cut), problem)) << cut;
  EXPECT_FALSE(decode_tcp_samples(body + "x", problem));
  std::string lying = body;
  lying[8] = char(0xff);  // the count's low byte
  EXPECT_FALSE(decode_tcp_samples(lying, problem));
  EXPECT_NE(problem.find("samples announced"), std::string::npos) << problem;
  std::string other_version = body;
  other_version[4] = 7;
  EXPECT_FALSE(decode_tcp_samples(other_version, problem));
  EXPECT_NE(problem.find("version 7"), std::string::npos) << problem;

  std::vector<std::string> sent;
  RemoteConnectionSamples page([&](const std::string& q) { sent.push_back(q); });
  EXPECT_EQ(page.get(id), nullptr);
  EXPECT_EQ(page.get(id), nullptr);
  ASSERT_EQ(sent.size(), 1u) << "asked once";
  page.receive(sent[0], body);
  ASSERT_TRUE(page.get(id));
  EXPECT_EQ(page.get(id)->size(), want.size());
  int64_t next = model.connections()[2].id;
  EXPECT_EQ(page.get(next), nullptr);
  ASSERT_EQ(sent.size(), 2u);
  page.receive(sent[0], body);  // a late answer for the connection before
  EXPECT_EQ(page.get(next), nullptr);
  page.fail(sent[1], "HTTP 500: boom");
  EXPECT_NE(page.problem().find("HTTP 500"), std::string::npos) << page.problem();
  page.receive(sent[1], "LRKS garbage");
  EXPECT_NE(page.problem().find("could not be read"), std::string::npos) << page.problem();
}

TEST_F(FrameSourceTest, EndpointAnswersFramesAndRefusesBadOnes) {
  db_.reset();
  ::setenv("LURK_CACHE_DIR", (dir_ / "cache").c_str(), 1);  // its lane summary stays here
  server::FrameEndpoint endpoint(profile_path_, dir_);
  double d = double(endpoint.model().duration_ns());
  FrameRequest r = request_at(0, d);
  auto ok = endpoint.answer(get("/frame", frame_request_query(r)));
  ASSERT_TRUE(ok);
  ASSERT_EQ(ok->status, 200) << body_of(*ok);
  std::string problem;
  std::optional<FrameAnswer> answer = decode_frame_answer(body_of(*ok), problem);
  ASSERT_TRUE(answer) << problem;
  FrameRenderer here(model);
  expect_same_records(here.render(r).frame, answer->frame, "endpoint");

  auto status_of = [&](const std::string& query) {
    auto a = endpoint.answer(get("/frame", query));
    return a ? std::make_pair(a->status, body_of(*a)) : std::make_pair(0, std::string());
  };
  EXPECT_EQ(status_of("").first, 400);
  EXPECT_NE(status_of("").second.find("t0 is missing"), std::string::npos);
  EXPECT_EQ(status_of(frame_request_query(r) + "&w=5").first, 400);
  EXPECT_EQ(status_of(frame_request_query(request_at(3 * d, 4 * d))).first, 400) << "past the end";
  EXPECT_NE(status_of(frame_request_query(request_at(3 * d, 4 * d))).second.find("outside the profile"),
            std::string::npos);
  EXPECT_EQ(status_of(frame_request_query(request_at(-5 * d, -4 * d))).first, 400) << "before the start";
  EXPECT_EQ(status_of(frame_request_query(request_at(d * 0.9, d * 1.5))).first, 200) << "overlapping the end";
  FrameRequest bad_group = r;
  bad_group.selected_group = 99;
  EXPECT_EQ(status_of(frame_request_query(bad_group)).first, 400);
  FrameRequest far_item = r;
  far_item.selected = {ItemKind::Span, 4000000000u, 4000000000u, 1};
  EXPECT_EQ(status_of(frame_request_query(far_item)).first, 200) << "an unknown selection just is not drawn";
  FrameRequest many_flags = r;
  many_flags.collapsed.assign(5000, true);
  EXPECT_EQ(status_of(frame_request_query(many_flags)).first, 200) << "flags past the groups are ignored";

  auto info = endpoint.answer(get("/native", ""));
  ASSERT_TRUE(info);
  nlohmann::json j = nlohmann::json::parse(body_of(*info));
  EXPECT_EQ(j["native"], true);
  EXPECT_EQ(j["counts"]["packets"], 12000);
  EXPECT_EQ(j["counts"]["events"], model.counts().events);
  EXPECT_GT(j["rssBytes"].get<int64_t>(), 0);
  EXPECT_FALSE(endpoint.answer(get("/trace.lurk", "")));

  // The outline: every small table's rows, none of the bulk ones, same schema version.
  auto outline = endpoint.answer(get("/outline.lurk", ""));
  ASSERT_TRUE(outline);
  std::string outline_path = temp_path("outline-copy.lurk");
  {
    std::ofstream out(outline_path, std::ios::binary);
    out << body_of(*outline);
  }
  Database copy(outline_path, Database::Mode::ReadOnly);
  Database original(profile_path_, Database::Mode::ReadOnly);
  for (const char* table : {"connections", "threads", "strings", "sources", "findings", "periods"})
    EXPECT_EQ(copy.query_int(std::string("SELECT count(*) FROM ") + table),
              original.query_int(std::string("SELECT count(*) FROM ") + table)) << table;
  for (const std::string& table : server::bulk_tables())
    EXPECT_EQ(copy.query_int("SELECT count(*) FROM " + table), 0) << table;
  EXPECT_EQ(copy.query_int("PRAGMA user_version"), original.query_int("PRAGMA user_version"));
  Statement check = copy.prepare("PRAGMA integrity_check");
  ASSERT_TRUE(check.step());
  EXPECT_EQ(check.column_text(0), "ok");
  ProfileModel outline_model = ProfileModel::load(copy);
  EXPECT_EQ(outline_model.connections().size(), model.connections().size());
  EXPECT_EQ(outline_model.threads().size(), model.threads().size());
  EXPECT_EQ(outline_model.counts().packets, 0);
  EXPECT_EQ(j["outlineBytes"], body_of(*outline).size());
  EXPECT_EQ(server::profile_event_count(profile_path_), 12000 + 2 * 3 * 1500 + 3 * 150 + 500);
}

// The page's side of server-backed viewing: the outline put on the whole
// profile's axis (adopt_extent) has the full model's connections, threads and
// groups at the same relative times; /item describes an item of a remote
// frame as describe_item does here; RemoteItemDetails asks once and keeps
// the answer; the records' text is the same for a frame that went through
// the wire and differs between views.
TEST_F(FrameSourceTest, PageSideOfServerBackedViewing) {
  db_.reset();
  server::FrameEndpoint endpoint(profile_path_, dir_);
  endpoint.wait_for_background();  // a cold open from the lane facts: the minimap is made in the background
  nlohmann::json info = nlohmann::json::parse(body_of(*endpoint.answer(get("/native", ""))));
  EXPECT_FALSE(info["backgroundPending"].get<bool>());
  std::string outline_path = temp_path("outline-page.lurk");
  {
    std::ofstream out(outline_path, std::ios::binary);
    out << body_of(*endpoint.answer(get("/outline.lurk", "")));
  }
  Database copy(outline_path, Database::Mode::ReadOnly);
  ProfileModel page = ProfileModel::load(copy);
  ProfileCounts counts;
  counts.connections = info["counts"]["connections"];
  counts.packets = info["counts"]["packets"];
  counts.threads = info["counts"]["threads"];
  counts.events = info["counts"]["events"];
  ASSERT_TRUE(page.adopt_lane_shapes(info["laneShapes"].dump())) << info["laneShapes"].dump();
  page.adopt_extent(std::stoll(info["originNsText"].get<std::string>()), info["durationNs"].get<int64_t>(), counts,
                    info["groups"].get<size_t>());
  // With the lanes' shapes, the page lays its rows out as lurk view does
  // (where a step's row is scrolled to): the same rows at the same heights,
  // threads of several depths and counters folded or open.
  ASSERT_GT(page.counters().size(), 0u);
  ASSERT_EQ(page.counters().size(), model.counters().size());
  for (bool packed : {false, true})
    for (bool counters_open : {false, true}) {
      LayoutOptions o;
      o.packed = packed;
      o.t0 = 0;
      o.t1 = double(model.duration_ns());
      o.counters_open.assign(model.groups().size(), counters_open);
      std::vector<bool> collapsed(model.groups().size(), false);
      TimelineLayout here, there;
      here.build(model, collapsed, LayoutMetrics{}, o);
      there.build(page, collapsed, LayoutMetrics{}, o);
      ASSERT_EQ(there.rows().size(), here.rows().size()) << packed << counters_open;
      for (size_t i = 0; i < here.rows().size(); ++i) {
        ASSERT_EQ(there.rows()[i].y, here.rows()[i].y) << i;
        ASSERT_EQ(there.rows()[i].height, here.rows()[i].height) << i;
      }
      EXPECT_EQ(there.total_height(), here.total_height());
    }
  EXPECT_FALSE(page.adopt_lane_shapes(info["laneShapes"].dump())) << "once: the counters are the page's now";
  EXPECT_FALSE(ProfileModel().adopt_lane_shapes("{\"depths\": 3}"));
  EXPECT_EQ(page.origin_ns(), model.origin_ns());
  // The minimap's bins over the whole profile, as the page builds them in-browser.
  Minimap whole;
  whole.build(model);
  ASSERT_EQ(info["minimap"].size(), Minimap::kBins);
  for (size_t i = 0; i < Minimap::kBins; ++i) {
    ASSERT_EQ(info["minimap"][i][0].get<uint32_t>(), whole.bins()[i].count) << i;
    ASSERT_EQ(info["minimap"][i][1].get<int>(), int(whole.bins()[i].worst)) << i;
  }
  EXPECT_EQ(page.duration_ns(), model.duration_ns());
  EXPECT_EQ(page.counts().events, model.counts().events);
  EXPECT_EQ(page.counts().packets, 12000);
  ASSERT_EQ(page.groups().size(), model.groups().size());
  ASSERT_EQ(page.connections().size(), model.connections().size());
  page.adopt_connection_flag_counts(copy);  // the table's counts without packets
  for (size_t c = 0; c < page.connections().size(); ++c) {
    EXPECT_GT(page.connections()[c].retransmissions, 0) << c;
    EXPECT_EQ(page.connections()[c].retransmissions, model.connections()[c].retransmissions) << c;
    EXPECT_EQ(page.connections()[c].dup_acks, model.connections()[c].dup_acks) << c;
    EXPECT_EQ(page.connections()[c].first_ns, model.connections()[c].first_ns) << c;
    EXPECT_EQ(page.connections()[c].last_ns, model.connections()[c].last_ns) << c;
    EXPECT_EQ(page.connections()[c].group, model.connections()[c].group) << c;
  }
  for (size_t t = 0; t < page.threads().size(); ++t) {
    EXPECT_EQ(page.threads()[t].start_ns, model.threads()[t].start_ns) << t;
    EXPECT_EQ(page.threads()[t].end_ns, model.threads()[t].end_ns) << t;
  }

  // An item of a remote frame: not in the page's model, described by the server.
  ItemRef packet{ItemKind::Packet, 1, 10, 1};
  EXPECT_TRUE(item_in_model(model, packet));
  EXPECT_FALSE(item_in_model(page, packet));
  EXPECT_EQ(item_group(page, packet), model.connections()[0].group) << "its connection's group is known";
  EXPECT_LT(item_time(page, packet), 0);
  auto item = endpoint.answer(get("/item", item_request_query(packet)));
  ASSERT_TRUE(item);
  ASSERT_EQ(item->status, 200) << body_of(*item);
  nlohmann::json described = nlohmann::json::parse(body_of(*item));
  ItemDetails here = describe_item(model, packet, nullptr);
  EXPECT_EQ(described["title"], here.title);
  for (const DetailField& f : here.fields) {
    bool found = false;
    for (const auto& pair : described["fields"]) found = found || (pair[0] == f.name && pair[1] == f.value);
    EXPECT_TRUE(found) << f.name << " = " << f.value;
  }
  // With its time (what `f` fits): a point for a packet, a span's extent.
  EXPECT_EQ(described["t0"].get<double>(), item_time(model, packet));
  EXPECT_EQ(described["t1"].get<double>(), item_time(model, packet));
  ItemRef span{ItemKind::Span, 1, 7, 1};
  ASSERT_TRUE(item_in_model(model, span));
  nlohmann::json span_described = nlohmann::json::parse(body_of(*endpoint.answer(get("/item", item_request_query(span)))));
  const SpanRecord& r = model.threads()[1].spans[7];
  EXPECT_EQ(span_described["t0"].get<double>(), double(r.t0_ns));
  EXPECT_EQ(span_described["t1"].get<double>(), double(r.t1_ns));
  EXPECT_LT(r.t0_ns, r.t1_ns);
  EXPECT_EQ(endpoint.answer(get("/item", "sel=2.1.99999999.1"))->status, 404);
  EXPECT_EQ(endpoint.answer(get("/item", "sel=2.1"))->status, 400);
  EXPECT_EQ(endpoint.answer(get("/item", "sel=0.0.0.1"))->status, 400);
  EXPECT_EQ(endpoint.answer(get("/item", "sel=2.1.10.1&x=1"))->status, 400);

  std::vector<std::string> asked;
  RemoteItemDetails details([&](const std::string& q) { asked.push_back(q); });
  EXPECT_EQ(details.get(packet), nullptr);
  EXPECT_EQ(details.get(packet), nullptr);
  ASSERT_EQ(asked.size(), 1u) << "asked once";
  EXPECT_EQ(details.read(asked[0], body_of(*item)), "");
  ASSERT_NE(details.get(packet), nullptr);
  EXPECT_EQ(details.get(packet)->title, here.title);
  ASSERT_TRUE(details.get(packet)->extent);
  EXPECT_EQ(details.get(packet)->extent->first, item_time(model, packet));
  ItemRef other_span{ItemKind::Span, 0, 3, 1};
  EXPECT_EQ(details.get(other_span), nullptr);
  details.fail(asked.back(), "HTTP 500");
  ASSERT_NE(details.get(other_span), nullptr);
  EXPECT_NE(details.get(other_span)->title.find("HTTP 500"), std::string::npos);
  EXPECT_FALSE(details.get(other_span)->extent);
  EXPECT_NE(details.read(item_request_query(ItemRef{ItemKind::Span, 0, 4, 1}), "{}"), "") << "not asked for";

  // A measured range: asked once per range, its counts taken from /measure's
  // answer (the whole model's), a stale answer ignored, a pending answer's
  // reason kept and asked again on refresh().
  std::vector<std::string> measured;
  RemoteMeasure measure([&](const std::string& q) { measured.push_back(q); });
  double whole_span = double(model.duration_ns());
  measure.ask(0, whole_span / 2);
  measure.ask(0, whole_span / 2);
  ASSERT_EQ(measured.size(), 1u) << "asked once";
  EXPECT_FALSE(measure.counts());
  EXPECT_FALSE(measure.note().empty());
  std::string answer = body_of(*endpoint.answer(get("/measure", measured[0])));
  measure.receive(measure_request_query(1, 2), answer);
  EXPECT_FALSE(measure.counts()) << "an answer for another range";
  measure.receive(measured[0], answer);
  ASSERT_TRUE(measure.counts());
  EXPECT_EQ(*measure.counts(), count_range(model, 0, whole_span / 2));
  EXPECT_GT(measure.counts()->packets, 0);
  measure.refresh();
  EXPECT_EQ(measured.size(), 1u) << "counts in: nothing asked again";
  measure.ask(whole_span / 4, whole_span);
  measure.receive(measured.back(), R"({"pending":"counts once lurk view's lane store is made"})");
  EXPECT_FALSE(measure.counts());
  EXPECT_EQ(measure.note(), "counts once lurk view's lane store is made");
  measure.refresh();
  ASSERT_EQ(measured.size(), 3u) << "asked again";
  measure.fail(measured.back(), "HTTP 500");
  EXPECT_NE(measure.note().find("HTTP 500"), std::string::npos);
  measure.receive(measured.back(), R"({"packets":1,"spans":2})");
  EXPECT_FALSE(measure.counts()) << "an answer without every count";

  // `]` through lurk view: the answer to the step asked last is taken once;
  // an earlier step's answer, none and a pending store leave nothing to take.
  std::vector<std::string> stepped;
  RemoteMarkSteps steps([&](const std::string& q) { stepped.push_back(q); });
  MarkRequest forward;
  forward.t_ns = 0;
  steps.ask(forward);
  std::string first = stepped.back();
  forward.t_ns = whole_span / 2;
  steps.ask(forward);
  std::string mark_answer = body_of(*endpoint.answer(get("/mark", stepped.back())));
  steps.receive(first, mark_answer);
  EXPECT_FALSE(steps.take()) << "the answer to an earlier step";
  steps.receive(stepped.back(), mark_answer);
  std::optional<std::pair<ItemRef, double>> taken = steps.take();
  ASSERT_TRUE(taken) << mark_answer;
  FindingMarks local_marks;
  local_marks.build(model);
  int64_t expected = local_marks.next(-1, whole_span / 2);
  ASSERT_GE(expected, 0);
  EXPECT_EQ(taken->first, local_marks.marks()[size_t(expected)].item);
  EXPECT_EQ(taken->second, double(local_marks.marks()[size_t(expected)].t_ns));
  EXPECT_FALSE(steps.take()) << "taken once";
  steps.ask(forward);
  steps.receive(stepped.back(), R"({"none":true})");
  EXPECT_FALSE(steps.take());
  EXPECT_EQ(steps.note(), "no finding marks");
  EXPECT_EQ(endpoint.answer(get("/mark", "dir=2&t=0"))->status, 400);
  EXPECT_EQ(endpoint.answer(get("/mark", "t=0"))->status, 400);

  // Records' text: the same through the wire, different for another view.
  double d = double(model.duration_ns());
  FrameRenderer local(model);
  std::string problem;
  std::optional<FrameAnswer> wire =
      decode_frame_answer(body_of(*endpoint.answer(get("/frame", frame_request_query(request_at(0, d / 7))))), problem);
  ASSERT_TRUE(wire) << problem;
  std::string text = frame_records_text(local.render(request_at(0, d / 7)).frame);
  EXPECT_EQ(text, frame_records_text(wire->frame));
  EXPECT_EQ(frame_records_digest(wire->frame).size(), 16u);
  EXPECT_GT(std::count(text.begin(), text.end(), '\n'), 50);
  EXPECT_NE(frame_records_digest(local.render(request_at(0, d / 70)).frame), frame_records_digest(wire->frame));
}

}  // namespace
}  // namespace lurk::test
