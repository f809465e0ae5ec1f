// A connection's packets from `lurk view --native` (remote_samples.h).
#include "core/remote_samples.h"

#include "core/frame_request.h"
#include "core/sample_wire.h"

namespace lurk::ui {

const std::vector<TcpSample>* RemoteConnectionSamples::get(int64_t connection) {
  std::string query = samples_request_query(connection);
  if (query != query_) {
    query_ = query;
    samples_.reset();
    problem_.clear();
    ++sent_;
    send_(query_);
  }
  return samples_ ? &*samples_ : nullptr;
}

void RemoteConnectionSamples::receive(const std::string& query, const std::string& body) {
  if (query != query_) return;  // a connection selected before the last one
  std::string problem;
  samples_ = decode_tcp_samples(body, problem);
  if (!samples_) problem_ = "the connection's packets from lurk view could not be read: " + problem;
}

void RemoteConnectionSamples::fail(const std::string& query, const std::string& message) {
  if (query != query_) return;
  problem_ = "no packets of this connection from lurk view: " + message;
}

}  // namespace lurk::ui
