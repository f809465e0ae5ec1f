// The bytes of a /frame answer (server-backed viewing, docs/server.md): a
// FrameAnswer (core/frame_source.h) as little-endian fixed-size fields and
// length-prefixed texts, after the magic "LRKF" and a version. Decoding
// checks every length against what is left, so a short or damaged answer is
// an error naming the byte offset, never a crash.
#pragma once

#include <optional>
#include <string>

#include "core/frame_source.h"

namespace lurk::ui {

// 2: the search's match count after the layout; 3: then how much of the
// args it covers (a double) and the selected item's row (two floats).
constexpr uint32_t kFrameWireVersion = 3;

std::string encode_frame_answer(const FrameAnswer& answer);
// nullopt with `problem` set ("at byte N: ...") when the bytes are not an answer.
std::optional<FrameAnswer> decode_frame_answer(const std::string& bytes, std::string& problem);

}  // namespace lurk::ui
