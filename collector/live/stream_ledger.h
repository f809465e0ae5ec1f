// How much of each named stream a profile holds (docs/live.md, "Exactly once
// across a collector's restart"): a sender that says `"stream":ID` in its
// hello line is told where the profile's copy of that stream ends, and goes
// on from there. The ledger is the table live_streams, written in each
// batch's transaction (so what it says is exactly what the batch
// committed), and a copy in memory (read once when the collector starts), so
// that a hello is answered without reading the file while the writer writes.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

namespace lurk {
class Database;
}

namespace lurk::live {

// One stream's part in one source, as a batch leaves it.
struct StreamMark {
  std::string stream_id;
  int64_t source_id = 0;
  int64_t first_byte = 0;       // stream offset the part starts at
  int64_t committed_bytes = 0;  // stream offset up to which it is committed
  // A CTF stream: its reader's state at committed_bytes (CtfStream::
  // checkpoint), so that a restarted collector continues the same source.
  std::optional<std::string> reader_state;
};

class StreamLedger {
 public:
  // Reads what the profile holds (creating the table in a profile made
  // before it existed). Before the writer starts.
  void load(Database& db);
  // Where the profile's copy of the stream ends (0: it holds none of it).
  int64_t committed(const std::string& stream_id) const;
  // The part of the stream that ends furthest (nullopt: none): a CTF
  // stream goes on in its source, from its reader's state.
  std::optional<StreamMark> last_part(const std::string& stream_id) const;
  // One connection per stream at a time: a second one could resume from a
  // point the first is still moving.
  bool connect(const std::string& stream_id);  // false: already connected
  void disconnect(const std::string& stream_id);
  // In the batch's transaction, on the writer's thread: the marks of the
  // senders that have a stream id. Touches no ledger (static): the copy in
  // memory moves only with remember().
  static void record(Database& db, const std::vector<StreamMark>& marks);
  // The batch with these marks is durable (the reading thread): a hello is
  // answered from what is in the file, never from a batch still in flight.
  void remember(const std::vector<StreamMark>& marks);

 private:
  std::map<std::string, StreamMark> last_;  // per stream, its furthest part
  std::set<std::string> connected_;
};

}  // namespace lurk::live
