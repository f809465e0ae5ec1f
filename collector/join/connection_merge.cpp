// A trace's connection and a capture's: see connection_merge.h.
#include "join/connection_merge.h"

namespace lurk {

ClientIsns::ClientIsns(Database& db)
    : query_(db.prepare("SELECT seq FROM packets WHERE connection_id = ? AND dir = 0 "
                        "AND (tcp_flags & 18) = 2 ORDER BY ts_ns LIMIT 1")) {}

std::optional<int64_t> ClientIsns::of(const JoinConnection& c) {
  auto [it, fresh] = cache_.try_emplace(c.id);
  if (fresh) {
    query_.bind(1, c.id);
    if (query_.step()) it->second = query_.column_int(0);
    query_.reset();
  }
  return it->second;
}

bool same_connection(const JoinConnection& trace, const JoinConnection& capture,
                     ClientIsns& trace_isns, ClientIsns& capture_isns) {
  JoinEvidence tuple{JoinEvidence::Kind::FourTuple, 0, trace.addr_a, trace.addr_b,
                     static_cast<uint16_t>(trace.port_a), static_cast<uint16_t>(trace.port_b)};
  if (!capture.has_tuple(tuple)) return false;
  std::optional<int64_t> trace_isn = trace_isns.of(trace), capture_isn = capture_isns.of(capture);
  if (trace_isn && capture_isn) return *trace_isn == *capture_isn;
  return trace.first_ns <= capture.last_ns + kJoinTimeSlackNs &&
         capture.first_ns <= trace.last_ns + kJoinTimeSlackNs;
}

std::string endpoint_pair_key(const JoinConnection& c) {
  std::string a = c.addr_a + "|" + std::to_string(c.port_a);
  std::string b = c.addr_b + "|" + std::to_string(c.port_b);
  return a < b ? a + "|" + b : b + "|" + a;
}

void MergeTargets::add(const JoinConnection& capture) {
  by_pair_.emplace(endpoint_pair_key(capture), capture);
}

const JoinConnection* MergeTargets::first_same(const JoinConnection& trace, ClientIsns& trace_isns,
                                               ClientIsns& capture_isns) const {
  auto [begin, end] = by_pair_.equal_range(endpoint_pair_key(trace));
  for (auto it = begin; it != end; ++it)
    if (same_connection(trace, it->second, trace_isns, capture_isns)) return &it->second;
  return nullptr;
}

std::string trace_own_rows_left_out(Database& db) {
  bool has_root = db.query_int("SELECT count(*) FROM pragma_table_info('connections') "
                               "WHERE name = 'root_thread_id'") > 0;
  return has_root ? "c.root_thread_id IS NULL AND " : "";
}

}  // namespace lurk
