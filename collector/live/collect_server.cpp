#include "live/collect_server.h"

#include <fcntl.h>
#include <poll.h>
#include <sqlite3.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <iostream>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>

#include "ingest/ingest.h"
#include "live/batch_cost.h"
#include "live/batch_in_flight.h"
#include "live/batch_rows.h"
#include "live/collect_status.h"
#include "live/dead_peer.h"
#include "live/live_capture_joins.h"
#include "live/live_findings.h"
#include "live/live_joiner.h"
#include "live/live_trace_connections.h"
#include "live/other_writer_wait.h"
#include "live/sender_session.h"
#include "live/stream_ledger.h"
#include "live/wal_checkpointer.h"
#include "storage/profile_writer_lock.h"
#include "storage/sqlite_handle.h"
#include "storage/trace_writer.h"
#include "storage/write_transaction.h"

namespace lurk::live {
namespace {

using Clock = std::chrono::steady_clock;

// Bytes read from one socket per turn: large enough that a fast sender is
// read in few calls, small enough that every sender gets its turn soon.
constexpr size_t kReadBytes = 256 * 1024;

// With a token, a connection must say hello within this time or lose its
// place (a silent connection would hold one of --max-senders forever).
constexpr auto kHelloTimeout = std::chrono::seconds(10);

// At stop, at most this many reads per sender of what is already there.
constexpr int kReadsAtStop = 256;

// SIGINT and SIGTERM write a byte here; the poll loop wakes on it.
int g_stop_pipe[2] = {-1, -1};

void on_stop_signal(int) {
  char byte = 1;
  [[maybe_unused]] ssize_t n = ::write(g_stop_pipe[1], &byte, 1);
}

void install_stop_signals() {
  if (g_stop_pipe[0] < 0 && ::pipe2(g_stop_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
    throw std::runtime_error(std::string("cannot make a pipe: ") + std::strerror(errno));
  struct sigaction action {};
  action.sa_handler = on_stop_signal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGINT, &action, nullptr);
  sigaction(SIGTERM, &action, nullptr);
  signal(SIGPIPE, SIG_IGN);
}

int open_listener(const ListenAddress& at) {
  int fd = ::socket(at.addr.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error(std::string("socket: ") + std::strerror(errno));
  int yes = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  if (::bind(fd, reinterpret_cast<const sockaddr*>(&at.addr), at.length) != 0 ||
      ::listen(fd, 128) != 0) {
    std::string why = std::strerror(errno);
    ::close(fd);
    throw std::runtime_error("cannot listen on " + at.text + ": " + why);
  }
  return fd;
}

// What analyses each batch (docs/live.md, "Analysis while the data
// arrives"). Each part reads what it needs of the profile when it is made:
// made under the collector's write lock (TraceWriter::begin_live), so what
// they read is what the batches then build on, not a state another writer
// changes before the lock is taken.
struct BatchAnalysis {
  BatchAnalysis(Database& db, bool analyse, TraceWriter& writer)
      : trace_connections(db, [&writer] { return writer.claim_connection_id(); }),
        capture_joins(db), joiner(db), findings(db, analyse) {}
  LiveTraceConnections trace_connections;
  LiveCaptureJoins capture_joins;
  LiveJoiner joiner;
  LiveFindings findings;
};

class CollectLoop {
 public:
  CollectLoop(const CollectOptions& options, Database& db)
      : options_(options), db_(db), writer_(db), status_(options.progress), rows_(db),
        cost_(options.analysis_stats) {
    rules_.token = options.token;
    rules_.ledger = &ledger_;
    rules_.max_line_bytes = options.max_line_bytes;
    rules_.source_tag = "live:" + std::to_string(std::chrono::system_clock::now()
                                                     .time_since_epoch()
                                                     .count());
  }
  ~CollectLoop();

  CollectSummary run();
  // After run(), in the stop pass's transaction: the live links and merges
  // are undone, so that the stop pass decides every thread and connection on
  // the final clocks. In the same transaction as the pass, so that a reader
  // (a `lurk view --follow` page) never sees them undone: what the pass makes
  // again is, to it, unchanged. The batches' row log stops noting.
  void undo_live_joins();

 private:
  void accept_senders();
  void refuse_silent_senders();
  void end_dead_senders();
  // One read; true when it got bytes (more may be waiting).
  bool read_sender(SenderSession& s);
  bool commit_due() const;
  void commit(bool last);
  BatchHandedOver hand_over(std::vector<SourceRow>& rows, std::vector<AckToSend>& acks,
                            bool& a_trace_ended);
  // The batch in flight, once durable (`wait`: waits for it): its acks.
  void finish_batch_in_flight(bool wait);
  void acknowledge(BatchHandedOver& batch);
  void analyse_batch(int64_t batch, bool a_trace_ended, const std::vector<StreamMark>& marks);
  void stop();
  int poll_timeout_ms() const;
  void remember(const SenderSession& s);

  const CollectOptions& options_;
  Database& db_;  // the writer thread's while jobs are queued (write_behind.h)
  // Before the writer: its thread may still finish a batch while the writer
  // is destroyed (on an error), and says so here.
  BatchInFlight in_flight_;
  TraceWriter writer_;
  CollectStatus status_;
  BatchRowLog rows_;
  std::unique_ptr<BatchAnalysis> analysis_;  // made by run(), under the write lock
  BatchCostLog cost_;
  StreamLedger ledger_;
  SessionRules rules_;
  int listen_fd_ = -1;
  int serial_ = 0;
  std::vector<std::unique_ptr<SenderSession>> sessions_;
  std::vector<char> buffer_ = std::vector<char>(kReadBytes);
  bool dirty_ = false;            // something arrived since the last commit
  bool ended_ = false;            // ... and a sender's stream ended
  int64_t events_since_commit_ = 0;
  Clock::time_point last_commit_ = Clock::now();
  Clock::time_point last_dead_check_ = Clock::now();
  CollectSummary summary_;
};

// On an error (the loop threw): the writer's thread is stopped before the
// analysis and the sessions its jobs use go; the batch not committed is rolled
// back (none of it was acknowledged).
CollectLoop::~CollectLoop() {
  try {
    if (writer_.live()) writer_.rollback_source();
  } catch (const std::exception& e) {
    std::cerr << "lurk collect: " << options_.output << ": while rolling back: " << e.what() << "\n";
  }
  if (listen_fd_ >= 0) ::close(listen_fd_);
}

CollectSummary CollectLoop::run() {
  listen_fd_ = open_listener(options_.listen);
  // The write lock first, then what is read of the profile: nothing can
  // change it between the two (an ingest is refused, ingest.cpp).
  writer_.begin_live([this] {
    ledger_.load(db_);
    analysis_ = std::make_unique<BatchAnalysis>(db_, options_.analyse, writer_);
  });
  if (options_.on_listening) options_.on_listening(bound_port(listen_fd_));
  std::vector<pollfd> fds;
  std::vector<SenderSession*> polled;  // the sessions of fds[3...]
  for (bool stopping = false; !stopping;) {
    fds.assign({{g_stop_pipe[0], POLLIN, 0}, {listen_fd_, POLLIN, 0}, {in_flight_.fd(), POLLIN, 0}});
    polled.clear();
    for (const auto& s : sessions_) {
      // Ended and refused senders wait for the commit that closes them.
      if (s->state() == SenderSession::State::Ended ||
          s->state() == SenderSession::State::Refused)
        continue;
      fds.push_back({s->fd(), POLLIN, 0});
      polled.push_back(s.get());
    }
    int ready = ::poll(fds.data(), fds.size(), poll_timeout_ms());
    if (ready < 0 && errno != EINTR)
      throw std::runtime_error(std::string("poll: ") + std::strerror(errno));
    stopping = ready > 0 && (fds[0].revents & POLLIN);
    if (ready > 0 && (fds[2].revents & POLLIN)) in_flight_.clear_wakeup();
    if (!stopping && ready > 0) {
      if (fds[1].revents & POLLIN) accept_senders();
      for (size_t i = 3; i < fds.size(); ++i)
        if (fds[i].revents & (POLLIN | POLLHUP | POLLERR)) read_sender(*polled[i - 3]);
    }
    finish_batch_in_flight(false);  // its acks, once the writer says it is durable
    if (!options_.token.empty()) refuse_silent_senders();
    end_dead_senders();
    if (!stopping && commit_due()) commit(false);
    status_.tick(sessions_);
  }
  stop();
  return summary_;
}

void CollectLoop::accept_senders() {
  for (;;) {
    sockaddr_storage peer{};
    socklen_t length = sizeof peer;
    int fd = ::accept4(listen_fd_, reinterpret_cast<sockaddr*>(&peer), &length,
                       SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) return;  // EAGAIN: no more waiting (other errors: the next poll says)
    std::string peer_text = address_text(peer);
    if (sessions_.size() >= options_.max_senders) {
      static const char kFull[] = "{\"lurk\":\"refused\",\"reason\":\"too many senders\"}\n";
      [[maybe_unused]] ssize_t n = ::send(fd, kFull, sizeof kFull - 1, MSG_DONTWAIT | MSG_NOSIGNAL);
      ::close(fd);
      status_.refused(peer_text, "too many senders (--max-senders " +
                                     std::to_string(options_.max_senders) + ")");
      continue;
    }
    probe_dead_peer(fd, options_.sender_timeout_s);
    sessions_.push_back(
        std::make_unique<SenderSession>(fd, peer_text, ++serial_, writer_, rules_));
  }
}

void CollectLoop::refuse_silent_senders() {
  auto now = Clock::now();
  for (const auto& s : sessions_) {
    if (s->state() != SenderSession::State::AwaitingHello || now - s->connected_at() < kHelloTimeout)
      continue;
    s->refuse("no hello line within 10 s");
    status_.refused(s->peer(), s->refusal());
    dirty_ = true;  // the next commit closes it
  }
}

// A sender whose machine stopped answering while an ack of ours was in
// flight (dead_peer.h) ends as a closed connection does: what it sent is
// committed up to its last whole line, and its stream id is freed when the
// next commit closes it. Asked once a second (one getsockopt per sender).
void CollectLoop::end_dead_senders() {
  auto now = Clock::now();
  if (now - last_dead_check_ < std::chrono::seconds(1)) return;
  last_dead_check_ = now;
  for (const auto& s : sessions_) {
    bool open = s->state() == SenderSession::State::AwaitingHello ||
                s->state() == SenderSession::State::Streaming;
    if (!open || !peer_stopped_answering(s->fd(), options_.sender_timeout_s)) continue;
    status_.clear();
    std::cerr << "lurk collect: " << s->name() << " (" << s->peer() << "): its machine has not "
              << "acknowledged anything for " << options_.sender_timeout_s
              << " s (--sender-timeout); connection ended\n";
    s->end_of_stream();
    dirty_ = true;  // the next commit closes it
  }
}

// One read per ready sender per turn, so that a flood cannot starve a
// dribbler, and a slow file (a full writer queue) stops all reading.
bool CollectLoop::read_sender(SenderSession& s) {
  bool had_source = s.has_source();
  int64_t events_before = s.events();
  ssize_t got = ::recv(s.fd(), buffer_.data(), buffer_.size(), MSG_DONTWAIT);
  if (got < 0 && (errno == EAGAIN || errno == EINTR)) return false;
  if (got < 0 && errno == ETIMEDOUT) {  // keepalive probes unanswered (dead_peer.h)
    status_.clear();
    std::cerr << "lurk collect: " << s.name() << " (" << s.peer() << "): its machine stopped "
              << "answering (--sender-timeout " << options_.sender_timeout_s << " s); connection ended\n";
  }
  if (got > 0) s.receive(buffer_.data(), size_t(got));
  else s.end_of_stream();  // closed, reset or timed out: what arrived is kept
  dirty_ = true;
  ended_ |= s.state() == SenderSession::State::Ended;
  events_since_commit_ += s.events() - events_before;
  if (!had_source && s.has_source()) status_.sender_started(s);
  std::string messages = s.take_messages();
  if (!messages.empty()) {
    status_.clear();
    std::cerr << messages;
  }
  if (s.state() == SenderSession::State::Refused) status_.refused(s.peer(), s.refusal());
  return got > 0;
}

// A sender whose stream ended waits for its final ack: it is committed
// at once rather than at the batch's time, unless a batch is in flight (a
// commit would wait for it; its end wakes the loop, which asks again).
bool CollectLoop::commit_due() const {
  if (!dirty_) return false;
  if (ended_ && !in_flight_.active()) return true;
  return events_since_commit_ >= options_.batch_events ||
         Clock::now() - last_commit_ >= std::chrono::milliseconds(options_.batch_interval_ms);
}

int CollectLoop::poll_timeout_ms() const {
  if (!dirty_) return 1000;  // only the status table to redraw
  auto waited = std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - last_commit_);
  return int(std::max<int64_t>(0, options_.batch_interval_ms - waited.count()));
}

// One transaction: every sender's rows since the last one, and their
// sources' counts, handed to the writer's thread as one job (rows, then
// counts, marks, analysis, COMMIT); the reading goes on at once. Each sender
// is told what is in the file, and the senders that ended are closed, when
// the writer says the batch is durable (finish_batch_in_flight). At most one
// batch is in flight: a commit due before the last one is durable waits.
void CollectLoop::commit(bool last) {
  finish_batch_in_flight(true);
  std::vector<SourceRow> rows;
  bool a_trace_ended = false;
  std::vector<AckToSend> acks;
  BatchHandedOver batch = hand_over(rows, acks, a_trace_ended);
  int64_t number = ++summary_.batches;
  // The analysis gets copies: the marks, flags and number are this batch's,
  // whatever the reading thread does meanwhile; the rest it reads from the
  // file (the joiner, findings and row log are its own, used on no other thread).
  auto analyse = [this, number, a_trace_ended, marks = batch.marks] {
    analyse_batch(number, a_trace_ended, marks);
  };
  in_flight_.start(std::move(batch), std::move(acks));
  writer_.queue_commit_batch(std::move(rows), last, std::move(analyse),
                             [this](std::exception_ptr error) { in_flight_.finished(error); });
  dirty_ = false;
  ended_ = false;
  events_since_commit_ = 0;
  last_commit_ = Clock::now();
  if (last) finish_batch_in_flight(true);
}

// What the batch commits, as of now: the sources' rows (after flushing the
// trackers' changed rows into the queue), the streams' marks, and which
// sessions it closes.
BatchHandedOver CollectLoop::hand_over(std::vector<SourceRow>& rows, std::vector<AckToSend>& acks,
                                       bool& a_trace_ended) {
  BatchHandedOver batch;
  for (const auto& s : sessions_) {
    SessionAtCommit at{s.get(), std::nullopt,
                       s->state() == SenderSession::State::Ended ||
                           s->state() == SenderSession::State::Refused};
    if (s->has_source()) {
      at.row = s->row_for_commit();
      rows.push_back(*at.row);
      if (std::optional<std::string> line = s->ack_line(*at.row, at.closes))
        acks.push_back({s->fd(), std::move(*line)});
      if (std::optional<StreamMark> mark = s->stream_mark()) batch.marks.push_back(std::move(*mark));
      a_trace_ended |= s->state() == SenderSession::State::Ended;
    }
    batch.sessions.push_back(std::move(at));
  }
  return batch;
}

void CollectLoop::finish_batch_in_flight(bool wait) {
  // Waiting: every job queued so far (the batch's end, then at most the
  // queue's bound of the next batch's rows); a failed one throws here.
  if (wait && in_flight_.active()) writer_.wait_for_writer();
  std::optional<BatchHandedOver> batch = in_flight_.take_done();
  if (!batch) return;
  acknowledge(*batch);
}

// The batch is durable (and its acks sent, by the writer's thread): the
// ledger's copy in memory (what a resuming sender is told) and the sessions'
// counts move; the senders it closed go.
void CollectLoop::acknowledge(BatchHandedOver& batch) {
  ledger_.remember(batch.marks);
  for (const SessionAtCommit& at : batch.sessions) {
    if (at.row) at.session->committed(*at.row);
  }
  for (const SessionAtCommit& at : batch.sessions) {
    if (!at.closes) continue;
    SenderSession& s = *at.session;
    if (s.has_source()) status_.sender_ended(s);
    remember(s);
    auto it = std::find_if(sessions_.begin(), sessions_.end(),
                           [&](const auto& owned) { return owned.get() == &s; });
    sessions_.erase(it);
  }
}

// A source's rows moved to a clock offset decided in this batch: what the
// analysis keeps of its threads and connections moves too, before the
// joiner and the findings read the batch (the promise trees read it already).
void shift_analysis_source(Database& db, BatchAnalysis& a, int64_t source_id, int64_t delta_ns,
                           std::vector<LinkChange>& links) {
  auto ids_of = [&](const char* sql) {
    std::set<int64_t> ids;
    Statement s = db.prepare(sql);
    s.bind(1, source_id);
    while (s.step()) ids.insert(s.column_int(0));
    return ids;
  };
  std::set<int64_t> threads = ids_of("SELECT id FROM threads WHERE source_id = ?");
  std::set<int64_t> connections = ids_of("SELECT id FROM connections WHERE source_id = ?");
  // The findings rows of its threads and connections (copies of its TCP
  // findings, never-resolved promises) move with them; those the findings
  // write again from what they keep (moved below) are written over after.
  Statement move = db.prepare(
      "UPDATE findings SET ts_ns = ts_ns + ?1 WHERE ts_ns IS NOT NULL AND "
      "(thread_id IN (SELECT id FROM threads WHERE source_id = ?2) OR "
      "connection_id IN (SELECT id FROM connections WHERE source_id = ?2))");
  move.bind(1, delta_ns).bind(2, source_id);
  move.run();
  a.trace_connections.shift_source(source_id, delta_ns);
  a.findings.shift_source(threads, connections, delta_ns);
  std::vector<LinkChange> changed = a.joiner.shift_source(threads, connections, delta_ns);
  links.insert(links.end(), changed.begin(), changed.end());
}

// On the writer's thread, in the batch's transaction: the streams' committed
// offsets, and the joins and findings of what it wrote
// (docs/live.md, "Analysis while the data arrives"). It uses the Database
// directly (the writer's db() would wait for the writer: itself).
void CollectLoop::analyse_batch(int64_t batch, bool a_trace_ended, const std::vector<StreamMark>& marks) {
  StreamLedger::record(db_, marks);  // exactly what this batch commits
  BatchRows rows = rows_.take();
  if (!options_.analyse) return;  // --no-analysis: rows only
  cost_.start(db_);
  BatchAnalysis& a = *analysis_;
  a.trace_connections.update(rows);  // before the joiner: its links are the trace's own
  // Before the joiner too: it reads the batch's connections with their merges.
  std::vector<LiveCaptureJoins::OffsetChange> offsets;
  a.findings.take_merges(a.capture_joins.update(rows, offsets));
  std::vector<LinkChange> links;
  for (const auto& o : offsets) {
    // On the writer's thread, before the next batch's rows: they and the
    // rows the trackers write again are written on the source's new clock.
    writer_.set_live_offset(o.source_id, o.offset_ns);
    shift_analysis_source(db_, a, o.source_id, o.delta_ns, links);
  }
  std::vector<LinkChange> batch_links = a.joiner.update(rows);
  links.insert(links.end(), batch_links.begin(), batch_links.end());
  a.findings.update(rows, links, a_trace_ended);
  BatchRows own = rows_.take();  // the analysis's own writes are not the next batch's
  cost_.finish(db_, batch, rows, own);
}

void CollectLoop::undo_live_joins() {
  rows_.stop();  // no batch reads what the stop pass writes
  if (!analysis_) return;
  analysis_->joiner.undo_links();
  analysis_->capture_joins.undo_merges();
}

void CollectLoop::remember(const SenderSession& s) {
  SenderSummary summary;
  summary.name = s.name();
  summary.peer = s.peer();
  summary.events = s.committed_events();
  summary.errors = s.errors();
  summary.committed_bytes = s.committed_bytes();
  summary.refused = s.state() == SenderSession::State::Refused;
  summary.refusal = s.refusal();
  summary_.senders.push_back(std::move(summary));
}

// SIGINT/SIGTERM: what was read is committed; senders still sending are cut
// (recorded as such), then told their final counts.
void CollectLoop::stop() {
  // What senders sent before the signal is still read (up to a bound per
  // sender), so stopping right after a sender finished loses none of it.
  finish_batch_in_flight(true);
  accept_senders();
  for (const auto& s : sessions_) {
    for (int reads = 0; reads < kReadsAtStop; ++reads) {
      bool open = s->state() == SenderSession::State::AwaitingHello ||
                  s->state() == SenderSession::State::Streaming;
      if (!open || !read_sender(*s)) break;
    }
  }
  for (const auto& s : sessions_) s->cut("the collector was stopped (SIGINT or SIGTERM)");
  commit(true);
  status_.clear();
}

}  // namespace

CollectSummary run_collector(const CollectOptions& options) {
  install_stop_signals();
  // One collector per profile, and no ingest while it runs: refused at once,
  // saying who holds it (profile_writer_lock.h). Held past the Database.
  ProfileWriterLock collecting(options.output, ProfileWriterLock::Role::Collector);
  Database db(options.output, Database::Mode::ReadWriteCreate);
  // Another program holding SQLite's write lock now is waited for, said at
  // once (other_writer_wait.h). The writer then holds the write lock from
  // batch to batch (BEGIN IMMEDIATE, trace_writer.cpp), all but the instant
  // between a COMMIT and the next BEGIN. No lurk command writes the profile
  // meanwhile (the lock above); another program that takes SQLite's lock in
  // that instant (a sqlite3 shell) is waited for, up to 10 s (the busy
  // timeout this leaves), rather than fail the collector.
  wait_for_other_writers(db.raw(), options.output, 10'000);
  // WAL: readers (lurk query, lurk view) see each committed batch while the
  // collector writes the next, and a commit does not wait for them.
  db.exec("PRAGMA journal_mode = WAL");
  CollectSummary summary;
  {
    // Its checkpoints run beside the writer's thread while the batches
    // come (wal_checkpointer.h); the loop's writer is gone before it.
    WalCheckpointer checkpointer(db.raw(), options.output);
    CollectLoop loop(options, db);
    summary = loop.run();
    if (options.analyse) {
      // The stop pass under the write lock, as the batches were (the last
      // one let it go at its COMMIT): the live joins undone and the passes
      // commit together, and no other program writes between them. The
      // writer's thread is idle: the last batch was waited for.
      WriteTransaction stop_pass(db);
      loop.undo_live_joins();
      analyse_profile(db);
      stop_pass.commit();
    }
  }
  // No wait from here: the switch out of WAL below gives way to a reader at once.
  sqlite3_busy_timeout(db.raw(), 0);
  // Back to one self-contained file (no -wal beside it) for sharing. A
  // reader still holding the profile open prevents it; the data is all
  // committed either way, so say so and go on.
  try {
    db.exec("PRAGMA journal_mode = DELETE");
  } catch (const std::exception& e) {
    std::cerr << "lurk collect: " << options.output << " stays in WAL mode (a reader has it open?): "
              << e.what() << "\n";
  }
  return summary;
}

}  // namespace lurk::live
