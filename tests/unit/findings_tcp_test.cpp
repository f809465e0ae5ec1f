// Findings from TCP (docs/findings.md), one rule per test, on hand-built
// captures ingested end to end: RST on an established connection, RTO
// stalls, fast retransmission (no stall), duplicate-ACK runs without a fast
// retransmission, zero-window stalls, spurious retransmissions, duplicate
// ACKs after FIN/ACK, and the ranking.
#include <gtest/gtest.h>

#include "capture_builder.h"
#include "findings/tcp_findings.h"
#include "profile_fixture.h"

namespace lurk::test {
namespace {

// A client (10.0.0.1:40000) / server (10.0.0.2:80) capture, 1 ms between
// frames unless wait() adds more.
class Script {
 public:
  Script& client(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len = 0,
                 uint16_t window = 1000) {
    return add(true, seq, ack, flags, len, window);
  }
  Script& server(uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len = 0,
                 uint16_t window = 1000) {
    return add(false, seq, ack, flags, len, window);
  }
  Script& wait(int64_t ns) {
    now_ += ns;
    return *this;
  }
  // SYN (ISN 100), SYN/ACK (ISN 500), ACK.
  Script& handshake() { return client(100, 0, 0x02).server(500, 101, 0x12).client(101, 501, 0x10); }
  std::vector<uint8_t> pcap() const { return build_pcap(records_, {}); }

 private:
  Script& add(bool from_client, uint32_t seq, uint32_t ack, uint8_t flags, uint32_t len,
              uint16_t window) {
    FrameSpec s = exchange_spec(from_client, seq, ack, flags, len);
    s.window = window;
    now_ += 1'000'000;
    records_.push_back({now_, build_tcp_frame(s)});
    return *this;
  }
  std::vector<PcapRecord> records_;
  int64_t now_ = 1'700'000'000'000'000'000;
};

class FindingsTcpTest : public ProfileTest {
 protected:
  void ingest_script(const Script& s) {
    ASSERT_EQ(ingest("capture.pcap", s.pcap()).status, SourceOutcome::Status::Complete);
  }
  int64_t ts_of(int frame) {
    return count("SELECT ts_ns FROM packets WHERE frame = " + std::to_string(frame));
  }
  int64_t findings(const std::string& kind) {
    return count("SELECT count(*) FROM findings WHERE kind = '" + kind + "'");
  }
  int64_t value(const std::string& column, const std::string& kind) {
    return count("SELECT " + column + " FROM findings WHERE kind = '" + kind + "'");
  }
};

TEST_F(FindingsTcpTest, RstOnAnEstablishedConnection) {
  Script s;
  s.handshake().client(101, 501, 0x18, 100).server(501, 201, 0x14);  // 5: RST/ACK
  ingest_script(s);
  EXPECT_EQ(findings("rst-established"), 1);
  EXPECT_EQ(value("ts_ns", "rst-established"), ts_of(5));
  EXPECT_EQ(value("connection_id", "rst-established"), 1);
  EXPECT_EQ(count("SELECT count(*) FROM findings"), 1);
}

// Both sides closed (FIN each, each acknowledged), then a stray duplicate ACK
// from the server is answered by the client's closed socket with a RST (as in
// the lab's captures with duplication): the connection had ended cleanly.
TEST_F(FindingsTcpTest, RstAfterBothFinsWereAcknowledgedIsNotReported) {
  Script s;
  s.handshake()
      .client(101, 501, 0x18, 100)  // data
      .server(501, 201, 0x11)       // FIN/ACK
      .client(201, 502, 0x11)       // FIN/ACK, acknowledges the server's FIN
      .server(502, 202, 0x10)       // ACK of the client's FIN: closed
      .server(502, 202, 0x10)       // a duplicate of it
      .client(202, 0, 0x04);        // RST from the closed socket
  ingest_script(s);
  EXPECT_EQ(findings("rst-established"), 0);
}

// Only one side's FIN acknowledged: the connection is still open the other
// way, and a RST aborts it (an abortive close): reported, "after a FIN".
TEST_F(FindingsTcpTest, RstAfterOneFinIsReported) {
  Script s;
  s.handshake()
      .client(101, 501, 0x18, 100)
      .server(501, 201, 0x11)   // FIN/ACK
      .client(201, 502, 0x10)   // ACK of it; the client does not close
      .client(201, 502, 0x14);  // RST/ACK
  ingest_script(s);
  EXPECT_EQ(findings("rst-established"), 1);
  EXPECT_EQ(value("ts_ns", "rst-established"), ts_of(7));
  EXPECT_EQ(count("SELECT count(*) FROM findings WHERE kind = 'rst-established' AND "
                  "detail LIKE '%(after a FIN)'"), 1);
}

// A FIN whose sequence number wraps past 2^32: its acknowledgement is still
// seen (compared modulo 2^32), so the RST after the close is not reported.
TEST_F(FindingsTcpTest, CloseIsRecognisedAcrossSequenceWrap) {
  Script s;
  s.client(0xFFFFFFF0u, 0, 0x02)
      .server(500, 0xFFFFFFF1u, 0x12)
      .client(0xFFFFFFF1u, 501, 0x10)
      .client(0xFFFFFFF1u, 501, 0x18, 100)  // data across the wrap: ends at 0x55
      .server(501, 0x55, 0x11)
      .client(0x55, 502, 0x11)  // FIN at 0x55, so the server acknowledges 0x56
      .server(502, 0x56, 0x10)
      .client(0x56, 0, 0x04);
  ingest_script(s);
  EXPECT_EQ(findings("rst-established"), 0);
}

TEST_F(FindingsTcpTest, RstAnsweringASynIsNotOnAnEstablishedConnection) {
  Script s;
  s.client(100, 0, 0x02).server(0, 101, 0x14);
  ingest_script(s);
  EXPECT_EQ(findings("rst-established"), 0);
}

TEST_F(FindingsTcpTest, RetransmissionWithoutDuplicateAcksIsARtoStall) {
  Script s;
  s.handshake().client(101, 501, 0x18, 100);      // 4
  s.wait(200'000'000).client(101, 501, 0x18, 100);  // 5: the timer fired
  s.wait(400'000'000).client(101, 501, 0x18, 100);  // 6: backed off, same stall
  s.server(501, 201, 0x10).client(201, 501, 0x18, 100);
  ingest_script(s);
  ASSERT_EQ(findings("rto-stall"), 1);
  EXPECT_EQ(value("ts_ns", "rto-stall"), ts_of(4));
  EXPECT_EQ(value("duration_ns", "rto-stall"), ts_of(6) - ts_of(4));
  EXPECT_EQ(text("SELECT detail FROM findings WHERE kind = 'rto-stall'"),
            "2 retransmission(s), frames 5-6, not preceded by duplicate ACKs");
  EXPECT_EQ(text("SELECT substr(title, 1, 32) FROM findings WHERE kind = 'rto-stall'"),
            "Retransmission timeout stall of ");  // data, not the handshake
  EXPECT_GE(value("duration_ns", "rto-stall"), kMinRtoSilenceNs);
}

// A SYN the listener did not answer (lost, or a full backlog) is resent by
// the timer, 1 s then 2 s later: the connection waited for its handshake.
TEST_F(FindingsTcpTest, ASynResentByTheTimerIsAHandshakeStall) {
  Script s;
  s.client(100, 0, 0x02);                             // 1
  s.wait(1'000'000'000).client(100, 0, 0x02);         // 2
  s.wait(2'000'000'000).client(100, 0, 0x02);         // 3
  s.server(500, 101, 0x12).client(101, 501, 0x10);    // 4, 5
  s.client(101, 501, 0x18, 100);                      // 6: data, no stall
  ingest_script(s);
  ASSERT_EQ(findings("rto-stall"), 1);
  EXPECT_EQ(value("ts_ns", "rto-stall"), ts_of(1));
  EXPECT_EQ(value("duration_ns", "rto-stall"), ts_of(3) - ts_of(1));
  EXPECT_EQ(text("SELECT title FROM findings WHERE kind = 'rto-stall'"),
            "Handshake stall of 3.00 s: SYN retransmitted 2 times, 10.0.0.1:40000 -> 10.0.0.2:80");
  EXPECT_EQ(text("SELECT detail FROM findings WHERE kind = 'rto-stall'"),
            "2 retransmission(s), frames 2-3, not preceded by duplicate ACKs; the SYN went unanswered "
            "(lost, or dropped by the listener: a full SYN or accept backlog)");
}

// The client's last ACK of the handshake lost (or dropped by a listener
// whose accept queue is full): the server resends its SYN/ACK.
TEST_F(FindingsTcpTest, ASynAckResentByTheTimerIsAHandshakeStallOfTheListener) {
  Script s;
  s.client(100, 0, 0x02).server(500, 101, 0x12);            // 1, 2
  s.wait(1'000'000'000).server(500, 101, 0x12);             // 3
  s.client(101, 501, 0x10).client(101, 501, 0x18, 100);     // 4, 5
  ingest_script(s);
  ASSERT_EQ(findings("rto-stall"), 1);
  EXPECT_EQ(text("SELECT title FROM findings WHERE kind = 'rto-stall'"),
            "Handshake stall of 1.00 s: SYN/ACK retransmitted 1 time, 10.0.0.2:80 -> 10.0.0.1:40000");
}

TEST_F(FindingsTcpTest, OneDuplicateAckCannotTriggerAFastRetransmissionSoTheTimerDid) {
  Script s;
  s.handshake().client(101, 501, 0x18, 100).client(201, 501, 0x18, 100);  // 4, 5
  s.server(501, 201, 0x10).server(501, 201, 0x10);                         // 6, dup 7
  s.wait(300'000'000).client(201, 501, 0x18, 100);                         // 8
  ingest_script(s);
  ASSERT_EQ(findings("rto-stall"), 1);
  EXPECT_EQ(value("ts_ns", "rto-stall"), ts_of(5));
}

TEST_F(FindingsTcpTest, RetransmissionSoonAfterTheOriginalIsNoRtoStall) {
  Script s;
  s.handshake().client(101, 501, 0x18, 100);
  s.wait(5'000'000).client(101, 501, 0x18, 100);  // 6 ms later: a duplicate, not a timer
  ingest_script(s);
  ASSERT_EQ(count("SELECT analysis & 1 FROM packets WHERE frame = 5"), 1);
  EXPECT_EQ(findings("rto-stall"), 0);
}

TEST_F(FindingsTcpTest, FastRetransmissionAfterDuplicateAcksIsNeitherStallNorLonelyRun) {
  Script s;
  s.handshake().client(101, 501, 0x18, 100).client(201, 501, 0x18, 100);  // 4, 5
  s.client(301, 501, 0x18, 100);                                          // 6
  s.server(501, 201, 0x10).server(501, 201, 0x10).server(501, 201, 0x10);  // 7, dups 8, 9
  s.server(501, 201, 0x10);                                                // dup 10
  s.client(201, 501, 0x18, 100);                                           // 11: fast
  ingest_script(s);
  ASSERT_EQ(count("SELECT analysis & 2 FROM packets WHERE frame = 11"), 2);
  EXPECT_EQ(findings("rto-stall"), 0);
  EXPECT_EQ(findings("dup-ack-run-no-fast-retransmission"), 0);
}

TEST_F(FindingsTcpTest, ThreeDuplicateAcksWithoutFastRetransmission) {
  Script s;
  s.handshake().client(101, 501, 0x18, 100).client(201, 501, 0x18, 100);  // 4, 5
  s.server(501, 201, 0x10).server(501, 201, 0x10).server(501, 201, 0x10);  // 6, dups 7, 8
  s.server(501, 201, 0x10);                                                // dup 9
  s.server(501, 301, 0x10);                                                // 10 ends the run
  ingest_script(s);
  ASSERT_EQ(findings("dup-ack-run-no-fast-retransmission"), 1);
  EXPECT_EQ(value("ts_ns", "dup-ack-run-no-fast-retransmission"), ts_of(7));
  EXPECT_EQ(value("duration_ns", "dup-ack-run-no-fast-retransmission"), ts_of(9) - ts_of(7));
  EXPECT_EQ(text("SELECT title FROM findings"),
            "3 duplicate ACKs from 10.0.0.2:80 -> 10.0.0.1:40000, no fast retransmission");
}

TEST_F(FindingsTcpTest, TwoDuplicateAcksAreNotARun) {
  Script s;
  s.handshake().client(101, 501, 0x18, 100).client(201, 501, 0x18, 100);
  s.server(501, 201, 0x10).server(501, 201, 0x10).server(501, 201, 0x10);
  ingest_script(s);
  EXPECT_EQ(findings("dup-ack-run-no-fast-retransmission"), 0);
}

TEST_F(FindingsTcpTest, ZeroWindowStallLastsUntilTheWindowOpens) {
  Script s;
  s.handshake().server(501, 101, 0x10, 0, 0);           // 4: window 0
  s.wait(50'000'000).server(501, 101, 0x10, 0, 0);      // 5: still 0
  s.wait(700'000'000).server(501, 101, 0x10, 0, 2000);  // 6: open again
  ingest_script(s);
  ASSERT_EQ(findings("zero-window-stall"), 1);
  EXPECT_EQ(value("ts_ns", "zero-window-stall"), ts_of(4));
  EXPECT_EQ(value("duration_ns", "zero-window-stall"), ts_of(6) - ts_of(4));
}

TEST_F(FindingsTcpTest, ZeroWindowToTheEndOfTheCapture) {
  Script s;
  s.handshake().server(501, 101, 0x10, 0, 0).wait(30'000'000).client(101, 501, 0x10);
  ingest_script(s);
  ASSERT_EQ(findings("zero-window-stall"), 1);
  EXPECT_EQ(value("duration_ns", "zero-window-stall"), ts_of(5) - ts_of(4));
  EXPECT_NE(text("SELECT detail FROM findings").find("until the end of the capture"),
            std::string::npos);
}

TEST_F(FindingsTcpTest, SpuriousRetransmission) {
  Script s;
  s.handshake().client(101, 501, 0x18, 100).server(501, 201, 0x10);  // 4, 5 ACKs it
  s.client(101, 501, 0x18, 100);                                     // 6: already ACKed
  ingest_script(s);
  ASSERT_EQ(findings("spurious-retransmission"), 1);
  EXPECT_EQ(value("ts_ns", "spurious-retransmission"), ts_of(6));
}

TEST_F(FindingsTcpTest, DuplicateAcksAfterFinAck) {
  Script s;
  s.handshake().client(101, 501, 0x11);                        // 4: FIN/ACK
  s.server(501, 102, 0x10).server(501, 102, 0x10);             // 5, dup 6
  s.server(501, 102, 0x10);                                    // dup 7
  ingest_script(s);
  ASSERT_EQ(findings("dup-ack-after-fin"), 1);
  EXPECT_EQ(value("ts_ns", "dup-ack-after-fin"), ts_of(6));
  EXPECT_EQ(value("duration_ns", "dup-ack-after-fin"), ts_of(7) - ts_of(6));
  EXPECT_EQ(text("SELECT title FROM findings WHERE kind = 'dup-ack-after-fin'"),
            "2 duplicate ACK(s) after FIN/ACK");
}

TEST_F(FindingsTcpTest, RankedBySeverityThenDurationAndRecomputedPerIngest) {
  Script s;
  s.handshake().server(501, 101, 0x10, 0, 0).wait(10'000'000).server(501, 101, 0x10, 0, 1000);
  s.client(101, 501, 0x18, 100).wait(300'000'000).client(101, 501, 0x18, 100);  // RTO stall
  s.server(501, 201, 0x14);                                                      // RST
  ingest_script(s);
  EXPECT_EQ(text("SELECT group_concat(kind, ' ') FROM (SELECT kind FROM findings ORDER BY id)"),
            "rst-established rto-stall zero-window-stall");
  // Another source: the findings are recomputed, not appended.
  Script other;
  other.handshake().server(501, 101, 0x14);
  ASSERT_EQ(ingest("other.pcap", other.pcap()).status, SourceOutcome::Status::Complete);
  EXPECT_EQ(count("SELECT count(*) FROM findings"), 4);
  EXPECT_EQ(count("SELECT count(*) FROM findings WHERE kind = 'rst-established'"), 2);
}

}  // namespace
}  // namespace lurk::test
