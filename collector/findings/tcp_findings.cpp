// TCP findings: one pass over the packets of each capture connection, as the
// connection tracker writes them. The rules are in docs/findings.md; each is
// a small piece of per-direction state updated by add() and closed by finish().
#include "findings/tcp_findings.h"

#include <array>
#include <map>
#include <optional>
#include <string>

#include "findings/finding_text.h"
#include "net/analysis_flags.h"
#include "net/tcp_close.h"
#include "net/tcp_segment.h"

namespace lurk {
namespace {

// The findings read the packet rows as the tracker wrote them (no copy).
bool has(const PacketRow& p, uint8_t flag) { return (p.tcp_flags & flag) != 0; }
bool flagged(const PacketRow& p, uint64_t bits) { return (p.analysis & bits) != 0; }
bool occupies_sequence_space(const PacketRow& p) {
  return p.payload_len > 0 || has(p, kSyn) || has(p, kFin);
}

// One run of duplicate ACKs from one direction (they repeat the same ACK).
struct DupAckRun {
  int64_t repeats_frame = 0;  // the ACK they duplicate
  int64_t first_frame = 0, first_ts = 0, last_ts = 0, count = 0;
  bool fast_retransmission = false;  // the other side fast-retransmitted during it
};

// A retransmission-timeout stall of one direction: silence, then
// retransmissions with no duplicate ACK from the other side before them.
struct RtoStall {
  int64_t silent_since_ts = 0, first_frame = 0, last_frame = 0, last_ts = 0, count = 0;
  // Every retransmission of the stall was a SYN (or every one a SYN/ACK):
  // the connection waited for its handshake, not for lost data.
  bool syns = true, syn_acks = true;
};

struct ZeroWindow {
  int64_t first_frame = 0, first_ts = 0;
};

struct DirectionState {
  std::optional<DupAckRun> run;             // as the ACK sender
  std::optional<RtoStall> stall;            // as the data sender
  std::optional<ZeroWindow> zero_window;    // as the receiver advertising it
  int64_t dup_acks_from_peer = 0;           // since this side last sent new data
  std::optional<int64_t> last_sequence_ts;  // this side's last segment with sequence space
};

}  // namespace

class TcpConnectionScan::Impl {
 public:
  Impl(int64_t id, ConnectionNames names, std::vector<FindingRow>& out)
      : id_(id), names_(std::move(names)), out_(out) {}

  void add(const PacketRow& p);
  void finish();

 private:
  void note_established(const PacketRow& p);
  void note_close(const PacketRow& p);
  void check_rst(const PacketRow& p);
  void check_dup_ack_run(const PacketRow& p);
  void check_retransmission(const PacketRow& p);
  void check_zero_window(const PacketRow& p);
  void check_dup_ack_after_fin(const PacketRow& p);
  void close_run(int dir);
  void close_stall(int dir);
  void close_zero_window(int dir, int64_t end_ts, bool at_end);
  FindingRow row(std::string kind, int severity, int64_t ts_ns) const;

  int64_t id_;
  ConnectionNames names_;
  std::vector<FindingRow>& out_;
  std::array<DirectionState, 2> dirs_;
  std::array<bool, 2> seen_{};
  bool syn_ack_seen_ = false, established_ = false, rst_reported_ = false;
  TcpClose close_;
  std::optional<int64_t> first_fin_ts_;
  int64_t after_fin_dups_ = 0, after_fin_first_frame_ = 0, after_fin_first_ts_ = 0;
  int64_t after_fin_last_ts_ = 0;
  int64_t last_ts_ = 0;
};

FindingRow TcpConnectionScan::Impl::row(std::string kind, int severity, int64_t ts_ns) const {
  FindingRow r;
  r.kind = std::move(kind);
  r.severity = severity;
  r.connection_id = id_;
  r.ts_ns = ts_ns;
  return r;
}

// Established: the handshake completed (an ACK after the SYN/ACK), or, when
// the capture began mid-connection, both sides sent something.
void TcpConnectionScan::Impl::note_established(const PacketRow& p) {
  seen_[p.dir] = true;
  if (has(p, kSyn) && has(p, kAck)) syn_ack_seen_ = true;
  if (has(p, kRst)) return;
  if (syn_ack_seen_ && !has(p, kSyn) && has(p, kAck)) established_ = true;
  if (!syn_ack_seen_ && seen_[0] && seen_[1] && !has(p, kSyn)) established_ = true;
}

// Closed: net/tcp_close.h.
void TcpConnectionScan::Impl::note_close(const PacketRow& p) {
  close_.note(p.dir, uint8_t(p.tcp_flags), uint32_t(p.seq), uint32_t(p.payload_len), uint32_t(p.ack));
}

// A RST on an established connection: one that came after the connection
// was established and before it was closed (above). A RST after the close
// is a closed socket answering a stray segment (a duplicate, a late
// retransmission): the connection had already ended cleanly, so it is not
// reported (it would rank above the stalls that matter; tshark flags it as
// nothing either).
void TcpConnectionScan::Impl::check_rst(const PacketRow& p) {
  if (!has(p, kRst) || rst_reported_ || !established_) return;
  if (close_.closed()) return;
  rst_reported_ = true;
  FindingRow r = row("rst-established", kSeverityRstEstablished, p.ts_ns);
  r.title = "RST on an established connection, from " + names_.sender(p.dir);
  r.detail = "frame " + std::to_string(p.frame) + " of " + names_.both() +
             (first_fin_ts_ ? " (after a FIN)" : " (no FIN before it)");
  out_.push_back(std::move(r));
}

void TcpConnectionScan::Impl::check_dup_ack_run(const PacketRow& p) {
  DirectionState& d = dirs_[p.dir];
  if (flagged(p, kFastRetransmission) && dirs_[1 - p.dir].run)
    dirs_[1 - p.dir].run->fast_retransmission = true;
  if (flagged(p, kDuplicateAck) && p.dup_ack_frame) {
    if (!d.run || d.run->repeats_frame != *p.dup_ack_frame) {
      close_run(p.dir);
      d.run = DupAckRun{*p.dup_ack_frame, p.frame, p.ts_ns, p.ts_ns, 0, false};
    }
    d.run->count += 1;
    d.run->last_ts = p.ts_ns;
    dirs_[1 - p.dir].dup_acks_from_peer += 1;
  } else if (d.run && !flagged(p, kKeepAliveAck | kZeroWindowProbeAck)) {
    close_run(p.dir);
  }
}

void TcpConnectionScan::Impl::close_run(int dir) {
  std::optional<DupAckRun>& run = dirs_[dir].run;
  if (run && run->count >= 3 && !run->fast_retransmission) {
    FindingRow r = row("dup-ack-run-no-fast-retransmission", kSeverityDupAckRunNoFastRetransmission,
                       run->first_ts);
    r.duration_ns = run->last_ts - run->first_ts;
    r.title = std::to_string(run->count) + " duplicate ACKs from " + names_.sender(dir) +
              ", no fast retransmission";
    r.detail = "frames from " + std::to_string(run->first_frame) + " repeat the ACK of frame " +
               std::to_string(run->repeats_frame) + "; " + names_.sender(1 - dir) +
               " did not fast-retransmit during the run";
    out_.push_back(std::move(r));
  }
  run.reset();
}

// A retransmission (not fast, not out-of-order) after a silence of at least
// kMinRtoSilenceNs, with fewer duplicate ACKs from the other side since this
// side last sent new data than could trigger a fast retransmission (two, the
// fast-retransmission rule's threshold), waited for its timer.
void TcpConnectionScan::Impl::check_retransmission(const PacketRow& p) {
  DirectionState& d = dirs_[p.dir];
  bool retransmission = flagged(p, kRetransmission) && !flagged(p, kFastRetransmission);
  if (retransmission && flagged(p, kSpuriousRetransmission)) {
    FindingRow r = row("spurious-retransmission", kSeveritySpuriousRetransmission, p.ts_ns);
    r.title = "Spurious retransmission from " + names_.sender(p.dir);
    r.detail = "frame " + std::to_string(p.frame) + " resends " + std::to_string(p.payload_len) +
               " bytes the other side had already acknowledged";
    out_.push_back(std::move(r));
  }
  bool silent = d.last_sequence_ts && p.ts_ns - *d.last_sequence_ts >= kMinRtoSilenceNs;
  if (retransmission && d.dup_acks_from_peer < kFastRetransmissionDupAcks && silent) {
    if (!d.stall) d.stall = RtoStall{*d.last_sequence_ts, p.frame, p.frame, p.ts_ns, 0};
    d.stall->last_frame = p.frame;
    d.stall->last_ts = p.ts_ns;
    d.stall->count += 1;
    d.stall->syns = d.stall->syns && has(p, kSyn) && !has(p, kAck);
    d.stall->syn_acks = d.stall->syn_acks && has(p, kSyn) && has(p, kAck);
  } else if (occupies_sequence_space(p) && !flagged(p, kRetransmission | kOutOfOrder)) {
    close_stall(p.dir);
    d.dup_acks_from_peer = 0;  // new data: a new loss needs new duplicate ACKs
  }
  if (occupies_sequence_space(p)) d.last_sequence_ts = p.ts_ns;
}

void TcpConnectionScan::Impl::close_stall(int dir) {
  std::optional<RtoStall>& s = dirs_[dir].stall;
  if (s) {
    FindingRow r = row("rto-stall", kSeverityRtoStall, s->silent_since_ts);
    r.duration_ns = s->last_ts - s->silent_since_ts;
    std::string times = std::to_string(s->count) + (s->count == 1 ? " time" : " times");
    std::string frames = s->count == 1 ? "frame " + std::to_string(s->first_frame)
                                       : "frames " + std::to_string(s->first_frame) + "-" +
                                             std::to_string(s->last_frame);
    std::string detail = std::to_string(s->count) + " retransmission(s), " + frames +
                         ", not preceded by duplicate ACKs";
    // A handshake that waited for its timer says so: a stack developer reads
    // "SYN retransmitted" as "the listener did not answer" (lost, or a full
    // SYN or accept backlog dropping it), not as data lost in transfer.
    if (s->syns) {
      r.title = "Handshake stall of " + format_duration(*r.duration_ns) + ": SYN retransmitted " + times +
                ", " + names_.sender(dir);
      detail += "; the SYN went unanswered (lost, or dropped by the listener: a full SYN or accept backlog)";
    } else if (s->syn_acks) {
      r.title = "Handshake stall of " + format_duration(*r.duration_ns) + ": SYN/ACK retransmitted " + times +
                ", " + names_.sender(dir);
      detail += "; the handshake's last ACK did not arrive (lost, or dropped by the listener: a full accept queue)";
    } else {
      r.title = "Retransmission timeout stall of " + format_duration(*r.duration_ns) + ", " + names_.sender(dir);
    }
    r.detail = std::move(detail);
    out_.push_back(std::move(r));
  }
  s.reset();
}

// Zero window: from a side's first zero-window segment to its next segment
// advertising a window again (or the end of the capture).
void TcpConnectionScan::Impl::check_zero_window(const PacketRow& p) {
  DirectionState& d = dirs_[p.dir];
  if (flagged(p, kZeroWindow)) {
    if (!d.zero_window) d.zero_window = ZeroWindow{p.frame, p.ts_ns};
  } else if (d.zero_window && p.window > 0 && !has(p, kRst)) {
    close_zero_window(p.dir, p.ts_ns, false);
  }
}

void TcpConnectionScan::Impl::close_zero_window(int dir, int64_t end_ts, bool at_end) {
  std::optional<ZeroWindow>& z = dirs_[dir].zero_window;
  if (!z) return;
  FindingRow r = row("zero-window-stall", kSeverityZeroWindowStall, z->first_ts);
  r.duration_ns = end_ts - z->first_ts;
  r.title = "Zero-window stall of " + format_duration(*r.duration_ns) + ": " +
            names_.sender(dir) + " stopped receiving";
  r.detail = "window 0 from frame " + std::to_string(z->first_frame) +
             (at_end ? " until the end of the capture" : " until it opened again");
  out_.push_back(std::move(r));
  z.reset();
}

void TcpConnectionScan::Impl::check_dup_ack_after_fin(const PacketRow& p) {
  if (first_fin_ts_ && flagged(p, kDuplicateAck)) {
    if (after_fin_dups_ == 0) {
      after_fin_first_frame_ = p.frame;
      after_fin_first_ts_ = p.ts_ns;
    }
    ++after_fin_dups_;
    after_fin_last_ts_ = p.ts_ns;
  }
  if (has(p, kFin) && has(p, kAck) && !first_fin_ts_) first_fin_ts_ = p.ts_ns;
}

void TcpConnectionScan::Impl::add(const PacketRow& p) {
  last_ts_ = p.ts_ns;
  note_established(p);
  check_rst(p);
  note_close(p);
  check_dup_ack_after_fin(p);
  check_dup_ack_run(p);
  check_retransmission(p);
  check_zero_window(p);
}

void TcpConnectionScan::Impl::finish() {
  for (int dir : {0, 1}) {
    close_run(dir);
    close_stall(dir);
    close_zero_window(dir, last_ts_, true);
  }
  if (after_fin_dups_ > 0) {
    FindingRow r = row("dup-ack-after-fin", kSeverityDupAckAfterFin, after_fin_first_ts_);
    r.duration_ns = after_fin_last_ts_ - after_fin_first_ts_;
    r.title = std::to_string(after_fin_dups_) + " duplicate ACK(s) after FIN/ACK";
    r.detail = "from frame " + std::to_string(after_fin_first_frame_) + " of " + names_.both();
    out_.push_back(std::move(r));
  }
}

TcpConnectionScan::TcpConnectionScan(int64_t connection_id, ConnectionNames names)
    : impl_(std::make_unique<Impl>(connection_id, std::move(names), found_)) {}

TcpConnectionScan::~TcpConnectionScan() = default;

void TcpConnectionScan::add(const PacketRow& packet) { impl_->add(packet); }

// found_ is the vector Impl appends to (by reference): emptied, not replaced.
std::vector<FindingRow> TcpConnectionScan::take_found() {
  std::vector<FindingRow> out = std::move(found_);
  found_.clear();
  return out;
}

std::vector<FindingRow> TcpConnectionScan::finish() {
  impl_->finish();
  return std::move(found_);
}

}  // namespace lurk
