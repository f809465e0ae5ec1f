// encode_tcp_samples / decode_tcp_samples (sample_wire.h).
#include "core/sample_wire.h"

#include <climits>
#include <cstring>

namespace lurk::ui {
namespace {

constexpr size_t kHeaderBytes = 4 + 4 + 8;
constexpr size_t kSampleBytes = 8 + 4 * 4 + 8 + 8 + 1 + 1;
constexpr int64_t kNoRtt = INT64_MIN;

template <typename T>
void put(std::string& out, T v) {
  char b[sizeof(T)];
  std::memcpy(b, &v, sizeof(T));  // little-endian hosts only (x86, wasm)
  out.append(b, sizeof(T));
}

template <typename T>
T get(const std::string& in, size_t& at) {
  T v;
  std::memcpy(&v, in.data() + at, sizeof(T));
  at += sizeof(T);
  return v;
}

}  // namespace

std::string encode_tcp_samples(std::span<const TcpSample> samples) {
  std::string out;
  out.reserve(kHeaderBytes + samples.size() * kSampleBytes);
  out += "LRKS";
  put(out, kSampleWireVersion);
  put(out, uint64_t(samples.size()));
  for (const TcpSample& s : samples) {
    put(out, s.t_ns);
    put(out, s.seq);
    put(out, s.ack);
    put(out, s.payload_len);
    put(out, s.analysis);
    put(out, s.window);
    put(out, s.rtt_ns.value_or(kNoRtt));
    put(out, s.dir);
    put(out, s.tcp_flags);
  }
  return out;
}

std::optional<std::vector<TcpSample>> decode_tcp_samples(const std::string& bytes, std::string& problem) {
  if (bytes.size() < kHeaderBytes || bytes.compare(0, 4, "LRKS") != 0) {
    problem = "not lurk samples (no \"LRKS\" header)";
    return std::nullopt;
  }
  size_t at = 4;
  uint32_t version = get<uint32_t>(bytes, at);
  if (version != kSampleWireVersion) {
    problem = "samples format version " + std::to_string(version) + ", this UI reads " +
              std::to_string(kSampleWireVersion);
    return std::nullopt;
  }
  uint64_t count = get<uint64_t>(bytes, at);
  if (count > (bytes.size() - kHeaderBytes) / kSampleBytes || bytes.size() != kHeaderBytes + count * kSampleBytes) {
    problem = std::to_string(count) + " samples announced in " + std::to_string(bytes.size()) + " bytes (each takes " +
              std::to_string(kSampleBytes) + " after a " + std::to_string(kHeaderBytes) + "-byte header)";
    return std::nullopt;
  }
  std::vector<TcpSample> samples(count);
  for (TcpSample& s : samples) {
    s.t_ns = get<int64_t>(bytes, at);
    s.seq = get<uint32_t>(bytes, at);
    s.ack = get<uint32_t>(bytes, at);
    s.payload_len = get<uint32_t>(bytes, at);
    s.analysis = get<uint32_t>(bytes, at);
    s.window = get<int64_t>(bytes, at);
    int64_t rtt = get<int64_t>(bytes, at);
    if (rtt != kNoRtt) s.rtt_ns = rtt;
    s.dir = get<uint8_t>(bytes, at);
    s.tcp_flags = get<uint8_t>(bytes, at);
  }
  return samples;
}

}  // namespace lurk::ui
