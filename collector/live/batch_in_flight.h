// The one `lurk collect` batch whose end (sources' counts, stream marks,
// analysis, COMMIT) runs on the writer's thread while the reading thread
// reads the next batch's lines (docs/live.md, "Rate"): what the acks of that
// batch will say, captured when it was handed over, and the writer's word
// that it is durable. The senders are told only then: nothing acknowledged
// is ever lost.
//
// Threads: start() and take_done() on the reading thread; finished() on the
// writer's, once per batch, after COMMIT (or with the error that stopped
// it). The mutex orders the two; the eventfd wakes the reading thread's poll.
#pragma once

#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "live/stream_ledger.h"
#include "storage/rows.h"

namespace lurk::live {

class SenderSession;

// A session as the batch left it.
struct SessionAtCommit {
  SenderSession* session = nullptr;
  std::optional<SourceRow> row;  // its source's row in the batch (none: no source yet)
  bool closes = false;           // ended or refused: closed once the batch is durable
};

// An ack line for a sender's socket, sent by the writer's thread.
struct AckToSend {
  int fd = -1;  // open until the batch is taken (sessions close only then)
  std::string line;
};

struct BatchHandedOver {
  std::vector<SessionAtCommit> sessions;
  std::vector<StreamMark> marks;  // the ledger's copy in memory moves when durable
};

class BatchInFlight {
 public:
  BatchInFlight();  // throws when no eventfd can be made
  ~BatchInFlight();
  BatchInFlight(const BatchInFlight&) = delete;
  BatchInFlight& operator=(const BatchInFlight&) = delete;

  // Readable once the writer finished the batch (for poll).
  int fd() const { return fd_; }
  bool active() const { return batch_.has_value(); }

  // Reading thread: the batch is handed to the writer, with its acks.
  void start(BatchHandedOver batch, std::vector<AckToSend> acks);
  // Writer thread: the batch is committed (error: null; then its acks are
  // sent at once, never blocking: a full socket drops the line, as a later
  // ack says all it did), or failed (none are).
  void finished(std::exception_ptr error) noexcept;
  // Reading thread: the batch, once finished (nullopt: still in flight, or
  // none); rethrows the writer's error. No system call: asked every wake-up.
  std::optional<BatchHandedOver> take_done();
  // Reading thread, when poll says fd() is readable: empties it (a batch
  // taken before its wake-up arrived leaves it readable; poll would spin).
  void clear_wakeup();

 private:
  int fd_ = -1;
  std::optional<BatchHandedOver> batch_;  // reading thread only
  // Set by start() before the job is queued (the queue's lock orders it),
  // read by finished() only.
  std::vector<AckToSend> acks_;
  std::mutex mutex_;
  bool done_ = false;                     // under mutex_
  std::exception_ptr error_;              // under mutex_
};

}  // namespace lurk::live
