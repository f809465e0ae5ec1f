// The bytes of a /samples answer (server-backed viewing, docs/server.md):
// one connection's packets as the per-connection graphs read them
// (TcpSample, core/stevens_series.h), which a server-backed page does not
// hold. "LRKS", a version, the count, then each sample as fixed-size
// little-endian fields (42 bytes). Decoding checks the length against the
// count, so a short or damaged answer is an error, never a crash.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <vector>

#include "core/stevens_series.h"

namespace lurk::ui {

constexpr uint32_t kSampleWireVersion = 1;

std::string encode_tcp_samples(std::span<const TcpSample> samples);
// nullopt with `problem` set when the bytes are not samples.
std::optional<std::vector<TcpSample>> decode_tcp_samples(const std::string& bytes, std::string& problem);

}  // namespace lurk::ui
