// Connections a mirage-profile CTF trace shows by itself (docs/ctf.md,
// "Connections from the trace"; collector/trace/trace_connections.cpp and
// promise_connections.cpp), on traces made with the project's CTF builder:
// which promises each connection gets and how sure, what is left out (the
// listener, a failure outside any connection, promises made after the close,
// a promise two connections reach), the connection rows, and the findings
// they give ("N of M connections end with an exception").
#include <gtest/gtest.h>

#include "core/profile_model.h"
#include "capture_builder.h"
#include "core/timeline_layout.h"
#include "ctf_server_scenario.h"
#include "ctf_trace_builder.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

class TraceConnectionsTest : public ProfileTest {
 protected:
  // "ext:link_how" of the threads linked to the connection whose root is
  // promise `root`, by ext_id.
  std::string members_of(int64_t root) {
    return text(
        "SELECT group_concat(ext_id || ':' || link_how, ' ') FROM (SELECT t.ext_id, t.link_how "
        "FROM threads t JOIN connections c ON c.id = t.connection_id "
        "JOIN threads r ON r.id = c.root_thread_id WHERE r.ext_id = '" +
        std::to_string(root) + "' ORDER BY CAST(t.ext_id AS INTEGER))");
  }
  std::string connection_of(int64_t ext) {
    return text("SELECT coalesce(r.ext_id, '-') FROM threads t LEFT JOIN connections c "
                "ON c.id = t.connection_id LEFT JOIN threads r ON r.id = c.root_thread_id "
                "WHERE t.ext_id = '" + std::to_string(ext) + "'");
  }
  std::string expected_members(const CtfServerConnection& c) {
    auto certain = [](int64_t id) { return std::to_string(id) + ":ctf-label-tree:certain"; };
    return certain(c.handler) + " " + certain(c.rx_take) + " " + certain(c.rx_bind) + " " +
           certain(c.close_waiter) + " " + std::to_string(c.netif_put) + ":ctf-flow:likely";
  }
};

TEST_F(TraceConnectionsTest, ServerConnectionsEachGetTheirOwnPromiseTree) {
  CtfServerSpec spec;
  spec.fails_at_close = {true, false, true, false};
  ASSERT_EQ(ingest("server.ctf", build_ctf_server(spec)).status, SourceOutcome::Status::Complete);
  int64_t source = count("SELECT id FROM sources");
  EXPECT_EQ(count("SELECT count(*) FROM connections"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM connections WHERE source_id = " + std::to_string(source) +
                  " AND addr_a = '' AND port_a = 0 AND addr_b = '' AND port_b = 0 "
                  "AND state = 'closed' AND same_as IS NULL"),
            4);
  EXPECT_EQ(count("SELECT value FROM source_counters WHERE name = 'trace_connections'"), 4);
  for (size_t i = 0; i < 4; ++i) {
    CtfServerConnection c = ctf_server_connection(spec, i);
    SCOPED_TRACE("connection " + std::to_string(i));
    EXPECT_EQ(members_of(c.handler), expected_members(c));
    std::string row = "(SELECT c.id FROM connections c JOIN threads r ON r.id = c.root_thread_id "
                      "WHERE r.ext_id = '" + std::to_string(c.handler) + "')";
    EXPECT_EQ(count("SELECT first_ns FROM connections WHERE id = " + row), c.start_ns);
    EXPECT_EQ(count("SELECT last_ns FROM connections WHERE id = " + row), c.end_ns);
    // Closed when its urx_close waiter resolves, after the Close socket label.
    EXPECT_EQ(count("SELECT close_ns FROM connections WHERE id = " + row), c.closed_ns);
    EXPECT_EQ(connection_of(c.after_close), "-");  // made after the close
  }
  EXPECT_EQ(connection_of(kListenerPromise), "-");  // existed before every connection
  EXPECT_EQ(connection_of(kOutsidePromise), "-");
  EXPECT_EQ(count("SELECT count(*) FROM threads WHERE connection_id IS NULL"), 1 + 1 + 4);

  EXPECT_EQ(text("SELECT title FROM findings ORDER BY id LIMIT 1"),
            "2 of 4 connections end with an exception: " + std::string(kWakeupResult));
  EXPECT_EQ(text("SELECT detail FROM findings WHERE kind = 'connection-end-exception'"),
            "connections " + std::to_string(count("SELECT min(id) FROM connections")) + ", " +
                std::to_string(count("SELECT min(id) + 2 FROM connections")) +
                "; exception within 500.0 ms of the connection's end (FIN/RST, close seen by the "
                "trace, or last time)");
  EXPECT_EQ(text("SELECT group_concat(title, ' | ') FROM (SELECT title FROM findings "
                 "WHERE kind = 'exception' ORDER BY ts_ns)"),
            "1 thread failed with " + std::string(kOutsideFailure) + " | 2 threads failed with " +
                kWakeupResult);
}

// The mirage-tcpip#153 pattern: every connection's close raises
// Invalid_argument("Lwt.wakeup_result"). Connections overlap in time.
TEST_F(TraceConnectionsTest, EveryCloseFailingIsTheFirstFinding) {
  CtfServerSpec spec;
  spec.fails_at_close.assign(8, true);
  spec.step_ns = 700'000;  // each lasts 1.5 ms: two or three are open at once
  ASSERT_EQ(ingest("server.ctf", build_ctf_server(spec)).status, SourceOutcome::Status::Complete);
  EXPECT_EQ(count("SELECT count(*) FROM connections"), 8);
  for (size_t i = 0; i < 8; ++i) {
    CtfServerConnection c = ctf_server_connection(spec, i);
    EXPECT_EQ(members_of(c.handler), expected_members(c)) << "connection " << i;
  }
  EXPECT_EQ(text("SELECT kind || ': ' || title FROM findings ORDER BY id LIMIT 1"),
            "connection-end-exception: 8 of 8 connections end with an exception: " +
                std::string(kWakeupResult));
  EXPECT_EQ(count("SELECT ts_ns FROM findings ORDER BY id LIMIT 1"),
            ctf_server_connection(spec, 0).end_ns);
  EXPECT_EQ(text("SELECT title FROM findings WHERE kind = 'exception' ORDER BY severity DESC, "
                 "title LIMIT 1"),
            "1 thread failed with " + std::string(kOutsideFailure));
  EXPECT_EQ(count("SELECT count(*) FROM findings WHERE title = '8 threads failed with " +
                  std::string(kWakeupResult) + "'"),
            1);
}

// Two overlapping client connections and a third: a promise both reach by
// flows goes to neither, a promise older than the connection never joins, a
// connection whose `urx_close` waiter resolves is closed then, one with only
// a `Close socket` label at the label, one that never closes stays open, and
// endpoints a label names are the connection's.
TEST_F(TraceConnectionsTest, SharedOlderAndUnclosedPromises) {
  constexpr uint8_t kTask = 1, kBind = 2, kRead = 1, kFulfills = 2;
  CtfEvents e;
  e.label(1000, 1, "main")                       // 1: the program's main promise
      .creates(1500, 1, 5, kTask)                // 5: older than both connections
      .creates(2000, 1, 10, kTask)
      .label(2100, 10, "TCP connect")            // connection A, root 10
      .label(2200, 10, "10.0.0.2:40000 10.0.0.1:80")
      .creates(2500, 1, 20, kTask)
      .label(2600, 20, "TCP connect")            // connection B, root 20
      .creates(3000, 10, 11, kBind)
      .creates(3100, 20, 21, kTask)
      .label(3200, 21, "urx_close")
      .creates(3500, 1, 30, kTask)               // 30: the driver's, reached by both
      .pair(4000, kRead, 11, 5)                  // A reads the older promise: it stays out
      .pair(4100, kFulfills, 30, 11)             // 30 wakes A's bind: likely A's
      .creates(4150, 30, 31, kBind)              // made by 30 while it was A's: stays A's
      .pair(4200, kRead, 20, 30)                 // B reads 30 too: neither's
      .creates(4300, 30, 32, kBind)              // made by 30 once it was neither's
      .pair(5000, kFulfills, 1, 21)              // B's urx_close resolves: B closes
      .creates(5100, 20, 22, kBind)              // after B's close
      .pair(6000, kFulfills, 11, 11)
      .creates(7000, 1, 40, kTask)
      .label(7100, 40, "TCP connect")            // connection C, root 40
      .label(7500, 40, "Close socket")           // no urx_close waiter: closed here
      .creates(7600, 40, 41, kBind);             // after C's close
  ASSERT_EQ(ingest("clients.ctf", build_ctf({{0, e.bytes}})).status,
            SourceOutcome::Status::Complete);
  EXPECT_EQ(members_of(10),
            "10:ctf-label-tree:certain 11:ctf-label-tree:certain 31:ctf-flow:likely");
  EXPECT_EQ(members_of(20), "20:ctf-label-tree:certain 21:ctf-label-tree:certain");
  EXPECT_EQ(members_of(40), "40:ctf-label-tree:certain");
  for (int64_t out : {1, 5, 22, 30, 32, 41}) EXPECT_EQ(connection_of(out), "-") << out;
  EXPECT_EQ(text("SELECT group_concat(addr_a || ':' || port_a || ' ' || addr_b || ':' || port_b "
                 "|| ' ' || state || ' ' || coalesce(close_ns, '-') || ' ' || first_ns || '-' "
                 "|| last_ns, ' | ') FROM (SELECT * FROM connections ORDER BY id)"),
            "10.0.0.2:40000 10.0.0.1:80 open - 2000-4150 | :0 :0 closed 5000 2500-5000 | "
            ":0 :0 closed 7500 7000-7500");
  // No exception: no connection finding.
  EXPECT_EQ(count("SELECT count(*) FROM findings WHERE kind = 'connection-end-exception'"), 0);
}

// As in net.ctf: the receive loop makes the connection's promises (its
// `urx_close` waiter) while handling the SYN/ACK, and only then resolves the
// connect task. When the loop's promise joins, the children it made since the
// connection began join with it; a promise made by the program's older
// promise never does.
TEST_F(TraceConnectionsTest, ChildrenMadeBeforeTheirCreatorJoinedComeWithIt) {
  constexpr uint8_t kTask = 1, kBind = 2, kFulfills = 2;
  CtfEvents e;
  e.label(1000, 1, "main")
      .creates(2000, 1, 10, kTask)
      .label(2100, 10, "TCP connect")
      .creates(3000, 1, 20, kBind)        // a receive loop iteration
      .creates(3100, 20, 21, kTask)
      .label(3200, 21, "urx_close")
      .creates(3300, 20, 22, kTask)
      .pair(4000, kFulfills, 20, 10)      // the loop resolves the connect task
      .creates(4500, 22, 23, kBind)
      .creates(4600, 1, 24, kTask)        // never tied to the connection
      .pair(5000, kFulfills, 1, 21)       // the close
      .creates(5100, 22, 25, kBind);      // after it
  ASSERT_EQ(ingest("client.ctf", build_ctf({{0, e.bytes}})).status,
            SourceOutcome::Status::Complete);
  EXPECT_EQ(members_of(10),
            "10:ctf-label-tree:certain 20:ctf-flow:likely 21:ctf-flow:likely 22:ctf-flow:likely "
            "23:ctf-flow:likely");
  for (int64_t out : {1, 24, 25}) EXPECT_EQ(connection_of(out), "-") << out;
  EXPECT_EQ(text("SELECT state || ' ' || close_ns || ' ' || first_ns || '-' || last_ns "
                 "FROM connections"),
            "closed 5000 2000-5000");
}

// A capture ingested after the trace joins as it would alone: its connection
// is not merged with the trace's (whose endpoints are unknown), the trace's
// threads keep their links, and "N of M" still counts the connections with
// threads.
TEST_F(TraceConnectionsTest, ACaptureIngestedLaterLeavesTraceConnectionsAlone) {
  CtfServerSpec spec;
  spec.fails_at_close = {true, true, false};
  ASSERT_EQ(ingest("server.ctf", build_ctf_server(spec)).status, SourceOutcome::Status::Complete);
  std::string links_before = text("SELECT group_concat(id || '>' || connection_id || ' ' || "
                                  "link_how, ',') FROM threads WHERE connection_id IS NOT NULL");
  int64_t t = spec.first_ns;  // the same numbers as the trace's clock, on purpose
  std::vector<PcapRecord> frames = {
      {t, build_tcp_frame(exchange_spec(true, 100, 0, 0x02))},
      {t + 1000, build_tcp_frame(exchange_spec(false, 500, 101, 0x12))},
      {t + 2000, build_tcp_frame(exchange_spec(true, 101, 501, 0x10))},
      {t + 3000, build_tcp_frame(exchange_spec(true, 101, 501, 0x11))}};
  ASSERT_EQ(ingest("later.pcap", build_pcap(frames, {.nanoseconds = true})).status,
            SourceOutcome::Status::Complete);
  EXPECT_EQ(count("SELECT count(*) FROM connections"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM connections WHERE same_as IS NOT NULL"), 0);
  EXPECT_EQ(count("SELECT count(*) FROM connections WHERE root_thread_id IS NULL "
                  "AND addr_a = '10.0.0.1' AND packets_ab = 3"),
            1);
  EXPECT_EQ(text("SELECT group_concat(id || '>' || connection_id || ' ' || link_how, ',') "
                 "FROM threads WHERE connection_id IS NOT NULL"),
            links_before);
  EXPECT_EQ(text("SELECT title FROM findings ORDER BY id LIMIT 1"),
            "2 of 3 connections end with an exception: " + std::string(kWakeupResult));
  // Looked at once: the second ingest did not find the trace's connections again.
  EXPECT_EQ(count("SELECT count(*) FROM source_counters WHERE name = 'trace_connections'"), 1);
}

// The UI groups a trace's connections like any others: one group per
// connection with its threads (the failed handler among them), one for the
// threads on no connection, and a header that says what the trace knows.
TEST_F(TraceConnectionsTest, UiGroupsTraceConnectionsWithTheirThreads) {
  CtfServerSpec spec;
  spec.fails_at_close = {true, false, true};
  ASSERT_EQ(ingest("server.ctf", build_ctf_server(spec)).status, SourceOutcome::Status::Complete);
  ui::ProfileModel model = ui::ProfileModel::load(db());
  ASSERT_EQ(model.connections().size(), 3u);
  ASSERT_EQ(model.groups().size(), 4u);  // three connections, then the rest
  for (size_t i = 0; i < 3; ++i) {
    CtfServerConnection c = ctf_server_connection(spec, i);
    const ui::LaneGroup& group = model.groups()[i];
    ASSERT_GE(group.connection, 0);
    const ui::ConnectionLanes& lanes = model.connections()[size_t(group.connection)];
    EXPECT_EQ(lanes.label, "new-server-connection, promise " + std::to_string(c.handler) +
                               " (endpoints unknown)");
    EXPECT_EQ(lanes.state, "closed");
    EXPECT_EQ(group.threads.size(), 5u);
    size_t failed = 0;
    for (uint32_t lane : group.threads) failed += model.threads()[lane].failed ? 1 : 0;
    EXPECT_EQ(failed, spec.fails_at_close[i] ? 1u : 0u) << "connection " << i;
    EXPECT_EQ(lanes.exceptions, spec.fails_at_close[i] ? 1 : 0);  // the connections table
  }
  // No packets: no empty packet lanes, the header then the threads.
  ui::TimelineLayout layout;
  layout.build(model, {}, ui::LayoutMetrics{});
  for (uint32_t g = 0; g < 3; ++g) {
    EXPECT_FALSE(layout.packet_row(g, 0).has_value());
    ASSERT_TRUE(layout.group_row(g).has_value());
    EXPECT_EQ(layout.rows()[*layout.group_row(g) + 1].kind, ui::RowKind::Thread);
  }
  EXPECT_EQ(model.groups()[3].connection, -1);
  EXPECT_EQ(model.groups()[3].threads.size(), 2u + 3u);  // listener, outside, after-close ones
}

}  // namespace
}  // namespace lurk::test
