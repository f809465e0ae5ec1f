// Plain records for the rows of the .lurk tables (schema/lurk_v1.sql), as the
// trackers hand them to the TraceWriter. Field names follow the columns.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace lurk {

struct ConnectionRow {
  int64_t id = 0;  // set by TraceWriter::insert_connection
  std::optional<int64_t> source_id;
  std::string addr_a, addr_b;
  int port_a = 0, port_b = 0;
  int64_t first_ns = 0, last_ns = 0;
  bool syn_seen = false, synack_seen = false, fin_a = false, fin_b = false, rst_seen = false;
  int64_t packets_ab = 0, packets_ba = 0, bytes_ab = 0, bytes_ba = 0;
  std::string state;
  std::string flags_json = "{}";
};

struct PacketRow {
  int64_t source_id = 0;
  int64_t frame = 0;
  int64_t connection_id = 0;
  int64_t ts_ns = 0;
  int dir = 0;
  uint32_t seq = 0, ack = 0;
  uint32_t payload_len = 0;
  uint8_t tcp_flags = 0;
  int64_t window = 0;
  uint32_t wire_len = 0;
  uint64_t analysis = 0;
  std::optional<int64_t> dup_ack_num, dup_ack_frame, rtt_ns;
  std::optional<int64_t> ts_rtt_ns;  // RTT sample from the TCP timestamp option
  // lurk JSONL tcp events naming a thread: the thread that sent / received it.
  std::optional<int64_t> sender_thread, receiver_thread;
};

struct ThreadRow {
  int64_t id = 0;  // set by TraceWriter::insert_thread
  int64_t source_id = 0;
  std::string ext_id;
  std::optional<int64_t> name;  // string id
  std::string kind;
  std::optional<int64_t> parent_id;
  std::optional<int64_t> start_ns, end_ns;
  bool failed = false;
  std::optional<int64_t> exception;  // string id
  bool should_resolve = false;
  std::optional<int64_t> became_id;
  std::optional<int64_t> connection_id;
  std::optional<std::string> link_how;
  int64_t sort_index = 0;
};

struct SpanRow {
  int64_t thread_id = 0;
  int64_t start_ns = 0, end_ns = 0;
  int depth = 0;
  std::string kind = "span";
  std::optional<int64_t> name;
  std::optional<std::string> args_json;
  // Set by TraceWriter, not stored (a span's source is its thread's): whose
  // clock offset a live batch applies to its times (TraceWriter::set_live_offset).
  int64_t source_id = 0;
};

struct InstantRow {
  std::optional<int64_t> thread_id;
  int64_t ts_ns = 0;
  std::string kind;
  std::optional<int64_t> name;
  std::optional<std::string> args_json;
  int64_t source_id = 0;  // set by TraceWriter: the source being ingested
};

struct FlowRow {
  std::string kind;
  std::optional<int64_t> from_thread;
  int64_t from_ns = 0;
  std::optional<int64_t> to_thread;
  int64_t to_ns = 0;
  std::optional<int64_t> packet_id;  // tcp-send / tcp-receive: the packet end
  int64_t source_id = 0;  // set by TraceWriter, not stored: as SpanRow's
};

struct CounterRow {
  std::optional<int64_t> thread_id;
  int64_t name = 0;  // string id
  int64_t ts_ns = 0;
  double value = 0;
  int64_t source_id = 0;  // set by TraceWriter: the source being ingested
};

struct PeriodRow {
  int64_t source_id = 0;
  std::string kind;
  int64_t start_ns = 0, end_ns = 0;
};

struct FindingRow {
  std::string kind;
  int severity = 0;
  std::string title;
  std::optional<std::string> detail;
  std::optional<int64_t> connection_id, thread_id, ts_ns, duration_ns;
};

struct IngestErrorRow {
  int64_t source_id = 0;
  std::optional<int64_t> byte_offset, line;
  std::string kind;
  std::string message;
};

struct SourceCounterRow {
  int64_t source_id = 0;
  std::string name;
  int64_t value = 0;
};

struct SourceRow {
  int64_t id = 0;
  std::string path, format, content_hash;
  int64_t size_bytes = 0;
  int64_t records = 0, skipped = 0, errors = 0;
  std::string status = "complete";
  // The clock the source's times are on (docs/clocks.md): 'unix' or 'own'.
  std::string clock_domain = "unix";
};

}  // namespace lurk
