// `lurk send` of a mirage-profile CTF file (docs/live.md): a ring buffer
// written to disk holds its packets in ring order, and a live stream carries
// them oldest first, as a stack writes them. This puts the file's packets in
// that order (the CTF importer's own framing and ring order, ctf_reader.h),
// each with the bytes up to the next packet, damage included, so that the
// collector finds what `lurk ingest` of the file finds.
#pragma once

#include <string>
#include <string_view>

namespace lurk::live {

// The bytes of the file as the stream sends them.
std::string ctf_packets_oldest_first(std::string_view file);

// Whether these first bytes of an input are a CTF packet's magic.
bool looks_like_ctf(std::string_view head);

}  // namespace lurk::live
