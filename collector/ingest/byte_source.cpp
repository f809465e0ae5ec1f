#include "ingest/byte_source.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

#include "ingest/content_hash.h"
#include "ingest/ingest_progress.h"

namespace lurk {

size_t ByteSource::read_fully(void* out, size_t size) {
  auto* bytes = static_cast<uint8_t*>(out);
  size_t total = 0;
  while (total < size) {
    size_t got = read(bytes + total, size - total);
    if (got == 0) break;
    total += got;
  }
  return total;
}

std::span<const uint8_t> ByteSource::view(size_t size) {
  view_copy_.resize(size);
  view_copy_.resize(read_fully(view_copy_.data(), size));
  return view_copy_;
}

void ByteSource::skip_to_end() {
  while (!view(1 << 16).empty()) {
  }
}

namespace {
constexpr size_t kFileBufferSize = 1 << 20;
}  // namespace

FileByteSource::FileByteSource(const std::string& path) : ByteSource(path) {
  file_ = std::fopen(path.c_str(), "rb");
  if (!file_) throw std::runtime_error(path + ": " + std::strerror(errno));
  std::setvbuf(file_, nullptr, _IONBF, 0);  // buffer_ does the buffering
  if (std::fseek(file_, 0, SEEK_END) == 0) {
    long end = std::ftell(file_);
    size_ = end > 0 ? static_cast<uint64_t>(end) : 0;
    std::fseek(file_, 0, SEEK_SET);
  }
}

FileByteSource::~FileByteSource() {
  if (file_) std::fclose(file_);
}

void FileByteSource::refill() {
  if (buffer_.empty()) buffer_.resize(kFileBufferSize);
  if (begin_ > 0) {
    std::memmove(buffer_.data(), buffer_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  while (end_ < buffer_.size() && !at_eof_) {
    size_t got = read_file(buffer_.data() + end_, buffer_.size() - end_);
    if (got == 0) at_eof_ = true;
    end_ += got;
  }
}

size_t FileByteSource::read_file(uint8_t* out, size_t size) {
  size_t got = std::fread(out, 1, size, file_);
  if (hasher_) hasher_->update(out, got);
  file_read_ += got;
  if (progress_) progress_->input_read(file_read_);
  return got;
}

size_t FileByteSource::read(void* out, size_t size) {
  if (begin_ == end_) {
    if (at_eof_) return 0;
    if (size >= kFileBufferSize) {  // large reads skip the buffer
      size_t got = read_file(static_cast<uint8_t*>(out), size);
      if (got == 0) at_eof_ = true;
      offset_ += got;
      return got;
    }
    refill();
  }
  size_t n = std::min(size, end_ - begin_);
  std::memcpy(out, buffer_.data() + begin_, n);
  begin_ += n;
  offset_ += n;
  return n;
}

size_t FileByteSource::read_unbuffered(void* out, size_t size) {
  if (begin_ != end_) return read_fully(out, size);  // buffered bytes come first
  auto* bytes = static_cast<uint8_t*>(out);
  size_t total = 0;
  while (total < size && !at_eof_) {
    size_t got = read_file(bytes + total, size - total);
    if (got == 0) at_eof_ = true;
    total += got;
  }
  offset_ += total;
  return total;
}

std::span<const uint8_t> FileByteSource::view(size_t size) {
  if (size > kFileBufferSize) return ByteSource::view(size);
  if (end_ - begin_ < size && !at_eof_) refill();
  size_t n = std::min(size, end_ - begin_);
  std::span<const uint8_t> out(buffer_.data() + begin_, n);
  begin_ += n;
  offset_ += n;
  return out;
}

MemoryByteSource::MemoryByteSource(std::string name, const uint8_t* data, size_t size)
    : ByteSource(std::move(name)), data_(data), size_(size) {}

size_t MemoryByteSource::read(void* out, size_t size) {
  size_t left = size_ - static_cast<size_t>(offset_);
  size_t n = size < left ? size : left;
  std::memcpy(out, data_ + offset_, n);
  offset_ += n;
  return n;
}

std::span<const uint8_t> MemoryByteSource::view(size_t size) {
  size_t left = size_ - static_cast<size_t>(offset_);
  size_t n = size < left ? size : left;
  std::span<const uint8_t> out(data_ + offset_, n);
  offset_ += n;
  return out;
}

std::vector<uint8_t> read_file_head(const std::string& path, size_t max_bytes) {
  FileByteSource source(path);
  std::vector<uint8_t> head(max_bytes);
  head.resize(source.read_unbuffered(head.data(), head.size()));
  return head;
}

}  // namespace lurk
